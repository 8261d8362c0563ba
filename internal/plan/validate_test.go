package plan

import (
	"strings"
	"testing"
)

// Validate on plans built in Go code, as engine tests build them.
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Plan)
		want   string // "" = valid
	}{
		{"default", func(p *Plan) {}, ""},
		{"diff_bp need not rise", func(p *Plan) { p.Levels[2].DiffBP = 50 }, ""},
		{"direct_at_level may name a higher level", func(p *Plan) {
			p.Levels[0].Conditions.DirectAtLevel = &DirectAtLevel{Level: "director"}
		}, ""},
		{"direct_at_level may name its own level", func(p *Plan) {
			p.Levels[0].Conditions.DirectAtLevel = &DirectAtLevel{Level: "partner", Count: 1}
		}, ""},
		{"grants_level a level", func(p *Plan) { p.Profiles["gift"].GrantsLevel = "director" }, ""},
		{"nine levels", func(p *Plan) {
			p.Levels = nil
			for _, c := range "abcdefghi" {
				p.Levels = append(p.Levels, Level{Code: string(c)})
			}
		}, ""},
		{"street tier", func(p *Plan) { p.Regions.Tiers = append([]Tier{{Tier: "street", RateBP: 10}}, p.Regions.Tiers...) }, ""},
		{"no big regions", func(p *Plan) { p.Regions.BigRegions = nil }, ""},
		{"no profiles", func(p *Plan) { p.Profiles, p.ProfileNames = nil, nil }, ""},

		{"start price", func(p *Plan) { p.Points.StartPriceFen = 0 }, "plan: points.start_price_fen: must be >= 1, got 0"},
		{"boss threshold", func(p *Plan) { p.Chain.BossThreshold = -1 }, "plan: chain.boss_threshold: must be >= 1, got -1"},
		{"spillover K", func(p *Plan) { p.Chain.DeadLinePolicy, p.Chain.BossThreshold = "spillover", 4 },
			"plan: chain.dead_line_policy: spillover requires chain.boss_threshold 3, got 4"},
		{"ten levels", func(p *Plan) {
			for range 7 {
				p.Levels = append(p.Levels, Level{Code: "x"})
			}
		}, "plan: levels: at most 9 levels, got 10"},
		{"repeated code", func(p *Plan) { p.Levels[2].Code = "partner" }, `plan: levels[2].code: "partner" repeated (also levels[0])`},
		{"dividend sum", func(p *Plan) { p.Levels[0].DividendShareBP = 4001 }, "plan: levels: dividend_share_bp values add up to 10001"},
		{"condition", func(p *Plan) { p.Levels[1].Conditions.DirectAtLevel.Count = -2 },
			"plan: levels[1].conditions.direct_at_level.count: must be >= 0, got -2"},
		{"unknown direct_at_level", func(p *Plan) { p.Levels[1].Conditions.DirectAtLevel.Level = "boss" },
			`plan: levels[1].conditions.direct_at_level.level: "boss" is not a level code of the plan`},
		{"tier order", func(p *Plan) { p.Regions.Tiers[0], p.Regions.Tiers[1] = p.Regions.Tiers[1], p.Regions.Tiers[0] },
			`plan: regions.tiers[1].tier: "district" listed after "city"`},
		{"province", func(p *Plan) { p.Regions.BigRegions["华北"] = append(p.Regions.BigRegions["华北"], "7") },
			`plan: regions.bigregions.华北[5]: a province code is 2 digits, got "7"`},
		{"province twice", func(p *Plan) { p.Regions.BigRegions["华北"] = append(p.Regions.BigRegions["华北"], "65") },
			`plan: regions.bigregions.西北[4]: province "65" is also in big region "华北"`},
		{"buckets", func(p *Plan) { p.Profiles["retail"].PointsBP = 1701 }, "plan: profiles.retail: buckets add up to 10001 bp, more than 10000"},
		{"bucket range", func(p *Plan) { p.Profiles["retail"].LevelPeerBP = -1 }, "plan: profiles.retail.level.peer_bp: must be in 0..10000, got -1"},
		{"grants_level", func(p *Plan) { p.Profiles["retail"].GrantsLevel = "vip" }, `plan: profiles.retail.grants_level: "vip" is not a level code of the plan`},
		{"nil profile", func(p *Plan) { p.Profiles["gift"] = nil }, "plan: profiles.gift: nil profile"},
		{"profile names unsorted", func(p *Plan) { p.ProfileNames = []string{"retail", "gift"} }, "plan: ProfileNames"},
		{"profile names missing", func(p *Plan) { p.ProfileNames = nil }, "plan: ProfileNames"},
		{"profile names stale", func(p *Plan) { delete(p.Profiles, "retail") }, "plan: ProfileNames"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Default()
			tt.change(p)
			err := p.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate() = nil, want %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate() = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
