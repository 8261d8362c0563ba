package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// testDBs returns the stores to run against: SQLite always, PostgreSQL when
// GREENMALL_TEST_PG names a database (a fresh schema per test).
func testDBs(t testing.TB) map[string]func(t testing.TB) *store.DB {
	dbs := map[string]func(t testing.TB) *store.DB{
		"sqlite": func(t testing.TB) *store.DB {
			db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "gm.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
	}
	if dsn := os.Getenv("GREENMALL_TEST_PG"); dsn != "" {
		dbs["postgres"] = func(t testing.TB) *store.DB { return store.OpenTestPG(t, dsn) }
	}
	return dbs
}

// restartSame closes s, opens a sequencer on db again and fails unless it
// recovers the same state; it returns the new sequencer, closed at the end
// of the test.
func restartSame(t *testing.T, s *Sequencer, db *store.DB, cfg Config) *Sequencer {
	t.Helper()
	var before []string
	s.Read(func(p *platform.Platform) { before = snapshot(p) })
	seq := s.Seq()
	s.Close()
	s2, err := Open(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s2.Close)
	var after []string
	s2.Read(func(p *platform.Platform) { after = snapshot(p) })
	if s2.Seq() != seq || strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Fatalf("restart changed the state (seq %d → %d)", seq, s2.Seq())
	}
	return s2
}

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func submit(t *testing.T, s *Sequencer, actor string, c platform.Cmd) map[string]any {
	t.Helper()
	res, err := s.Submit(context.Background(), actor, "", c)
	if err != nil {
		t.Fatalf("%s: %v", c.Kind(), err)
	}
	var m map[string]any
	if string(res) != "null" {
		if err := json.Unmarshal(res, &m); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// A small journey through the sequencer; then a restart recovers the same
// state, and verify finds the tables matching the journal.
func TestJourneyRestartVerify(t *testing.T) {
	for name, open := range testDBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			p0 := plan.Default()
			p0.Platform.ReturnWindowDays = 0
			clock := &fixedClock{t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
			s, err := Open(ctx, db, Config{Plan: p0, Clock: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			op := "op:op1"
			submit(t, s, "sys", platform.OperatorCreate{Login: "admin", Role: platform.RoleSuper, PasswordHash: "x"})
			gift := submit(t, s, op, platform.ProductPut{Name: "礼包", PriceFen: 100000, Stock: 100, Profile: "gift", Gift: true, Active: true})["id"].(string)
			root := submit(t, s, "sys", platform.Register{Phone: "13800000000", PasswordHash: "h", Code: "ROOT01"})["id"].(string)
			sp := submit(t, s, op, platform.ServicePointCreate{Name: "一号店", Owner: root, Region: "110101"})["id"].(string)
			submit(t, s, op, platform.StockAllot{ServicePoint: sp, Product: gift, Qty: 50})
			// The root buys by gateway and picks up; four invitees buy.
			buy := func(m string, code string) string {
				o := submit(t, s, "m:"+m, platform.OrderCreate{Member: m, Items: []platform.Item{{Product: gift, Qty: 1}}, Pickup: sp, PickupCode: code})["id"].(string)
				submit(t, s, "gateway", platform.OrderPay{Order: o, Method: "gateway", GatewayTxn: "tx-" + o, AmountFen: 100000})
				submit(t, s, "m:"+root, platform.OrderPickup{Order: o, Code: code, Staff: root})
				return o
			}
			buy(root, "111111")
			var kids []string
			for i := 0; i < 4; i++ {
				m := submit(t, s, "sys", platform.Register{Phone: fmt.Sprintf("1390000000%d", i), PasswordHash: "h", Code: fmt.Sprintf("K%05d", i), InvitedBy: "ROOT01"})["id"].(string)
				kids = append(kids, m)
				buy(m, fmt.Sprintf("22222%d", i))
			}
			// An idempotent repeat and a rejection.
			r1, err := s.Submit(ctx, "m:"+root, "k1", platform.Sell{Member: root, Upt: 1_000_000})
			if err != nil {
				t.Fatal(err)
			}
			r2, err := s.Submit(ctx, "m:"+root, "k1", platform.Sell{Member: root, Upt: 1_000_000})
			if err != nil || string(r1) != string(r2) {
				t.Fatalf("idempotent repeat: %s, %v; first %s", r2, err, r1)
			}
			var pe *platform.Error
			if _, err := s.Submit(ctx, "m:"+kids[0], "", platform.WithdrawRequest{Member: kids[0], AmountFen: 1 << 40, Account: "x"}); !errors.As(err, &pe) {
				t.Fatalf("overdraw: err %v, want a platform error", err)
			}
			submit(t, s, "m:"+root, platform.WithdrawRequest{Member: root, AmountFen: 5000, Account: "支付宝 138"})
			submit(t, s, op, platform.WithdrawReview{ID: "w1", Approve: true})
			submit(t, s, op, platform.WithdrawPaid{ID: "w1", TransferRef: "T1"})
			submit(t, s, op, platform.PeriodClose{Period: "2026-11-01"})

			// The writer hands row values to the SQLite driver unconverted
			// (store.WriteTx.execN): every one must be an int64 or a string.
			s.Read(func(p *platform.Platform) {
				p.EachRow(func(tb platform.Table, row []any) {
					for i, v := range row {
						switch v.(type) {
						case int64, string:
						default:
							t.Errorf("%s.%s: a %T", tb.Name, tb.Cols[i], v)
						}
					}
				})
			})

			seq := s.Seq()
			s2 := restartSame(t, s, db, Config{Plan: p0, Clock: clock.now})
			// The idempotency key survives the restart.
			r3, err := s2.Submit(ctx, "m:"+root, "k1", platform.Sell{Member: root, Upt: 1_000_000})
			if err != nil || string(r3) != string(r1) || s2.Seq() != seq {
				t.Fatalf("repeat after restart: %s %v, seq %d", r3, err, s2.Seq())
			}
			rep, err := Verify(ctx, db, p0, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Differences) > 0 || rep.Lines == 0 {
				t.Fatalf("verify: %d lines, differences:\n%s", rep.Lines, strings.Join(rep.Differences, "\n"))
			}
			// A tampered table is caught.
			if _, err := db.SQL.ExecContext(ctx, "UPDATE members SET available = available + 1 WHERE id = $1", root); err != nil {
				t.Fatal(err)
			}
			rep, err = Verify(ctx, db, p0, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Differences) == 0 {
				t.Fatal("verify missed a tampered balance")
			}
			// So is a journal that used an idempotency key twice, which no
			// index refuses any more (migration 4): the sequencer does.
			if _, err := db.SQL.ExecContext(ctx, "UPDATE journal SET idem = $1 WHERE seq = $2", "m:"+root+"|k1", seq); err != nil {
				t.Fatal(err)
			}
			rep, err = Verify(ctx, db, p0, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(rep.Differences, func(d string) bool { return strings.Contains(d, "idempotency key") }) {
				t.Fatalf("verify missed a repeated idempotency key: %q", rep.Differences)
			}
		})
	}
}

// snapshot renders every read-model row of p.
func snapshot(p *platform.Platform) []string {
	var out []string
	p.EachRow(func(t platform.Table, row []any) { out = append(out, fmt.Sprint(t.Name, row)) })
	return out
}
