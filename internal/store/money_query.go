package store

import (
	"context"
	"fmt"
)

// LedgerRow is one ledger line as the member pages show it.
type LedgerRow struct {
	Seq     int64  `json:"seq"`
	N       int64  `json:"n"`
	At      int64  `json:"at"`
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
	Reason  string `json:"reason"`
	Ref     string `json:"ref"`
}

// MemberLedger returns a page of member's ledger lines, newest first, and
// how many lines the member has in all.
func (db *DB) MemberLedger(ctx context.Context, member string, limit, offset int) ([]LedgerRow, int64, error) {
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM ledger_lines WHERE member = $1 AND member <> ''", member).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count ledger lines of %s: %w", member, err)
	}
	rows, err := db.SQL.QueryContext(ctx,
		"SELECT seq, n, at, account, amount, reason, ref FROM ledger_lines WHERE member = $1 AND member <> '' ORDER BY seq DESC, n DESC LIMIT $2 OFFSET $3",
		member, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger lines of %s: %w", member, err)
	}
	defer rows.Close()
	out := []LedgerRow{}
	for rows.Next() {
		var l LedgerRow
		if err := rows.Scan(&l.Seq, &l.N, &l.At, &l.Account, &l.Amount, &l.Reason, &l.Ref); err != nil {
			return nil, 0, fmt.Errorf("ledger lines of %s: %w", member, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("ledger lines of %s: %w", member, err)
	}
	return out, total, db.onDisk(ctx)
}

// PriceRow is the points pool after a command that moved it.
type PriceRow struct {
	Seq       int64
	At        int64
	PoolFen   int64
	SupplyUpt int64
}

// PriceHistory returns the latest limit price points, oldest first.
func (db *DB) PriceHistory(ctx context.Context, limit int) ([]PriceRow, error) {
	rows, err := db.SQL.QueryContext(ctx,
		"SELECT seq, at, pool_fen, supply_upt FROM (SELECT seq, at, pool_fen, supply_upt FROM price_history ORDER BY seq DESC LIMIT $1) AS t ORDER BY seq",
		limit)
	if err != nil {
		return nil, fmt.Errorf("price history: %w", err)
	}
	defer rows.Close()
	out := []PriceRow{}
	for rows.Next() {
		var p PriceRow
		if err := rows.Scan(&p.Seq, &p.At, &p.PoolFen, &p.SupplyUpt); err != nil {
			return nil, fmt.Errorf("price history: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("price history: %w", err)
	}
	return out, db.onDisk(ctx)
}

// WithdrawalRow is a withdrawal as the read model keeps it.
type WithdrawalRow struct {
	ID          string `json:"id"`
	Member      string `json:"member"`
	AmountFen   int64  `json:"amount_fen"`
	FeeFen      int64  `json:"fee_fen"`
	PayoutFen   int64  `json:"payout_fen"`
	Account     string `json:"account"`
	Status      string `json:"status"`
	Reason      string `json:"reason"`
	TransferRef string `json:"transfer_ref"`
	RequestedAt int64  `json:"requested_at"`
	ReviewedAt  int64  `json:"reviewed_at"`
	ReviewedBy  string `json:"reviewed_by"`
	PaidAt      int64  `json:"paid_at"`
}

// WithdrawalFilter selects withdrawals; empty fields select all.
type WithdrawalFilter struct {
	Member string
	Status string
}

// Withdrawals returns a page of the withdrawals f selects, newest first,
// and how many it selects in all.
func (db *DB) Withdrawals(ctx context.Context, f WithdrawalFilter, limit, offset int) ([]WithdrawalRow, int64, error) {
	where, args := "WHERE 1=1", []any{}
	if f.Member != "" {
		args = append(args, f.Member)
		where += fmt.Sprintf(" AND member = $%d", len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where += fmt.Sprintf(" AND status = $%d", len(args))
	}
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM withdrawals "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count withdrawals: %w", err)
	}
	q := fmt.Sprintf(`SELECT id, member, amount_fen, fee_fen, account, status, reason, transfer_ref,
		requested_at, reviewed_at, reviewed_by, paid_at FROM withdrawals %s
		ORDER BY requested_at DESC, LENGTH(id) DESC, id DESC LIMIT $%d OFFSET $%d`, where, len(args)+1, len(args)+2)
	rows, err := db.SQL.QueryContext(ctx, q, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("withdrawals: %w", err)
	}
	defer rows.Close()
	out := []WithdrawalRow{}
	for rows.Next() {
		var w WithdrawalRow
		if err := rows.Scan(&w.ID, &w.Member, &w.AmountFen, &w.FeeFen, &w.Account, &w.Status, &w.Reason, &w.TransferRef,
			&w.RequestedAt, &w.ReviewedAt, &w.ReviewedBy, &w.PaidAt); err != nil {
			return nil, 0, fmt.Errorf("withdrawals: %w", err)
		}
		w.PayoutFen = w.AmountFen - w.FeeFen
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("withdrawals: %w", err)
	}
	return out, total, db.onDisk(ctx)
}

// ReferralRow is a member a referrer brought in.
type ReferralRow struct {
	ID       string
	Name     string
	Phone    string
	Role     string
	Level    string
	JoinedAt int64
}

// Referrals returns the members whose referrer is member, in join order.
func (db *DB) Referrals(ctx context.Context, member string) ([]ReferralRow, error) {
	rows, err := db.SQL.QueryContext(ctx,
		"SELECT id, name, phone, role, level, joined_at FROM members WHERE referrer = $1 ORDER BY joined_at, LENGTH(id), id", member)
	if err != nil {
		return nil, fmt.Errorf("referrals of %s: %w", member, err)
	}
	defer rows.Close()
	out := []ReferralRow{}
	for rows.Next() {
		var r ReferralRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Phone, &r.Role, &r.Level, &r.JoinedAt); err != nil {
			return nil, fmt.Errorf("referrals of %s: %w", member, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("referrals of %s: %w", member, err)
	}
	return out, db.onDisk(ctx)
}
