package store

import (
	"context"
	"fmt"
	"strings"
)

// OrderRow is one row of the orders read model.
type OrderRow struct {
	ID          string
	Member      string
	Status      string
	AmountFen   int64
	Lines       string // JSON
	Address     string // JSON, "" for pickup orders
	Region      string
	Pickup      string
	PayMethod   string
	GatewayTxn  string
	Carrier     string
	Tracking    string
	Reason      string
	CreatedAt   int64
	PaidAt      int64
	ShippedAt   int64
	CompletedAt int64
	SettledAt   int64
	ClosedAt    int64
}

// OrderFilter selects orders; empty fields match everything.
type OrderFilter struct {
	Member string
	Status string
}

const orderCols = "id, member, status, amount_fen, lines, address, region, pickup, pay_method, gateway_txn, " +
	"carrier, tracking, reason, created_at, paid_at, shipped_at, completed_at, settled_at, closed_at"

// ListOrders returns a page of the orders f selects, newest first, and how
// many there are in all.
func (db *DB) ListOrders(ctx context.Context, f OrderFilter, limit, offset int) ([]OrderRow, int64, error) {
	var conds []string
	var args []any
	if f.Member != "" {
		args = append(args, f.Member)
		conds = append(conds, fmt.Sprintf("member = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, fmt.Sprintf("status = $%d", len(args)))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count orders: %w", err)
	}
	args = append(args, limit, offset)
	// Ids are "o<n>": order by length first so that o10 comes after o9.
	q := fmt.Sprintf("SELECT %s FROM orders%s ORDER BY created_at DESC, LENGTH(id) DESC, id DESC LIMIT $%d OFFSET $%d",
		orderCols, where, len(args)-1, len(args))
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list orders: %w", err)
	}
	defer rows.Close()
	out := []OrderRow{}
	for rows.Next() {
		var o OrderRow
		if err := rows.Scan(&o.ID, &o.Member, &o.Status, &o.AmountFen, &o.Lines, &o.Address, &o.Region, &o.Pickup,
			&o.PayMethod, &o.GatewayTxn, &o.Carrier, &o.Tracking, &o.Reason, &o.CreatedAt, &o.PaidAt, &o.ShippedAt,
			&o.CompletedAt, &o.SettledAt, &o.ClosedAt); err != nil {
			return nil, 0, fmt.Errorf("list orders: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list orders: %w", err)
	}
	return out, total, db.onDisk(ctx)
}
