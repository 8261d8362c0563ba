package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Session is a login session; the token itself is never stored, only its hash.
type Session struct {
	TokenHash string
	Principal string // "m:<member>" or "op:<operator>"
	CreatedAt int64
	ExpiresAt int64
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	_, err := db.SQL.ExecContext(ctx,
		"INSERT INTO sessions (token_hash, principal, created_at, expires_at, revoked) VALUES ($1,$2,$3,$4,0)",
		s.TokenHash, s.Principal, s.CreatedAt, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the live (unrevoked, unexpired at now) session of a token hash.
func (db *DB) Session(ctx context.Context, tokenHash string, now int64) (Session, error) {
	s := Session{TokenHash: tokenHash}
	err := db.SQL.QueryRowContext(ctx,
		"SELECT principal, created_at, expires_at FROM sessions WHERE token_hash = $1 AND revoked = 0 AND expires_at > $2",
		tokenHash, now).Scan(&s.Principal, &s.CreatedAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("session: %w", err)
	}
	return s, nil
}

// RevokeSession ends one session.
func (db *DB) RevokeSession(ctx context.Context, tokenHash string) error {
	if _, err := db.SQL.ExecContext(ctx, "UPDATE sessions SET revoked = 1 WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokePrincipal ends every session of a principal (a ban, a password change).
func (db *DB) RevokePrincipal(ctx context.Context, principal string) error {
	if _, err := db.SQL.ExecContext(ctx, "UPDATE sessions SET revoked = 1 WHERE principal = $1", principal); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", principal, err)
	}
	return nil
}
