package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/platform"
)

// On SQLite a written batch is visible before it is synced; a read-model
// query that could see it holds its answer until the sync, so nothing a
// power loss could undo is served.
func TestQueriesWaitForSync(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Entries: []Entry{{Seq: 1, Env: platform.Envelope{At: 10, Type: "x", Actor: "sys", Data: []byte("{}")}, Result: "null"}},
		Rows: []Row{{Table: platform.PricesTable, Vals: []any{int64(1), int64(10), int64(100), int64(7)}}}}
	if err := tx.Add(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		rows []PriceRow
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		rows, err := db.PriceHistory(ctx, 10)
		got <- answer{rows, err}
	}()
	select {
	case a := <-got:
		t.Fatalf("query answered before the sync: %v %v", a.rows, a.err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	a := <-got
	if a.err != nil || len(a.rows) != 1 || a.rows[0].PoolFen != 100 {
		t.Fatalf("after the sync: %v %v, want the written price point", a.rows, a.err)
	}

	// While a write is open a query waits for it, and gives up with its
	// context; a write rolled back leaves nothing to wait for.
	tx, err = db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := db.PriceHistory(short, 10); err == nil {
		t.Fatal("a query waiting on an open write ignored its deadline")
	}
	tx.Rollback()
	if _, err := db.PriceHistory(ctx, 10); err != nil {
		t.Fatalf("after the rollback: %v", err)
	}
}

// A session is written on the journal's writer connection: it queues behind
// an open journal transaction instead of polling for SQLite's lock, and is
// durable when CreateSession returns.
func TestSessionWriteQueuesBehindJournal(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- db.CreateSession(ctx, Session{TokenHash: "h1", Principal: "m:m1", CreatedAt: 1, ExpiresAt: 1 << 40})
	}()
	select {
	case err := <-done:
		t.Fatalf("the session was written while a journal transaction was open: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	db.w.stMu.Lock()
	synced, begun := db.w.synced, db.w.begun
	db.w.stMu.Unlock()
	if synced != begun {
		t.Fatalf("after CreateSession %d of %d writes are synced", synced, begun)
	}
	db.sessions.drop(func(Session) bool { return true })
	if s, err := db.Session(ctx, "h1", 2); err != nil || s.Principal != "m:m1" {
		t.Fatalf("session read back: %+v %v", s, err)
	}
}

// openSQLite opens a new SQLite store for one test.
func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gm.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
