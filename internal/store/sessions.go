package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Session is a login session; the token itself is never stored, only its hash.
type Session struct {
	TokenHash string
	Principal string // "m:<member>" or "op:<operator>"
	CreatedAt int64
	ExpiresAt int64
}

// sessionCache keeps live sessions in memory so that authenticating a
// request costs no query. It is exact as long as this process is the only
// one that revokes sessions (one server per platform, see design.md); a
// session revoked elsewhere stays usable here until this process restarts.
type sessionCache struct {
	mu    sync.Mutex
	m     map[string]Session
	epoch uint64 // counts revocations: a read older than one is not cached
}

func (c *sessionCache) now() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch
}

func (c *sessionCache) get(hash string) (Session, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[hash]
	return s, ok
}

// put caches s, read from the table at epoch (or created: the current one).
func (c *sessionCache) put(s Session, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return // a revocation ran since the read: it may have revoked s
	}
	if c.m == nil {
		c.m = map[string]Session{}
	}
	c.m[s.TokenHash] = s
}

func (c *sessionCache) drop(match func(Session) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for k, s := range c.m {
		if match(s) {
			delete(c.m, k)
		}
	}
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s Session) error {
	err := db.exec(ctx,
		"INSERT INTO sessions (token_hash, principal, created_at, expires_at, revoked) VALUES ($1,$2,$3,$4,0)",
		s.TokenHash, s.Principal, s.CreatedAt, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	db.sessions.put(s, db.sessions.now())
	return nil
}

// Session returns the live (unrevoked, unexpired at now) session of a token hash.
func (db *DB) Session(ctx context.Context, tokenHash string, now int64) (Session, error) {
	if s, ok := db.sessions.get(tokenHash); ok {
		if s.ExpiresAt <= now {
			return s, ErrNotFound
		}
		return s, nil
	}
	epoch := db.sessions.now()
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
	db.sessions.put(s, epoch)
	return s, nil
}

// RevokeSession ends one session.
func (db *DB) RevokeSession(ctx context.Context, tokenHash string) error {
	// Dropped before and after the update: the epoch bump keeps a lookup
	// that read the row before the update from caching it again.
	drop := func(s Session) bool { return s.TokenHash == tokenHash }
	db.sessions.drop(drop)
	if err := db.exec(ctx, "UPDATE sessions SET revoked = 1 WHERE token_hash = $1", tokenHash); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	db.sessions.drop(drop)
	return nil
}

// RevokePrincipal ends every session of a principal (a ban, a password change).
func (db *DB) RevokePrincipal(ctx context.Context, principal string) error {
	drop := func(s Session) bool { return s.Principal == principal }
	db.sessions.drop(drop)
	if err := db.exec(ctx, "UPDATE sessions SET revoked = 1 WHERE principal = $1", principal); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", principal, err)
	}
	db.sessions.drop(drop)
	return nil
}
