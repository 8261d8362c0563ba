package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// writer is SQLite's journal writer: one connection, held for the life of
// the store, that runs with synchronous=NORMAL. Its commits return once their
// WAL frames are written (in the page cache, safe from a crash of this
// process) and become durable at the next sync, an fsync of the WAL file.
// That split lets the sequencer write batch N+1 while batch N is being
// synced, and lets one fsync cover several batches; nothing is acknowledged
// before its sync. Every other connection keeps synchronous=FULL.
type writer struct {
	mu   sync.Mutex // one write at a time
	conn *sql.Conn

	walMu   sync.Mutex
	walPath string
	wal     *os.File // opened at the first sync
	walInfo os.FileInfo

	// Writes are numbered. begun counts writes that have started (their
	// rows may be visible to readers from then on), written those that
	// ended, synced those made durable by a completed sync.
	stMu                   sync.Mutex
	begun, written, synced int64
	moved                  chan struct{} // closed and replaced when synced moves
}

func openWriter(ctx context.Context, pool *sql.DB, path string) (*writer, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	return &writer{conn: conn, walPath: path + "-wal", moved: make(chan struct{})}, nil
}

func (w *writer) close() {
	w.walMu.Lock()
	if w.wal != nil {
		w.wal.Close()
		w.wal = nil
	}
	w.walMu.Unlock()
	w.conn.Close()
}

// begin opens a transaction on the writer connection; it holds the writer
// until commit or rollback.
func (w *writer) begin(ctx context.Context) error {
	w.start()
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		w.end(false)
		return fmt.Errorf("begin write: %w", err)
	}
	return nil
}

// raw runs f with the writer connection's driver connection, for the write
// path's statements (WriteTx.execN).
func (w *writer) raw(f func(dc driver.Conn) error) error {
	return w.conn.Raw(func(c any) error { return f(c.(driver.Conn)) })
}

// start takes the writer for a new write and counts it as begun.
func (w *writer) start() {
	w.mu.Lock()
	w.stMu.Lock()
	w.begun++
	w.stMu.Unlock()
}

// end releases the writer. A write that committed waits for the next sync;
// one that did not left nothing to wait for, so if every write before it is
// synced, it counts as synced at once.
func (w *writer) end(committed bool) {
	w.stMu.Lock()
	w.written = w.begun
	if !committed && w.synced == w.begun-1 {
		w.setSynced(w.begun)
	}
	w.stMu.Unlock()
	w.mu.Unlock()
}

func (w *writer) commit(ctx context.Context) error {
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		w.rollback()
		return fmt.Errorf("commit batch: %w", err)
	}
	w.end(true)
	return nil
}

func (w *writer) rollback() {
	// A failed COMMIT may already have ended the transaction; then ROLLBACK
	// fails harmlessly.
	w.conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck
	w.end(false)
}

// sync makes every finished write durable.
func (w *writer) sync() error {
	w.stMu.Lock()
	upto := w.written
	w.stMu.Unlock()
	if err := w.fsyncWAL(); err != nil {
		return fmt.Errorf("sync journal: %w", err)
	}
	w.stMu.Lock()
	if upto > w.synced {
		w.setSynced(upto)
	}
	w.stMu.Unlock()
	return nil
}

// setSynced moves synced to n and wakes the waiting queries; stMu is held.
func (w *writer) setSynced(n int64) {
	w.synced = n
	close(w.moved)
	w.moved = make(chan struct{})
}

func (w *writer) fsyncWAL() error {
	w.walMu.Lock()
	defer w.walMu.Unlock()
	fi, err := os.Stat(w.walPath)
	if errors.Is(err, fs.ErrNotExist) {
		// SQLite removes the log only after checkpointing it into the
		// database file and syncing that; the writer's open connection
		// keeps that from happening while the store is open.
		return nil
	}
	if err != nil {
		return err
	}
	if w.wal == nil || !os.SameFile(fi, w.walInfo) {
		if w.wal != nil {
			w.wal.Close()
		}
		if w.wal, err = os.Open(w.walPath); err != nil {
			return err
		}
		if w.walInfo, err = w.wal.Stat(); err != nil {
			return err
		}
	}
	return w.wal.Sync()
}

// onDisk waits until every write that had begun is synced.
func (w *writer) onDisk(ctx context.Context) error {
	w.stMu.Lock()
	want := w.begun
	for w.synced < want {
		ch := w.moved
		w.stMu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		w.stMu.Lock()
	}
	w.stMu.Unlock()
	return nil
}

// execDurable runs one statement in a transaction of its own on the writer
// connection and returns once it is durable. Writes outside the journal
// (sessions) go this way so that they queue behind the journal's
// transactions instead of polling for SQLite's write lock, which the
// writer holds for most of the time under load.
func (w *writer) execDurable(ctx context.Context, q string, args ...any) error {
	w.start()
	_, err := w.conn.ExecContext(ctx, q, args...)
	w.end(err == nil)
	if err != nil {
		return err
	}
	return w.sync()
}
