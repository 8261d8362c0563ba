package store

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/greenmall/greenmall/internal/platform"
)

// A store made by the first schema, with journal entries, ledger lines and
// prices in it, migrates to the latest schema with every row intact, and then
// takes commits, on SQLite and on PostgreSQL.
func TestMigrationKeepsRows(t *testing.T) {
	ctx := context.Background()
	kinds := map[string]func(t *testing.T) (dsn string, raw *sql.DB, dialect goose.Dialect){
		"sqlite": func(t *testing.T) (string, *sql.DB, goose.Dialect) {
			path := filepath.Join(t.TempDir(), "gm.db")
			raw, err := sql.Open("sqlite", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			return path, raw, goose.DialectSQLite3
		},
	}
	if dsn := os.Getenv("GREENMALL_TEST_PG"); dsn != "" {
		kinds["postgres"] = func(t *testing.T) (string, *sql.DB, goose.Dialect) {
			schemaDSN := TestPGSchema(t, dsn)
			raw, err := sql.Open("pgx", schemaDSN)
			if err != nil {
				t.Fatal(err)
			}
			return schemaDSN, raw, goose.DialectPostgres
		}
	}
	for name, open := range kinds {
		t.Run(name, func(t *testing.T) {
			dsn, raw, dialect := open(t)
			sub, _ := fs.Sub(migrations, "migrations")
			prov, err := goose.NewProvider(dialect, raw, sub)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := prov.UpTo(ctx, 1); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{
				`INSERT INTO journal VALUES (1, 10, 'member.register', 'sys', '{}', NULL, '{"id":"m1"}')`,
				`INSERT INTO journal VALUES (2, 20, 'product.put', 'op:op1', '{}', 'op:op1|k', '{"id":"p1"}')`,
				`INSERT INTO ledger_lines VALUES (2, 0, 20, 'm1:available', 'm1', -5, 'payment', 'o1')`,
				`INSERT INTO ledger_lines VALUES (2, 1, 20, 'platform:escrow', '', 5, 'payment', 'o1')`,
				`INSERT INTO price_history VALUES (2, 20, 100, 7)`,
			} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			raw.Close()

			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var seqs []int64
			var idems []string
			if err := db.LoadJournal(ctx, func(e Entry) error { seqs, idems = append(seqs, e.Seq), append(idems, e.Idem); return nil }); err != nil || len(seqs) != 2 || idems[1] != "op:op1|k" {
				t.Fatalf("journal after migration: %v %q, %v", seqs, idems, err)
			}
			lines, err := db.ReadTable(ctx, platform.LinesTable)
			if err != nil || len(lines) != 2 || lines[1][3] != "platform:escrow" {
				t.Fatalf("ledger lines after migration: %v, %v", lines, err)
			}
			prices, err := db.ReadTable(ctx, platform.PricesTable)
			if err != nil || len(prices) != 1 || prices[0][3] != int64(7) {
				t.Fatalf("prices after migration: %v, %v", prices, err)
			}
			audit, total, err := db.Audit(ctx, "", 1, 10)
			if err != nil || total != 1 || audit[0].Seq != 2 {
				t.Fatalf("audit after migration: %v %d %v", audit, total, err)
			}
			err = db.Commit(ctx, &Batch{Entries: []Entry{{Seq: 3, Env: platform.Envelope{At: 30, Type: "x", Actor: "sys", Data: []byte("{}")}, Result: "null"}},
				Rows: []Row{{Table: platform.LinesTable, Vals: []any{int64(3), int64(0), int64(30), "a", "m1", int64(1), "r", ""}}}})
			if err != nil {
				t.Fatal(err)
			}
			// The journal stays append-only: a second entry 3 is refused.
			if err := db.Commit(ctx, &Batch{Entries: []Entry{{Seq: 3, Env: platform.Envelope{At: 30, Type: "x", Actor: "sys", Data: []byte("{}")}, Result: "null"}}}); err == nil {
				t.Fatal("a repeated journal seq was accepted")
			}
		})
	}
}
