package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// writePath is migration 2: storage shapes for a faster group commit,
// measured with BenchmarkSequencerLifecycle (docs/server.md). It is Go, not
// SQL, because the two dialects need different statements:
//   - SQLite: the journal and price history keyed by INTEGER PRIMARY KEY
//     (the rowid itself, one B-tree instead of two; BIGINT does not alias
//     the rowid), ledger lines WITHOUT ROWID (clustered on their key);
//   - both: the journal's actor index only over operators' entries, the one
//     query that uses it (the audit log), and no index on members' phones,
//     which no query uses (logins look phones up in memory).
func writePath(postgres bool) *goose.Migration {
	sqlite := []string{
		`CREATE TABLE journal_v2 (
			seq INTEGER PRIMARY KEY, at BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL,
			data TEXT NOT NULL, idem TEXT UNIQUE, result TEXT NOT NULL)`,
		`INSERT INTO journal_v2 SELECT seq, at, type, actor, data, idem, result FROM journal`,
		`DROP TABLE journal`,
		`ALTER TABLE journal_v2 RENAME TO journal`,
		`CREATE INDEX journal_actor ON journal (actor, seq) WHERE actor LIKE 'op:%'`,
		`CREATE TABLE ledger_lines_v2 (
			seq BIGINT NOT NULL, n BIGINT NOT NULL, at BIGINT NOT NULL, account TEXT NOT NULL, member TEXT NOT NULL,
			amount BIGINT NOT NULL, reason TEXT NOT NULL, ref TEXT NOT NULL,
			PRIMARY KEY (seq, n)) WITHOUT ROWID`,
		`INSERT INTO ledger_lines_v2 SELECT seq, n, at, account, member, amount, reason, ref FROM ledger_lines`,
		`DROP TABLE ledger_lines`,
		`ALTER TABLE ledger_lines_v2 RENAME TO ledger_lines`,
		`CREATE INDEX ledger_lines_member ON ledger_lines (member, seq)`,
		`CREATE TABLE price_history_v2 (
			seq INTEGER PRIMARY KEY, at BIGINT NOT NULL, pool_fen BIGINT NOT NULL, supply_upt BIGINT NOT NULL)`,
		`INSERT INTO price_history_v2 SELECT seq, at, pool_fen, supply_upt FROM price_history`,
		`DROP TABLE price_history`,
		`ALTER TABLE price_history_v2 RENAME TO price_history`,
		`DROP INDEX members_phone`,
	}
	pg := []string{
		`DROP INDEX journal_actor`,
		`CREATE INDEX journal_actor ON journal (actor, seq) WHERE actor LIKE 'op:%'`,
		`DROP INDEX members_phone`,
	}
	return dialectMigration(2, postgres, sqlite, pg)
}

// journalIdem is migration 4: the journal's idempotency keys lose their
// UNIQUE index. The sequencer answers a repeated key from memory (rebuilt
// from the journal at start) before anything is written, so the index only
// repeated that check, at the price of one random B-tree page per keyed
// command in every commit (BenchmarkWriteTx: about 12 % of the writer's
// time). `greenmall verify` checks that no key appears twice.
func journalIdem(postgres bool) *goose.Migration {
	sqlite := []string{
		`CREATE TABLE journal_v4 (
			seq INTEGER PRIMARY KEY, at BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL,
			data TEXT NOT NULL, idem TEXT, result TEXT NOT NULL)`,
		`INSERT INTO journal_v4 SELECT seq, at, type, actor, data, idem, result FROM journal`,
		`DROP TABLE journal`,
		`ALTER TABLE journal_v4 RENAME TO journal`,
		`CREATE INDEX journal_actor ON journal (actor, seq) WHERE actor LIKE 'op:%'`,
	}
	pg := []string{`ALTER TABLE journal DROP CONSTRAINT journal_idem_key`}
	return dialectMigration(4, postgres, sqlite, pg)
}

// dialectMigration is migration version: the statements of the store's
// dialect, run in one transaction.
func dialectMigration(version int64, postgres bool, sqlite, pg []string) *goose.Migration {
	stmts := sqlite
	if postgres {
		stmts = pg
	}
	return goose.NewGoMigration(version, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("migration %d: %w", version, err)
			}
		}
		return nil
	}}, nil)
}
