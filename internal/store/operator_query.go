package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// MemberFilter selects members for the operator console.
type MemberFilter struct {
	Q     string // a member id, a phone (prefix) or a name (substring)
	Level string
	Role  string
	Page  int // from 1
	Size  int
}

// MemberSummary is one member of a console listing.
type MemberSummary struct {
	ID          string `json:"id"`
	Phone       string `json:"phone"`
	Name        string `json:"name"`
	Code        string `json:"invite_code"`
	Referrer    string `json:"referrer"`
	Role        string `json:"role"`
	Level       string `json:"level"`
	Available   int64  `json:"available_fen"`
	Frozen      int64  `json:"frozen_fen"`
	PointsUpt   int64  `json:"points_upt"`
	Shares      int64  `json:"shares"`
	Banned      bool   `json:"banned"`
	JoinedAt    int64  `json:"joined_at"`
	SelfSpend   int64  `json:"self_spend_fen"`
	Withdrawing int64  `json:"withdrawing_fen"`
}

// likeEscape escapes LIKE's wildcards; queries use ESCAPE '\'.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// Members lists the members matching f, in join order, with the number of
// all matches.
func (db *DB) Members(ctx context.Context, f MemberFilter) ([]MemberSummary, int64, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		where = append(where, fmt.Sprintf(`(id = %s OR phone LIKE %s ESCAPE '\' OR name LIKE %s ESCAPE '\')`,
			arg(q), arg(likeEscape(q)+"%"), arg("%"+likeEscape(q)+"%")))
	}
	if f.Level != "" {
		where = append(where, "level = "+arg(f.Level))
	}
	if f.Role != "" {
		where = append(where, "role = "+arg(f.Role))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM members"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	q := "SELECT id, phone, name, code, referrer, role, level, available, frozen, withdrawing, points_upt, shares, " +
		"self_spend, banned, joined_at FROM members" + cond +
		fmt.Sprintf(" ORDER BY joined_at, LENGTH(id), id LIMIT %s OFFSET %s", arg(f.Size), arg((f.Page-1)*f.Size))
	rows, err := db.SQL.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []MemberSummary{}
	for rows.Next() {
		var m MemberSummary
		var banned int64
		if err := rows.Scan(&m.ID, &m.Phone, &m.Name, &m.Code, &m.Referrer, &m.Role, &m.Level, &m.Available,
			&m.Frozen, &m.Withdrawing, &m.PointsUpt, &m.Shares, &m.SelfSpend, &banned, &m.JoinedAt); err != nil {
			return nil, 0, fmt.Errorf("list members: %w", err)
		}
		m.Banned = banned != 0
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	return out, total, db.onDisk(ctx)
}

// PlanVersionInfo is one plan version, without its document.
type PlanVersionInfo struct {
	Version int64  `json:"version"`
	At      int64  `json:"at"`
	Actor   string `json:"actor"`
	Note    string `json:"note"`
}

// PlanVersions lists the plan versions, newest first.
func (db *DB) PlanVersions(ctx context.Context) ([]PlanVersionInfo, error) {
	rows, err := db.SQL.QueryContext(ctx, "SELECT version, at, actor, note FROM plan_versions ORDER BY version DESC")
	if err != nil {
		return nil, fmt.Errorf("plan versions: %w", err)
	}
	defer rows.Close()
	out := []PlanVersionInfo{}
	for rows.Next() {
		var v PlanVersionInfo
		if err := rows.Scan(&v.Version, &v.At, &v.Actor, &v.Note); err != nil {
			return nil, fmt.Errorf("plan versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plan versions: %w", err)
	}
	return out, db.onDisk(ctx)
}

// AuditEntry is one operator action: a journal row.
type AuditEntry struct {
	Seq   int64           `json:"seq"`
	At    int64           `json:"at"`
	Type  string          `json:"type"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
}

// Audit lists the journal rows of operators ("op:…"), or of one operator when
// actor is not "", newest first, with the number of all matches.
func (db *DB) Audit(ctx context.Context, actor string, page, size int) ([]AuditEntry, int64, error) {
	cond, args := `actor LIKE 'op:%'`, []any{}
	if actor != "" {
		// Still only operators' entries: the index covers no others.
		cond, args = `actor = $1 AND actor LIKE 'op:%'`, []any{actor}
	}
	var total int64
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM journal WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	n := len(args)
	q := fmt.Sprintf("SELECT seq, at, type, actor, data FROM journal WHERE %s ORDER BY seq DESC LIMIT $%d OFFSET $%d",
		cond, n+1, n+2)
	rows, err := db.SQL.QueryContext(ctx, q, append(args, size, (page-1)*size)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		var data string
		if err := rows.Scan(&e.Seq, &e.At, &e.Type, &e.Actor, &data); err != nil {
			return nil, 0, fmt.Errorf("audit: %w", err)
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit: %w", err)
	}
	return out, total, db.onDisk(ctx)
}

// StatusCount is the number and amount of orders in one status.
type StatusCount struct {
	Count     int64 `json:"count"`
	AmountFen int64 `json:"amount_fen"`
}

// OrdersByStatus counts the orders of each status.
func (db *DB) OrdersByStatus(ctx context.Context) (map[string]StatusCount, error) {
	rows, err := db.SQL.QueryContext(ctx, "SELECT status, COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM orders GROUP BY status")
	if err != nil {
		return nil, fmt.Errorf("orders by status: %w", err)
	}
	defer rows.Close()
	out := map[string]StatusCount{}
	for rows.Next() {
		var s string
		var c StatusCount
		if err := rows.Scan(&s, &c.Count, &c.AmountFen); err != nil {
			return nil, fmt.Errorf("orders by status: %w", err)
		}
		out[s] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("orders by status: %w", err)
	}
	return out, db.onDisk(ctx)
}
