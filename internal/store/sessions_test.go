package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// Sessions are served from memory after the first lookup; revocation must
// still take effect at once, here and for a process that opens the store
// afterwards.
func TestSessionsRevocation(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "gm.db")
	db, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range []Session{
		{TokenHash: "a1", Principal: "m:m1", ExpiresAt: 1000},
		{TokenHash: "a2", Principal: "m:m1", ExpiresAt: 1000},
		{TokenHash: "b1", Principal: "m:m2", ExpiresAt: 1000},
	} {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	live := func(db *DB, hash string, now int64) bool {
		_, err := db.Session(ctx, hash, now)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}
	if !live(db, "a1", 10) || !live(db, "b1", 10) {
		t.Fatal("new sessions not live")
	}
	if live(db, "a1", 1000) {
		t.Fatal("an expired session is live")
	}
	if err := db.RevokePrincipal(ctx, "m:m1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeSession(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, h := range []string{"a1", "a2", "b1"} {
		if live(db, h, 10) || live(other, h, 10) {
			t.Fatalf("revoked session %s is live", h)
		}
	}
}
