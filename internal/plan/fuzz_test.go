package plan

import (
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts is
// a valid plan that Default-based completion did not alias.
func FuzzParse(f *testing.F) {
	f.Add(defaultYAML, "default-plan.yaml")
	f.Add([]byte(""), "plan.yaml")
	f.Add([]byte("{}"), "plan.json")
	f.Add([]byte(`{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "a", "count": 1}}}],
		"regions": {"tiers": [{"tier": "street", "rate_bp": 10}], "bigregions": {"x": ["11"]}},
		"profiles": {"g": {"grants_level": "a", "chain": {"budget_bp": 3300}, "level": {"peer_bp": 1}}}}`), "plan.json")
	f.Add([]byte("chain: {dead_line_policy: spillover, boss_threshold: +3}\npoints:\n  exit_multiple_bp: 0\n"), "p.yaml")
	f.Add([]byte("levels:\n  - code: '1'\n    conditions:\n  - {code: 1.5, conditions: {direct_at_level: {level: '1', count: 0}}}\n"), "p.yaml")
	f.Add([]byte("points: &a {start_price_fen: 1}\nchain: *a\n---\n"), "p.yaml")
	f.Add([]byte("profiles: {\"\": {}, ~: {}, 1: {}}\n"), "p.yaml")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		p, err := Parse(data, name)
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned a plan with error %v", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted a plan that fails Validate: %v", err)
		}
		if p.Profiles == nil {
			t.Fatal("Parse returned nil Profiles")
		}
		// The plan must not share memory with the default it was completed from.
		p.Points.StartPriceFen = -1
		for _, l := range p.Levels {
			if l.Conditions != nil {
				l.Conditions.DirectActive = -1
			}
		}
		for _, pr := range p.Profiles {
			pr.CostBP = -1
		}
		if err := Default().Validate(); err != nil {
			t.Fatalf("changing a parsed plan changed the default: %v", err)
		}
	})
}
