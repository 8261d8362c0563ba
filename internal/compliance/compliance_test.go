package compliance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
)

func parse(t *testing.T, doc string) *plan.Plan {
	t.Helper()
	p, err := plan.Parse([]byte(doc), "test.yaml")
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

func findings(fs []Finding) map[string]Severity {
	m := map[string]Severity{}
	for _, f := range fs {
		m[f.ID] = f.Severity
	}
	return m
}

// noChain is a plan with no chain, no levels, no points and only an
// ordinary retail profile: nothing the criteria name.
const clean = `
invite_requires_active: false
levels: []
profiles:
  retail:
    cost_bp: 7000
`

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   string
		want   map[string]Severity // findings that must be there, with their severity
		absent []string            // findings that must not
	}{
		{"default plan", "", map[string]Severity{
			"entry_fee": High, "headcount_direct": High, "headcount_boss": High, "headcount_levels": High,
			"team_seepoint": High, "team_level_diff": High, "return_exit_multiple": High, "return_rising_price": High,
			"team_chain_peer": Medium, "team_unlock": Medium, "team_sales_levels": Medium, "team_dividend": Medium,
			"team_distribution": Low,
		}, []string{"team_level_peer"}},
		{"clean retail plan", clean, map[string]Severity{}, []string{"entry_fee", "headcount_direct", "headcount_boss",
			"headcount_levels", "team_seepoint", "team_level_diff", "return_exit_multiple", "return_rising_price", "team_distribution"}},
		{"no gift requirement: nothing activates", `
invite_requires_active: false
profiles:
  gift: {activates_agent: false, cost_bp: 2000, points_bp: 3000, chain: {budget_bp: 3300}}
`, map[string]Severity{"team_seepoint": High}, []string{"entry_fee", "headcount_direct"}},
		{"gift without chain rewards: medium entry fee", `
invite_requires_active: true
chain: {direct_bp: 0, seepoint_bp: 0}
profiles:
  gift: {activates_agent: true, cost_bp: 9000}
`, map[string]Severity{"entry_fee": Medium}, []string{"headcount_direct", "headcount_boss", "team_seepoint"}},
		{"boss threshold 1: see-point one level deep", `
chain: {boss_threshold: 1}
`, map[string]Severity{"team_seepoint": Low, "headcount_boss": High}, nil},
		{"spillover: see-point unlimited", `
chain: {dead_line_policy: spillover}
`, map[string]Severity{"team_seepoint": High}, nil},
		{"level peer paid", `
profiles:
  gift: {activates_agent: true, cost_bp: 2000, points_bp: 3000, chain: {budget_bp: 3300}, level: {budget_bp: 300, peer_bp: 100}}
`, map[string]Severity{"team_level_peer": High}, nil},
		{"levels without money: low headcount levels", `
profiles:
  retail: {cost_bp: 6000, level: {budget_bp: 0}}
`, map[string]Severity{"headcount_levels": Low}, []string{"team_level_diff", "team_sales_levels"}},
		{"no forced exit", `
points: {exit_multiple_bp: 0}
`, map[string]Severity{"return_rising_price": High}, []string{"return_exit_multiple"}},
		{"no sell fee, full gift ratio: price can fall", `
points: {sell_fee_bp: 0, gift_ratio_bp: 10000, exit_multiple_bp: 0}
`, map[string]Severity{}, []string{"return_rising_price", "return_exit_multiple"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := findings(Check(parse(t, tc.plan)))
			for id, sev := range tc.want {
				if got[id] != sev {
					t.Errorf("%s: severity %q, want %q", id, got[id], sev)
				}
			}
			for _, id := range tc.absent {
				if _, ok := got[id]; ok {
					t.Errorf("%s found, want none", id)
				}
			}
		})
	}
}

func TestFindingsCarryRuleAndSettings(t *testing.T) {
	fs := Check(plan.Default())
	for i, f := range fs {
		if f.Rule == "" || len(f.Settings) == 0 || f.Explanation == "" || f.Criterion == "" {
			t.Errorf("%s lacks a rule, settings, criterion or explanation", f.ID)
		}
		if i > 0 && severityRank[fs[i-1].Severity] > severityRank[f.Severity] {
			t.Errorf("findings are not sorted by severity at %s", f.ID)
		}
	}
}

func TestRun(t *testing.T) {
	t.Run("default plan with simulation", func(t *testing.T) {
		sc := CheckScenario()
		sc.Population.Total, sc.Days = 2000, 120
		sc.Population.MidpointDay, sc.Population.Slump.FromDay = 50, 80
		r, err := Run(nil, "default.yaml", Options{Scenario: sc})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Valid || !r.HasHigh() || r.Dependence == nil {
			t.Fatalf("valid %v, high %v, dependence %v", r.Valid, r.HasHigh(), r.Dependence)
		}
		d := r.Dependence
		if d.LostBP <= 0 || d.PointsFromLaterBP <= 0 || d.RewardsFromLaterBP <= 0 {
			t.Errorf("dependence %+v", d)
		}
		if findings(r.Findings)["return_new_money"] == "" {
			t.Error("no return_new_money finding")
		}
		var text, js bytes.Buffer
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"not legal advice", "不构成法律意见", "VALIDATION: the plan is valid", "[HIGH]", "《禁止传销条例》", "chain.boss_threshold = 3"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("text output lacks %q", want)
			}
		}
		var back Review
		if err := json.Unmarshal(js.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(back.Disclaimer, "not legal advice") || len(back.Findings) != len(r.Findings) || back.Counts != r.Counts {
			t.Errorf("JSON round trip: %+v", back.Counts)
		}
	})
	t.Run("invalid plan", func(t *testing.T) {
		r, err := Run([]byte("chain: {dead_line_policy: sideways}\n"), "bad.yaml", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Valid || !strings.Contains(r.Error, "dead_line_policy") || len(r.Findings) != 0 {
			t.Errorf("%+v", r)
		}
		var text bytes.Buffer
		_ = r.WriteText(&text)
		if !strings.Contains(text.String(), "invalid") || !strings.Contains(text.String(), "not legal advice") {
			t.Errorf("text: %s", text.String())
		}
	})
	t.Run("plan without gift or retail profile names", func(t *testing.T) {
		sc := CheckScenario()
		sc.Population.Total, sc.Days = 300, 40
		r, err := Run([]byte("profiles:\n  pack: {activates_agent: true, cost_bp: 3000, points_bp: 3000, chain: {budget_bp: 3000}}\n  shop: {cost_bp: 6000}\n"), "p.yaml", Options{Scenario: sc})
		if err != nil {
			t.Fatal(err)
		}
		if r.Dependence == nil || r.Dependence.Members < 100 {
			t.Fatalf("dependence %+v, notes %v", r.Dependence, r.Notes)
		}
	})
	t.Run("no sim", func(t *testing.T) {
		r, err := Run([]byte(clean), "clean.yaml", Options{NoSim: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.Dependence != nil || r.HasHigh() {
			t.Errorf("%+v", r)
		}
	})
}
