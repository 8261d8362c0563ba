// Package store keeps the journal and the read models in SQL: embedded
// SQLite by default, PostgreSQL in production. One schema serves both.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers "pgx"
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
	tables   map[string]platform.Table
	stmtMu   sync.Mutex
	stmts    map[stmtKey]cachedStmt
	sessions sessionCache
	w        *writer // SQLite only
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
		// so an acknowledged request survives a crash or power loss. The
		// journal's writer connection is the exception (see writer).
		db.SQL, err = sql.Open("sqlite", "file:"+dsn+
			"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(10000)&_pragma=cache_size(-65536)&_txlock=immediate")
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
	prov, err := goose.NewProvider(dialect, db.SQL, sub, goose.WithGoMigrations(writePath(db.Postgres), journalIdem(db.Postgres)))
	if err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if _, err := prov.Up(ctx); err != nil {
		db.SQL.Close()
		return nil, fmt.Errorf("migrate %s: %w", redact(dsn), err)
	}
	db.tables = map[string]platform.Table{journalTable.Name: journalTable}
	for _, t := range append(platform.EntityTables, platform.LinesTable, platform.PricesTable, platform.PeriodsTable) {
		db.tables[t.Name] = t
	}
	db.stmts = map[stmtKey]cachedStmt{}
	if !db.Postgres {
		if db.w, err = openWriter(ctx, db.SQL, dsn); err != nil {
			db.SQL.Close()
			return nil, fmt.Errorf("open %s: %w", dsn, err)
		}
	}
	return db, nil
}

// Close closes the store.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	stmts := db.stmts
	db.stmts = nil
	db.stmtMu.Unlock()
	if db.w != nil {
		db.w.raw(func(driver.Conn) error { //nolint:errcheck // closing
			for _, st := range stmts {
				if st.prepared != nil {
					st.prepared.Close()
				}
			}
			return nil
		})
		db.w.close()
	}
	return db.SQL.Close()
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i >= 0 {
		if j := strings.Index(dsn, "://"); j >= 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}

// placeholders lists n parameters numbered from from: "$1,$2" for
// PostgreSQL, "?,?" for SQLite, which looks a numbered parameter's name up
// by a linear scan on every bind.
func placeholders(n, from int, postgres bool) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if postgres {
			fmt.Fprintf(&b, "$%d", from+i)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// upsertSQL inserts n rows of t in one statement, replacing rows whose key
// exists. A batch never holds two rows with one key (PostgreSQL refuses to
// update a row twice in one statement).
func upsertSQL(t platform.Table, n int, postgres bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", t.Name, strings.Join(t.Cols, ","))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		b.WriteString(placeholders(len(t.Cols), 1+i*len(t.Cols), postgres))
		b.WriteByte(')')
	}
	if t.Name == journalTable.Name {
		return b.String() // appended only: a conflict is an error
	}
	fmt.Fprintf(&b, " ON CONFLICT (%s) DO ", strings.Join(t.Cols[:t.Key], ","))
	var set []string
	for _, c := range t.Cols[t.Key:] {
		if !slices.Contains(t.Const, c) {
			set = append(set, c+"=excluded."+c)
		}
	}
	if len(set) == 0 {
		b.WriteString("NOTHING")
	} else {
		b.WriteString("UPDATE SET " + strings.Join(set, ","))
	}
	return b.String()
}

// journalTable describes the journal for the batched insert.
var journalTable = platform.Table{Name: "journal", Cols: []string{"seq", "at", "type", "actor", "data", "idem", "result"}, Key: 1}

type stmtKey struct {
	table string
	rows  int
}

// chunkSizes are the statement sizes a batch is cut into on PostgreSQL: few
// enough distinct statements to keep them all prepared, large enough that a
// big batch takes few round trips. SQLite runs in-process, with no round
// trip to save: there only ledger lines share statements (lineChunks).
var chunkSizes = []int{64, 16, 4, 1}

// stmt returns the statement inserting n rows of table: its SQL, and on
// SQLite the statement prepared once on the writer's driver connection dc
// and reused by every commit.
func (db *DB) stmt(ctx context.Context, dc driver.Conn, table string, n int) (cachedStmt, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	k := stmtKey{table, n}
	if st, ok := db.stmts[k]; ok {
		return st, nil
	}
	if db.stmts == nil {
		return cachedStmt{}, errors.New("store closed")
	}
	st := cachedStmt{sql: upsertSQL(db.tables[table], n, db.Postgres)}
	if !db.Postgres {
		ds, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, st.sql)
		if err != nil {
			return cachedStmt{}, fmt.Errorf("prepare %s×%d: %w", table, n, err)
		}
		st.prepared = ds.(stmtExec)
	}
	db.stmts[k] = st
	return st, nil
}

type cachedStmt struct {
	sql      string
	prepared stmtExec // SQLite
}

// stmtExec is a driver statement that executes with a context.
type stmtExec interface {
	driver.Stmt
	driver.StmtExecContext
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

// Commit writes a batch in one transaction and returns once it is durable.
func (db *DB) Commit(ctx context.Context, b *Batch) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	if err := tx.Add(ctx, b); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	return db.Sync()
}

// WriteTx is a write transaction filled batch by batch: the journal
// entries, then the read-model rows, of each batch. On SQLite each Add runs
// its statements at once on the writer connection, except for rows already
// written in this transaction: their later versions wait, merged, for
// Commit, so a row every settlement touches (a pool's balance) is written at
// most twice per transaction. Commit then commits: the batches are visible,
// and safe from a crash of this process, but durable only after the next
// Sync, which the caller must wait for before it acknowledges anything they
// hold. On PostgreSQL Add only collects; Commit merges the batches and sends
// every statement as one pipeline, which the server runs as one implicit
// transaction, durable when Commit returns. One WriteTx is open at a time.
type WriteTx struct {
	db      *DB
	batches []*Batch // PostgreSQL

	// SQLite: the rows written so far, and the later versions waiting.
	seen  map[string]int // key → index in later, or -1
	later []Row
	key   []byte
	dc    driver.Conn         // the writer's, while Add or Commit runs
	nv    []driver.NamedValue // reused by every statement
}

// Begin opens a write transaction.
func (db *DB) Begin(ctx context.Context) (*WriteTx, error) {
	if db.Postgres {
		return &WriteTx{db: db}, nil
	}
	if err := db.w.begin(ctx); err != nil {
		return nil, err
	}
	return &WriteTx{db: db, seen: map[string]int{}}, nil
}

// Add writes b into the transaction. After an error the transaction must be
// rolled back.
func (t *WriteTx) Add(ctx context.Context, b *Batch) error {
	if t.db.Postgres {
		t.batches = append(t.batches, b)
		return nil
	}
	return t.onConn(func() error { return t.add(ctx, b) })
}

// onConn runs f with t.dc set to the writer's driver connection.
func (t *WriteTx) onConn(f func() error) error {
	return t.db.w.raw(func(dc driver.Conn) error {
		t.dc = dc
		defer func() { t.dc = nil }()
		return f()
	})
}

// add writes b on SQLite, within onConn.
func (t *WriteTx) add(ctx context.Context, b *Batch) error {
	for i := range b.Entries {
		if err := t.exec(ctx, journalTable.Name, journalArgs(&b.Entries[i])); err != nil {
			return err
		}
	}
	var lines [][]any
	for _, r := range b.Rows {
		if r.Table.Name == platform.LinesTable.Name {
			lines = append(lines, r.Vals)
			continue
		}
		if appendOnly(r.Table) {
			if err := t.exec(ctx, r.Table.Name, r.Vals); err != nil {
				return err
			}
			continue
		}
		t.key = rowKey(t.key[:0], r)
		switch i, ok := t.seen[string(t.key)]; {
		case !ok:
			t.seen[string(t.key)] = -1
			if err := t.exec(ctx, r.Table.Name, r.Vals); err != nil {
				return err
			}
		case i < 0:
			t.seen[string(t.key)] = len(t.later)
			t.later = append(t.later, r)
		default:
			t.later[i] = r
		}
	}
	// A settlement's ledger lines go in statements of several rows: the
	// most numerous rows, and the only ones that measured faster so.
	return chunks(lines, lineChunks, func(n int, args []any) error {
		return t.execN(ctx, platform.LinesTable.Name, n, args)
	})
}

// lineChunks are the sizes of SQLite's multi-row ledger-line statements.
var lineChunks = []int{16, 4, 1}

func (t *WriteTx) exec(ctx context.Context, table string, args []any) error {
	return t.execN(ctx, table, 1, args)
}

// execN inserts n rows of table, args holding their values in order. It
// calls the driver's statement itself, skipping database/sql's per-call
// locking and argument conversion (BenchmarkWriteTx: about 5 % faster), so
// values must be what the driver takes: int64, string or nil.
func (t *WriteTx) execN(ctx context.Context, table string, n int, args []any) error {
	st, err := t.db.stmt(ctx, t.dc, table, n)
	if err != nil {
		return err
	}
	t.nv = t.nv[:0]
	for i, v := range args {
		t.nv = append(t.nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	if _, err := st.prepared.ExecContext(ctx, t.nv); err != nil {
		return fmt.Errorf("write %s %v: %w", table, args[0], err)
	}
	return nil
}

// appendOnly reports whether rows of t are only ever inserted, never
// written twice.
func appendOnly(t platform.Table) bool {
	switch t.Name {
	case platform.LinesTable.Name, platform.PricesTable.Name, platform.PeriodsTable.Name:
		return true
	}
	return false
}

// Commit ends the transaction; after an error nothing of it was written and
// the transaction is over.
func (t *WriteTx) Commit(ctx context.Context) error {
	if t.db.Postgres {
		stmts, err := t.db.statements(ctx, mergeBatches(t.batches))
		if err != nil {
			return err
		}
		return t.db.commitPipeline(ctx, stmts)
	}
	err := t.onConn(func() error {
		for _, r := range t.later {
			if err := t.exec(ctx, r.Table.Name, r.Vals); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.db.w.rollback()
		return err
	}
	return t.db.w.commit(ctx)
}

// Rollback abandons the transaction.
func (t *WriteTx) Rollback() {
	if !t.db.Postgres {
		t.db.w.rollback()
	}
}

// mergeBatches joins batches into one, keeping only the last version of a
// read-model row written more than once.
func mergeBatches(bs []*Batch) *Batch {
	if len(bs) == 1 {
		return bs[0]
	}
	out := &Batch{}
	at := map[string]int{}
	var key []byte
	for _, b := range bs {
		out.Entries = append(out.Entries, b.Entries...)
		for _, r := range b.Rows {
			key = rowKey(key[:0], r)
			if i, ok := at[string(key)]; ok {
				out.Rows[i] = r
				continue
			}
			at[string(key)] = len(out.Rows)
			out.Rows = append(out.Rows, r)
		}
	}
	return out
}

// rowKey appends r's table and key to key.
func rowKey(key []byte, r Row) []byte {
	key = append(key, r.Table.Name...)
	for _, v := range r.Vals[:r.Table.Key] {
		key = append(key, 0)
		switch v := v.(type) {
		case string:
			key = append(key, v...)
		case int64:
			key = strconv.AppendInt(key, v, 10)
		default:
			key = fmt.Append(key, v)
		}
	}
	return key
}

// Sync makes every batch written so far durable (an fsync of SQLite's
// write-ahead log; nothing to do on PostgreSQL).
func (db *DB) Sync() error {
	if db.Postgres {
		return nil
	}
	return db.w.sync()
}

// exec runs one write outside the journal and returns once it is durable.
func (db *DB) exec(ctx context.Context, q string, args ...any) error {
	if db.Postgres {
		_, err := db.SQL.ExecContext(ctx, q, args...)
		return err
	}
	return db.w.execDurable(ctx, q, args...)
}

// onDisk waits until everything a query that has just run could have seen
// is durable, so no answer shows a write that a power loss could undo.
func (db *DB) onDisk(ctx context.Context) error {
	if db.Postgres {
		return nil
	}
	return db.w.onDisk(ctx)
}

// journalArgs is e as the journal table's columns.
func journalArgs(e *Entry) []any {
	var idem any
	if e.Idem != "" {
		idem = e.Idem
	}
	return []any{e.Seq, e.Env.At, e.Env.Type, e.Env.Actor, string(e.Env.Data), idem, e.Result}
}

// statement is one insert of a PostgreSQL commit.
type statement struct {
	table string
	sql   string
	args  []any
}

// statements cuts a batch into PostgreSQL statements: the journal first,
// then each table's rows in the order the tables first appear.
func (db *DB) statements(ctx context.Context, b *Batch) ([]statement, error) {
	jrows := make([][]any, len(b.Entries))
	for i := range b.Entries {
		jrows[i] = journalArgs(&b.Entries[i])
	}
	byTable := map[string][][]any{journalTable.Name: jrows}
	order := []string{journalTable.Name}
	for _, r := range b.Rows {
		if _, ok := byTable[r.Table.Name]; !ok {
			order = append(order, r.Table.Name)
		}
		byTable[r.Table.Name] = append(byTable[r.Table.Name], r.Vals)
	}
	var out []statement
	for _, table := range order {
		err := chunks(byTable[table], chunkSizes, func(n int, args []any) error {
			st, err := db.stmt(ctx, nil, table, n)
			if err != nil {
				return err
			}
			out = append(out, statement{table: table, sql: st.sql, args: args})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// chunks cuts rows into statements of the largest of sizes (descending,
// ending in 1) that the rows left fill, and calls fn with each one's row
// count and values in order.
func chunks(rows [][]any, sizes []int, fn func(n int, args []any) error) error {
	for len(rows) > 0 {
		n := 1
		for _, c := range sizes {
			if c <= len(rows) {
				n = c
				break
			}
		}
		args := rows[0]
		if n > 1 {
			args = make([]any, 0, n*len(rows[0]))
			for _, r := range rows[:n] {
				args = append(args, r...)
			}
		}
		if err := fn(n, args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// commitPipeline sends the statements to PostgreSQL as one batch: pgx
// pipelines them and PostgreSQL runs them in one implicit transaction,
// committed (durably, with the default synchronous_commit) before the
// answer, or not at all.
func (db *DB) commitPipeline(ctx context.Context, stmts []statement) error {
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return fmt.Errorf("commit batch: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T, not pgx", dc)
		}
		var batch pgx.Batch
		for _, st := range stmts {
			batch.Queue(st.sql, st.args...)
		}
		return pc.Conn().SendBatch(ctx, &batch).Close()
	})
	if err != nil {
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
