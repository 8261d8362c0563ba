package sim

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden summaries in testdata")

func loadScenario(t testing.TB, path string) *Scenario {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func loadPlan(t testing.TB, path string) *plan.Plan {
	t.Helper()
	if path == "" {
		return plan.Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGoldenSummaries runs fixed seeds and compares summary.json with
// testdata/*.golden.json (go test -update rewrites them).
func TestGoldenSummaries(t *testing.T) {
	for _, tc := range []struct{ name, scenario, plan string }{
		{"small-default", "testdata/small.yaml", ""},
		{"small-halfchain", "testdata/small.yaml", "testdata/halfchain.plan.yaml"},
		{"small-seed8", "testdata/small.yaml", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := loadScenario(t, tc.scenario)
			if strings.HasSuffix(tc.name, "seed8") {
				sc.Seed = 8
			}
			run, err := Simulate(loadPlan(t, tc.plan), tc.name, sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := run.SummaryJSON()
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("summary differs from %s (go test -update to accept):\n%s", golden, got)
			}
		})
	}
}

// TestLedgerProperties checks, after every command of runs under several
// seeds and plans, that the transaction balances per unit and that no
// member account is negative; and at the end that the supply equals the
// holdings and every unit sums to zero.
func TestLedgerProperties(t *testing.T) {
	plans := map[string]*plan.Plan{"default": plan.Default(), "halfchain": loadPlan(t, "testdata/halfchain.plan.yaml")}
	for name, p := range plans {
		for seed := uint64(1); seed <= 3; seed++ {
			sc := loadScenario(t, "testdata/small.yaml")
			sc.Seed, sc.Population.Total, sc.Days = seed, 600, 90
			var txs int
			run, err := Simulate(p, name, sc, Options{Observe: func(e *engine.Engine, tx *ledger.Tx) {
				txs++
				if err := tx.Check(); err != nil {
					t.Fatalf("%s seed %d tx %d: %v", name, seed, tx.Seq, err)
				}
				for _, q := range tx.Postings {
					if q.Account.Member >= 0 && e.Balance(q.Account) < 0 {
						t.Fatalf("%s seed %d tx %d: %s is %d", name, seed, tx.Seq, e.AccountName(q.Account), e.Balance(q.Account))
					}
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			c := run.Summary.Checks
			if c.UnbalancedTx != 0 || !c.MoneySumsToZero || !c.PointsSumToZero || !c.SupplyEqualsHoldings || !c.NoNegativeMember {
				t.Errorf("%s seed %d: checks %+v", name, seed, c)
			}
			if txs == 0 || run.Summary.Orders == 0 {
				t.Errorf("%s seed %d: nothing happened", name, seed)
			}
			// The simulator's own totals agree with the ledger.
			var held, rewards int64
			for i := range run.Members {
				held += run.Members[i].PointsUpt
				rewards += run.Members[i].RewardsFen()
			}
			if held != run.Summary.SupplyUpt {
				t.Errorf("%s seed %d: members hold %d µpt, supply %d", name, seed, held, run.Summary.SupplyUpt)
			}
			if rewards != run.Summary.RewardsFen {
				t.Errorf("%s seed %d: member rewards %d, payouts %d", name, seed, rewards, run.Summary.RewardsFen)
			}
			var spent int64
			for _, v := range run.Summary.Spending {
				spent += v
			}
			if spent != run.Summary.GMVFen {
				t.Errorf("%s seed %d: spending buckets add to %d, GMV %d", name, seed, spent, run.Summary.GMVFen)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	sc := loadScenario(t, "testdata/small.yaml")
	sc.Population.Total, sc.Days = 400, 60
	var outs [2][3]bytes.Buffer
	for i := range outs {
		run, err := Simulate(plan.Default(), "default", sc, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := run.SummaryJSON()
		outs[i][0].Write(b)
		if err := run.WriteTimeseries(&outs[i][1]); err != nil {
			t.Fatal(err)
		}
		if err := run.WriteMembers(&outs[i][2]); err != nil {
			t.Fatal(err)
		}
	}
	for k, name := range []string{"summary", "timeseries", "members"} {
		if !bytes.Equal(outs[0][k].Bytes(), outs[1][k].Bytes()) {
			t.Errorf("%s differs between two runs of the same seed", name)
		}
	}
	if n := strings.Count(outs[0][1].String(), "\n"); n != sc.Days+2 {
		t.Errorf("timeseries has %d lines, want %d", n, sc.Days+2)
	}
}

func TestParseScenario(t *testing.T) {
	for _, tc := range []struct{ name, doc, err string }{
		{"empty is the default", "", ""},
		{"comment only", "# nothing\n", ""},
		{"unknown key", "sead: 1\n", "field sead not found"},
		{"bad share", "purchase: {gift_share: 1.5}\n", "purchase.gift_share"},
		{"bad curve", "population: {curve: cubic}\n", "population.curve"},
		{"bad attachment", "referral: {attachment: random}\n", "referral.attachment"},
		{"bad region", "regions: {codes: [{code: \"11\", weight: 1}]}\n", "6-digit"},
		{"no founders", "population: {founders: 0}\n", "founders"},
		{"no days", "days: 0\n", "days"},
		{"bad amount", "purchase: {retail_amounts_fen: [0]}\n", "retail_amounts_fen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseScenario([]byte(tc.doc))
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("error %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestExampleScenario(t *testing.T) {
	sc := loadScenario(t, "../../examples/scenario.yaml")
	if sc.Population.Total < 1000 {
		t.Errorf("the example scenario has only %d members", sc.Population.Total)
	}
}

func TestJoinsPerDay(t *testing.T) {
	for _, curve := range []string{"logistic", "linear", "exponential"} {
		sc := DefaultScenario()
		sc.Population.Curve, sc.Population.Slump = curve, Slump{}
		var sum int64
		for _, j := range sc.joinsPerDay() {
			if j < 0 {
				t.Fatalf("%s: negative joins", curve)
			}
			sum += j
		}
		if sum != int64(sc.Population.Total) {
			t.Errorf("%s: %d joins, want %d", curve, sum, sc.Population.Total)
		}
		sc.Population.StopDay = 100
		for d, j := range sc.joinsPerDay() {
			if d >= 100 && j != 0 {
				t.Fatalf("%s: %d joins on day %d after the stop", curve, j, d)
			}
		}
	}
}

func TestFenwick(t *testing.T) {
	f := newFenwick(10)
	naive := make([]int64, 10)
	for i := 0; i < 50; i++ {
		k := (i * 7) % 10
		f.add(k, int64(i))
		naive[k] += int64(i)
	}
	var s int64
	for i := range naive {
		s += naive[i]
		if got := f.prefix(i); got != s {
			t.Fatalf("prefix(%d) = %d, want %d", i, got, s)
		}
	}
}
