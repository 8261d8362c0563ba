// Package store keeps the journal and the read models in SQL: embedded
// SQLite by default, PostgreSQL in production. One schema serves both.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/greenmall/greenmall/internal/platform"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store.
type DB struct {
	SQL      *sql.DB
	Postgres bool
	upserts  map[string]string
	sessions sessionCache
}

// Open opens (and migrates) the store at dsn: a postgres:// URL, or the
// path of an SQLite file.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Postgres: strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")}
	var err error
	dialect := goose.DialectSQLite3
	if db.Postgres {
		dialect = goose.DialectPostgres
		db.SQL, err = sql.Open("pgx", dsn)
	} else {
		// WAL with synchronous=FULL: a commit is on disk before it returns,
		// so an acknowledged request survives a crash or power loss.
		db.SQL, err = sql.Open("sqlite", "file:"+dsn+
			"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
		db.SQL.SetMaxOpenConns(8)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	if err := db.SQL.PingContext(ctx); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	prov, err := goose.NewProvider(dialect, db.SQL, sub)
	if err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if _, err := prov.Up(ctx); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("migrate %s: %w", redact(dsn), err)
	}
	db.upserts = map[string]string{}
	for _, t := range append(platform.EntityTables, platform.LinesTable, platform.PricesTable, platform.PeriodsTable) {
		db.upserts[t.Name] = upsertSQL(t)
	}
	return db, nil
}

// Close closes the store.
func (db *DB) Close() error { return db.SQL.Close() }

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i >= 0 {
		if j := strings.Index(dsn, "://"); j >= 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}

func placeholders(n, from int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

func upsertSQL(t platform.Table) string {
	var set []string
	for _, c := range t.Cols[t.Key:] {
		set = append(set, c+"=excluded."+c)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO ",
		t.Name, strings.Join(t.Cols, ","), placeholders(len(t.Cols), 1), strings.Join(t.Cols[:t.Key], ","))
	if len(set) == 0 {
		return q + "NOTHING"
	}
	return q + "UPDATE SET " + strings.Join(set, ",")
}

// Entry is one journal row.
type Entry struct {
	Seq    int64
	Env    platform.Envelope
	Idem   string // "" when the request had no idempotency key
	Result string // JSON
}

// Batch is what one group commit writes.
type Batch struct {
	Entries []Entry
	Rows    []Row
}

// Row is one read-model row to insert or replace.
type Row struct {
	Table platform.Table
	Vals  []any
}

// Commit writes a batch in one transaction.
func (db *DB) Commit(ctx context.Context, b *Batch) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmts := map[string]*sql.Stmt{}
	stmt := func(name, q string) (*sql.Stmt, error) {
		if s, ok := stmts[name]; ok {
			return s, nil
		}
		s, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		stmts[name] = s
		return s, nil
	}
	js, err := stmt("journal", "INSERT INTO journal (seq, at, type, actor, data, idem, result) VALUES ($1,$2,$3,$4,$5,$6,$7)")
	if err != nil {
		return err
	}
	for _, e := range b.Entries {
		var idem any
		if e.Idem != "" {
			idem = e.Idem
		}
		if _, err := js.ExecContext(ctx, e.Seq, e.Env.At, e.Env.Type, e.Env.Actor, string(e.Env.Data), idem, e.Result); err != nil {
			return fmt.Errorf("journal %d: %w", e.Seq, err)
		}
	}
	for _, r := range b.Rows {
		s, err := stmt(r.Table.Name, db.upserts[r.Table.Name])
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, r.Vals...); err != nil {
			return fmt.Errorf("write %s %v: %w", r.Table.Name, r.Vals[0], err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	return nil
}

// LoadJournal calls fn for every journal entry in order.
func (db *DB) LoadJournal(ctx context.Context, fn func(e Entry) error) error {
	rows, err := db.SQL.QueryContext(ctx, "SELECT seq, at, type, actor, data, COALESCE(idem, ''), result FROM journal ORDER BY seq")
	if err != nil {
		return fmt.Errorf("load journal: %w", err)
	}
	defer rows.Close()
	var want int64 = 1
	for rows.Next() {
		var e Entry
		var data string
		if err := rows.Scan(&e.Seq, &e.Env.At, &e.Env.Type, &e.Env.Actor, &data, &e.Idem, &e.Result); err != nil {
			return fmt.Errorf("load journal: %w", err)
		}
		if e.Seq != want {
			return fmt.Errorf("load journal: entry %d follows %d", e.Seq, want-1)
		}
		want++
		e.Env.Data = []byte(data)
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ErrNotFound is returned by lookups that find nothing.
var ErrNotFound = errors.New("not found")

// ReadTable returns every row of t ordered by its key, with BIGINT columns
// as int64 and TEXT columns as string.
func (db *DB) ReadTable(ctx context.Context, t platform.Table) ([][]any, error) {
	q := fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(t.Cols, ","), t.Name, strings.Join(t.Cols[:t.Key], ","))
	rows, err := db.SQL.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", t.Name, err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(t.Cols))
		ptrs := make([]any, len(t.Cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read %s: %w", t.Name, err)
		}
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				vals[i] = string(x)
			case int32:
				vals[i] = int64(x)
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}
