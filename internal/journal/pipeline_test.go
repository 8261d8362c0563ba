package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// A group commit that fails (here: a trigger in the real database refuses
// one journal row) refuses its batch and every batch applied after it; the
// sequencer reloads from the journal and goes on. Whatever was acknowledged
// is in the journal and in memory, whatever was refused is in neither, and
// a restart sees exactly what was acknowledged.
func TestCommitFailureRefusesAndReloads(t *testing.T) {
	for name, open := range testDBs(t) {
		t.Run(name, func(t *testing.T) { testCommitFailure(t, open(t)) })
	}
}

func testCommitFailure(t *testing.T, db *store.DB) {
	ctx := context.Background()
	trigger := []string{`CREATE TRIGGER boom BEFORE INSERT ON journal
		WHEN NEW.data LIKE '%BOOM%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`}
	if db.Postgres {
		trigger = []string{`CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN
			IF NEW.data LIKE '%BOOM%' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER boom BEFORE INSERT ON journal FOR EACH ROW EXECUTE FUNCTION boom()`}
	}
	for _, q := range trigger {
		if _, err := db.SQL.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	p0 := plan.Default()
	p0.InviteRequiresActive = false
	s, err := Open(ctx, db, Config{Plan: p0})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	ids := make([]string, n)
	for i := range ids {
		c := platform.Register{Phone: fmt.Sprintf("1390000%04d", i), PasswordHash: "h", Code: fmt.Sprintf("K%05d", i)}
		if i > 0 {
			c.InvitedBy = "K00000"
		}
		ids[i] = submit(t, s, "sys", c)["id"].(string)
	}
	for round := 0; round < 3; round++ {
		// Every member is renamed at once; one new name is refused by the
		// database, so its commit and the batches behind it fail.
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("r%d-%d", round, i)
				if i == n/2 {
					name = "BOOM"
				}
				_, errs[i] = s.Submit(ctx, "m:"+ids[i], "", platform.MemberUpdate{Member: ids[i], Name: name})
			}()
		}
		wg.Wait()
		if errs[n/2] == nil || !strings.Contains(errs[n/2].Error(), "not saved, retry") {
			t.Fatalf("round %d: the refused row answered %v", round, errs[n/2])
		}
		s.Read(func(p *platform.Platform) {
			for i, id := range ids {
				m, _ := p.MemberByID(id)
				renamed := m.Name == fmt.Sprintf("r%d-%d", round, i)
				if renamed != (errs[i] == nil) {
					t.Errorf("round %d: %s is %q after answer %v", round, id, m.Name, errs[i])
				}
			}
		})
	}
	// The sequencer still works, and a restart sees the same state.
	submit(t, s, "m:"+ids[0], platform.MemberUpdate{Member: ids[0], Name: "after"})
	restartSame(t, s, db, Config{Plan: p0})
	rep, err := Verify(ctx, db, p0, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) > 0 {
		t.Fatalf("verify differences:\n%s", strings.Join(rep.Differences, "\n"))
	}
}

// Answers go out in journal order: a reader that sees a command's effect
// never answers before that command is durable, so once any Read shows a
// rename, the journal holds it.
func TestReadSeesOnlyDurableState(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "gm.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := Open(ctx, db, Config{Plan: plan.Default()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := submit(t, s, "sys", platform.Register{Phone: "13900000000", PasswordHash: "h", Code: "K00000"})["id"].(string)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 300; i++ {
			if _, err := s.Submit(ctx, "m:"+id, "", platform.MemberUpdate{Member: id, Name: fmt.Sprintf("n%d", i)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var checks int
	for {
		select {
		case <-done:
			if checks == 0 {
				t.Fatal("no reads ran")
			}
			return
		default:
		}
		var name string
		s.Read(func(p *platform.Platform) { m, _ := p.MemberByID(id); name = m.Name })
		checks++
		if name == "" {
			continue
		}
		var inJournal bool
		err := db.SQL.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM journal WHERE type = 'member.update' AND data LIKE ?)`,
			`%"name":"`+name+`"%`).Scan(&inJournal)
		if err != nil {
			t.Fatal(err)
		}
		if !inJournal {
			t.Fatalf("a Read answered with name %q, which the journal does not hold", name)
		}
	}
}
