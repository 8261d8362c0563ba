package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// decodeValue decodes JSON text as the replay `plan` command does.
func decodeValue(t testing.TB, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test JSON %s: %v", text, err)
	}
	return v
}

// blockYAML renders JSON text as block-style YAML: every string quoted, every
// number plain (so 100.0 and 1e3 become YAML strings, still not integers).
// The leading comment keeps Parse from taking "{}" for JSON.
func blockYAML(t testing.TB, text string) string {
	var b strings.Builder
	b.WriteString("# block YAML\n")
	v := decodeValue(t, text)
	if isCollection(v) {
		writeBlock(&b, v, 0)
	} else {
		b.WriteString(yamlScalar(v) + "\n")
	}
	return b.String()
}

func isCollection(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) > 0
	case []any:
		return len(v) > 0
	}
	return false
}

func writeBlock(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			b.WriteString(pad + strconv.Quote(k) + ":")
			writeValue(b, v[k], indent+1)
		}
	case []any:
		for _, e := range v {
			b.WriteString(pad + "-")
			writeValue(b, e, indent+1)
		}
	}
}

func writeValue(b *strings.Builder, v any, indent int) {
	if isCollection(v) {
		b.WriteString("\n")
		writeBlock(b, v, indent)
		return
	}
	b.WriteString(" " + yamlScalar(v) + "\n")
}

func yamlScalar(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case map[string]any:
		return "{}"
	case []any:
		return "[]"
	default:
		return fmt.Sprint(v)
	}
}

// parseAllWays parses JSON text as a .json file, as block YAML, and through
// FromJSONValue; each way must give the same result.
func parseAllWays(t *testing.T, text string) map[string]func() (*Plan, error) {
	return map[string]func() (*Plan, error){
		"json":          func() (*Plan, error) { return Parse([]byte(text), "plan.json") },
		"json-sniffed":  func() (*Plan, error) { return Parse([]byte(" \n"+text), "plan") },
		"yaml":          func() (*Plan, error) { return Parse([]byte(blockYAML(t, text)), "plan.yaml") },
		"yaml-flow":     func() (*Plan, error) { return Parse([]byte("# flow\n"+text), "plan.yaml") },
		"FromJSONValue": func() (*Plan, error) { return FromJSONValue(decodeValue(t, text)) },
	}
}

func TestOmittedKeys(t *testing.T) {
	tests := []struct {
		name string
		json string
		want func(p *Plan) // applied to Default()
	}{
		{"empty object", `{}`, func(p *Plan) {}},
		{"invite_requires_active", `{"invite_requires_active": false}`,
			func(p *Plan) { p.InviteRequiresActive = false }},
		{"one points key", `{"points": {"gift_ratio_bp": 5000}}`,
			func(p *Plan) { p.Points.GiftRatioBP = 5000 }},
		{"empty points", `{"points": {}}`, func(p *Plan) {}},
		{"one chain key", `{"chain": {"dead_line_policy": "spillover"}}`,
			func(p *Plan) { p.Chain.DeadLinePolicy = "spillover" }},
		{"chain swap and big multiple", `{"chain": {"dead_line_policy": "swap", "boss_threshold": 2}, "points": {"exit_multiple_bp": 90000}}`,
			func(p *Plan) {
				p.Chain.DeadLinePolicy, p.Chain.BossThreshold, p.Points.ExitMultipleBP = "swap", 2, 90000
			}},
		{"forced exit off", `{"points": {"exit_multiple_bp": 0}}`,
			func(p *Plan) { p.Points.ExitMultipleBP = 0 }},
		{"levels replace whole", `{"levels": [{"code": "vip"}]}`,
			func(p *Plan) { p.Levels = []Level{{Code: "vip"}} }},
		{"no levels", `{"levels": []}`, func(p *Plan) { p.Levels = []Level{} }},
		{"null conditions", `{"levels": [{"code": "a", "name": "", "conditions": null}]}`,
			func(p *Plan) { p.Levels = []Level{{Code: "a"}} }},
		{"empty conditions are none", `{"levels": [{"code": "a", "conditions": {}}]}`,
			func(p *Plan) { p.Levels = []Level{{Code: "a"}} }},
		{"a zero condition is a condition", `{"levels": [{"code": "a", "conditions": {"team_size": 0}}]}`,
			func(p *Plan) { p.Levels = []Level{{Code: "a", Conditions: &Conditions{}}} }},
		{"full level", `{"levels": [
			{"code": "hi", "name": "高", "diff_bp": 50, "dividend_share_bp": 10000,
			 "conditions": {"self_spend_fen": 1, "direct_active": 2, "team_sales_fen": 3, "team_size": 4,
			                "direct_at_level": {"level": "lo", "count": 5}}},
			{"code": "lo", "diff_bp": 10}]}`,
			func(p *Plan) {
				p.Levels = []Level{
					{Code: "hi", Name: "高", DiffBP: 50, DividendShareBP: 10000, Conditions: &Conditions{
						SelfSpendFen: 1, DirectActive: 2, TeamSalesFen: 3, TeamSize: 4,
						DirectAtLevel: &DirectAtLevel{Level: "lo", Count: 5}}},
					{Code: "lo", DiffBP: 10},
				}
			}},
		{"empty regions", `{"regions": {}}`, func(p *Plan) {}},
		{"tiers only", `{"regions": {"tiers": [{"tier": "street", "rate_bp": 10}, {"tier": "bigregion"}]}}`,
			func(p *Plan) { p.Regions.Tiers = []Tier{{Tier: "street", RateBP: 10}, {Tier: "bigregion"}} }},
		{"no tiers", `{"regions": {"tiers": []}}`, func(p *Plan) { p.Regions.Tiers = []Tier{} }},
		{"bigregions only", `{"regions": {"bigregions": {"all": ["11", "00", "11"], "none": []}}}`,
			func(p *Plan) { p.Regions.BigRegions = map[string][]string{"all": {"11", "00", "11"}, "none": {}} }},
		{"profiles replace whole", `{"profiles": {"gift": {"cost_bp": 100}}}`,
			func(p *Plan) {
				p.Profiles = map[string]*Profile{"gift": {CostBP: 100}}
				p.ProfileNames = []string{"gift"}
			}},
		{"no profiles", `{"profiles": {}}`,
			func(p *Plan) { p.Profiles, p.ProfileNames = map[string]*Profile{}, nil }},
		{"profile groups", `{"profiles": {"z": {"level": {"peer_bp": 5}, "chain": {}},
			"a b": {"activates_agent": true, "grants_level": "director", "points_bp": 1, "dividend_bp": 2,
			        "service_point_bp": 3, "shareholder_bp": 4, "region": {"budget_bp": 6},
			        "distribution": {"direct_bp": 7, "indirect_bp": 8}, "chain": {"budget_bp": 9}}}}`,
			func(p *Plan) {
				p.Profiles = map[string]*Profile{
					"z": {LevelPeerBP: 5},
					"a b": {ActivatesAgent: true, GrantsLevel: "director", PointsBP: 1, DividendBP: 2,
						ServicePointBP: 3, ShareholderBP: 4, RegionBudgetBP: 6,
						DistributionDirectBP: 7, DistributionIndirectBP: 8, ChainBudgetBP: 9},
				}
				p.ProfileNames = []string{"a b", "z"}
			}},
		{"buckets exactly 10000", `{"profiles": {"p": {"cost_bp": 9990, "distribution": {"indirect_bp": 10}}}}`,
			func(p *Plan) {
				p.Profiles = map[string]*Profile{"p": {CostBP: 9990, DistributionIndirectBP: 10}}
				p.ProfileNames = []string{"p"}
			}},
		{"zero and max values", `{"chain": {"unlock_team_orders": 0, "freeze_bp": 10000, "direct_bp": 0}, "points": {"start_price_fen": 1}}`,
			func(p *Plan) {
				p.Chain.UnlockTeamOrders, p.Chain.FreezeBP, p.Chain.DirectBP = 0, 10000, 0
				p.Points.StartPriceFen = 1
			}},
		{"negative zero", `{"chain": {"direct_bp": -0}}`, func(p *Plan) { p.Chain.DirectBP = 0 }},
		{"unicode names", `{"regions": {"bigregions": {"华 北.x": ["11"]}}, "profiles": {"礼包": {}}}`,
			func(p *Plan) {
				p.Regions.BigRegions = map[string][]string{"华 北.x": {"11"}}
				p.Profiles, p.ProfileNames = map[string]*Profile{"礼包": {}}, []string{"礼包"}
			}},
	}
	for _, tt := range tests {
		want := Default()
		tt.want(want)
		for way, parse := range parseAllWays(t, tt.json) {
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				got, err := parse()
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got\n%#v\nwant\n%#v", got, want)
				}
			})
		}
	}
}

func TestEmptyDocument(t *testing.T) {
	for _, doc := range []string{"", " \n\t\n", "# only a comment\n", "---\n", "--- # c\n...\n", "{}", " \n{ } \n", "{}\n"} {
		p, err := Parse([]byte(doc), "plan.yaml")
		if err != nil {
			t.Errorf("Parse(%q): %v", doc, err)
		} else if !reflect.DeepEqual(p, wantDefault()) {
			t.Errorf("Parse(%q) is not the default plan", doc)
		}
	}
}

func TestParseDefaultFile(t *testing.T) {
	p, err := Parse(defaultYAML, "default-plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, wantDefault()) {
		t.Errorf("Parse(default-plan.yaml) is not the default plan")
	}
}

func TestFromJSONValue(t *testing.T) {
	// A replay line whose plan object is handed over as decoded.
	line := `{"op": "plan", "plan": {"chain": {"boss_threshold": 4}, "levels": [{"code": "1", "diff_bp": 100}],
		"profiles": {"gift": {"activates_agent": true, "grants_level": "1", "chain": {"budget_bp": 3300}}}}}`
	cmd := decodeValue(t, line).(map[string]any)
	p, err := FromJSONValue(cmd["plan"])
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Chain.BossThreshold = 4
	want.Levels = []Level{{Code: "1", DiffBP: 100}}
	want.Profiles = map[string]*Profile{"gift": {ActivatesAgent: true, GrantsLevel: "1", ChainBudgetBP: 3300}}
	want.ProfileNames = []string{"gift"}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("got\n%#v\nwant\n%#v", p, want)
	}

	for _, v := range []any{nil, "x", []any{}, json.Number("1"), true} {
		if _, err := FromJSONValue(v); err == nil || !strings.Contains(err.Error(), "plan: must be a mapping") {
			t.Errorf("FromJSONValue(%#v) = %v, want a mapping error", v, err)
		}
	}
	if _, err := FromJSONValue(map[string]any{"chain": map[string]any{"direct_bp": 1000.0}}); err == nil {
		t.Error("FromJSONValue accepted a float64")
	}
}

// tenLevels is a levels array with one level too many.
var tenLevels = func() string {
	var ls []string
	for i := range 10 {
		ls = append(ls, fmt.Sprintf(`{"code": "l%d"}`, i))
	}
	return `{"levels": [` + strings.Join(ls, ", ") + `]}`
}()

// Each case is invalid read as JSON, as YAML and through FromJSONValue, and
// the error names the key path.
func TestInvalid(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		// Rule 3: unknown keys, at any depth.
		{"unknown top key", `{"foo": 1}`, "plan: foo: unknown key"},
		{"unknown points key", `{"points": {"price": 1}}`, "plan: points.price: unknown key"},
		{"unknown level key", `{"levels": [{"code": "a", "rank": 1}]}`, "plan: levels[0].rank: unknown key"},
		{"unknown condition key", `{"levels": [{"code": "a", "conditions": {"bogus": 1}}]}`, "plan: levels[0].conditions.bogus: unknown key"},
		{"unknown direct_at_level key", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "a", "count": 1, "x": 0}}}]}`,
			"plan: levels[0].conditions.direct_at_level.x: unknown key"},
		{"unknown regions key", `{"regions": {"street": []}}`, "plan: regions.street: unknown key"},
		{"unknown tier key", `{"regions": {"tiers": [{"tier": "city", "rate": 1}]}}`, "plan: regions.tiers[0].rate: unknown key"},
		{"unknown profile key", `{"profiles": {"g": {"direct_bp": 1}}}`, "plan: profiles.g.direct_bp: unknown key"},
		{"plan-wide chain key in profile", `{"profiles": {"g": {"chain": {"direct_bp": 1}}}}`, "plan: profiles.g.chain.direct_bp: unknown key"},
		{"unknown profile level key", `{"profiles": {"g": {"level": {"diff_bp": 1}}}}`, "plan: profiles.g.level.diff_bp: unknown key"},
		{"unknown distribution key", `{"profiles": {"g": {"distribution": {"third_bp": 1}}}}`, "plan: profiles.g.distribution.third_bp: unknown key"},
		{"odd profile name", `{"profiles": {"a.b": {"x": 1}}}`, `plan: profiles["a.b"].x: unknown key`},

		// Rule 4: null.
		{"null invite", `{"invite_requires_active": null}`, "plan: invite_requires_active: must be a boolean, got null"},
		{"null points", `{"points": null}`, "plan: points: must be a mapping, got null"},
		{"null chain key", `{"chain": {"direct_bp": null}}`, "plan: chain.direct_bp: must be an integer, got null"},
		{"null policy", `{"chain": {"dead_line_policy": null}}`, "plan: chain.dead_line_policy: must be a string, got null"},
		{"null levels", `{"levels": null}`, "plan: levels: must be a sequence, got null"},
		{"null level", `{"levels": [null]}`, "plan: levels[0]: must be a mapping, got null"},
		{"null code", `{"levels": [{"code": null}]}`, "plan: levels[0].code: must be a string, got null"},
		{"null name", `{"levels": [{"code": "a", "name": null}]}`, "plan: levels[0].name: must be a string, got null"},
		{"null condition", `{"levels": [{"code": "a", "conditions": {"team_size": null}}]}`, "plan: levels[0].conditions.team_size: must be an integer"},
		{"null direct_at_level", `{"levels": [{"code": "a", "conditions": {"direct_at_level": null}}]}`,
			"plan: levels[0].conditions.direct_at_level: must be a mapping, got null"},
		{"null regions", `{"regions": null}`, "plan: regions: must be a mapping, got null"},
		{"null tiers", `{"regions": {"tiers": null}}`, "plan: regions.tiers: must be a sequence, got null"},
		{"null bigregions", `{"regions": {"bigregions": null}}`, "plan: regions.bigregions: must be a mapping, got null"},
		{"null province", `{"regions": {"bigregions": {"x": [null]}}}`, "plan: regions.bigregions.x[0]: must be a string, got null"},
		{"null profiles", `{"profiles": null}`, "plan: profiles: must be a mapping, got null"},
		{"null profile", `{"profiles": {"g": null}}`, "plan: profiles.g: must be a mapping, got null"},
		{"null grants_level", `{"profiles": {"g": {"grants_level": null}}}`, "plan: profiles.g.grants_level: must be a string, got null"},
		{"null profile group", `{"profiles": {"g": {"chain": null}}}`, "plan: profiles.g.chain: must be a mapping, got null"},

		// Rule 5: types.
		{"fraction", `{"points": {"start_price_fen": 100.0}}`, "plan: points.start_price_fen: must be an integer, got "},
		{"exponent", `{"chain": {"unlock_team_orders": 1e3}}`, "plan: chain.unlock_team_orders: must be an integer, got "},
		{"capital exponent", `{"chain": {"unlock_team_orders": 1E3}}`, "plan: chain.unlock_team_orders: must be an integer, got "},
		{"quoted integer", `{"chain": {"direct_bp": "1000"}}`, `plan: chain.direct_bp: must be an integer, got string "1000"`},
		{"boolean integer", `{"chain": {"direct_bp": true}}`, `plan: chain.direct_bp: must be an integer, got boolean true`},
		{"integer code", `{"levels": [{"code": 1}]}`, "plan: levels[0].code: must be a string, got integer 1"},
		{"integer name", `{"levels": [{"code": "a", "name": 2}]}`, "plan: levels[0].name: must be a string, got integer 2"},
		{"string bool", `{"invite_requires_active": "yes"}`, `plan: invite_requires_active: must be a boolean, got string "yes"`},
		{"integer bool", `{"profiles": {"g": {"activates_agent": 1}}}`, "plan: profiles.g.activates_agent: must be a boolean, got integer 1"},
		{"integer grants_level", `{"profiles": {"g": {"grants_level": 0}}}`, "plan: profiles.g.grants_level: must be a string, got integer 0"},
		{"integer province", `{"regions": {"bigregions": {"x": [11]}}}`, "plan: regions.bigregions.x[0]: must be a string, got integer 11"},
		{"integer tier", `{"regions": {"tiers": [{"tier": 1}]}}`, "plan: regions.tiers[0].tier: must be a string, got integer 1"},
		{"integer policy", `{"chain": {"dead_line_policy": 0}}`, "plan: chain.dead_line_policy: must be a string, got integer 0"},
		{"integer direct_at_level level", `{"levels": [{"code": "1", "conditions": {"direct_at_level": {"level": 1, "count": 1}}}]}`,
			"plan: levels[0].conditions.direct_at_level.level: must be a string, got integer 1"},
		{"string count", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "a", "count": "2"}}}]}`,
			"plan: levels[0].conditions.direct_at_level.count: must be an integer"},
		{"out of range", `{"points": {"start_price_fen": 99999999999999999999}}`, "plan: points.start_price_fen: integer 99999999999999999999 out of the 64-bit range"},
		{"mapping for integer", `{"points": {"start_price_fen": {}}}`, "plan: points.start_price_fen: must be an integer, got a mapping"},
		{"levels as mapping", `{"levels": {"code": "a"}}`, "plan: levels: must be a sequence, got a mapping"},
		{"level as sequence", `{"levels": [["a"]]}`, "plan: levels[0]: must be a mapping, got a sequence"},
		{"conditions as sequence", `{"levels": [{"code": "a", "conditions": []}]}`, "plan: levels[0].conditions: must be a mapping, got a sequence"},
		{"tiers as mapping", `{"regions": {"tiers": {"city": 50}}}`, "plan: regions.tiers: must be a sequence, got a mapping"},
		{"tier as string", `{"regions": {"tiers": ["city"]}}`, `plan: regions.tiers[0]: must be a mapping, got string "city"`},
		{"bigregions as sequence", `{"regions": {"bigregions": [["11"]]}}`, "plan: regions.bigregions: must be a mapping, got a sequence"},
		{"provinces as string", `{"regions": {"bigregions": {"x": "11"}}}`, `plan: regions.bigregions.x: must be a sequence, got string "11"`},
		{"profiles as sequence", `{"profiles": [{"gift": {}}]}`, "plan: profiles: must be a mapping, got a sequence"},
		{"profile as integer", `{"profiles": {"g": 1}}`, "plan: profiles.g: must be a mapping, got integer 1"},
		{"points as sequence", `{"points": []}`, "plan: points: must be a mapping, got a sequence"},
		{"top-level sequence", `[]`, "plan: must be a mapping, got a sequence"},
		{"top-level string", `"plan"`, `plan: must be a mapping, got string "plan"`},

		// Rule 1: required keys.
		{"missing code", `{"levels": [{"name": "x"}]}`, "plan: levels[0].code: missing (required)"},
		{"missing tier", `{"regions": {"tiers": [{"rate_bp": 1}]}}`, "plan: regions.tiers[0].tier: missing (required)"},
		{"missing direct_at_level count", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "a"}}}]}`,
			"plan: levels[0].conditions.direct_at_level.count: missing (required)"},
		{"missing direct_at_level level", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"count": 1}}}]}`,
			"plan: levels[0].conditions.direct_at_level.level: missing (required)"},

		// Rule 7: values.
		{"start price 0", `{"points": {"start_price_fen": 0}}`, "plan: points.start_price_fen: must be >= 1, got 0"},
		{"boss threshold 0", `{"chain": {"boss_threshold": 0}}`, "plan: chain.boss_threshold: must be >= 1, got 0"},
		{"negative exit multiple", `{"points": {"exit_multiple_bp": -1}}`, "plan: points.exit_multiple_bp: must be >= 0, got -1"},
		{"negative unlock", `{"chain": {"unlock_team_orders": -1}}`, "plan: chain.unlock_team_orders: must be >= 0, got -1"},
		{"negative condition", `{"levels": [{"code": "a", "conditions": {"team_size": -1}}]}`, "plan: levels[0].conditions.team_size: must be >= 0, got -1"},
		{"negative self spend", `{"levels": [{"code": "a", "conditions": {"self_spend_fen": -5}}]}`, "plan: levels[0].conditions.self_spend_fen: must be >= 0, got -5"},
		{"negative count", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "a", "count": -1}}}]}`,
			"plan: levels[0].conditions.direct_at_level.count: must be >= 0, got -1"},
		{"negative rate", `{"chain": {"direct_bp": -1}}`, "plan: chain.direct_bp: must be in 0..10000, got -1"},
		{"negative tier rate", `{"regions": {"tiers": [{"tier": "city", "rate_bp": -30}]}}`, "plan: regions.tiers[0].rate_bp: must be in 0..10000, got -30"},
		{"negative diff", `{"levels": [{"code": "a", "diff_bp": -1}]}`, "plan: levels[0].diff_bp: must be in 0..10000, got -1"},
		{"negative bucket", `{"profiles": {"g": {"cost_bp": -1}}}`, "plan: profiles.g.cost_bp: must be in 0..10000, got -1"},
		{"gift ratio over", `{"points": {"gift_ratio_bp": 10001}}`, "plan: points.gift_ratio_bp: must be in 0..10000, got 10001"},
		{"sell fee over", `{"points": {"sell_fee_bp": 10001}}`, "plan: points.sell_fee_bp: must be in 0..10000, got 10001"},
		{"exit fee over", `{"points": {"exit_fee_bp": 20000}}`, "plan: points.exit_fee_bp: must be in 0..10000, got 20000"},
		{"seepoint over", `{"chain": {"seepoint_bp": 10001}}`, "plan: chain.seepoint_bp: must be in 0..10000, got 10001"},
		{"peer rate over", `{"chain": {"peer_rate_bp": 10001}}`, "plan: chain.peer_rate_bp: must be in 0..10000, got 10001"},
		{"freeze over", `{"chain": {"freeze_bp": 10001}}`, "plan: chain.freeze_bp: must be in 0..10000, got 10001"},
		{"diff over", `{"levels": [{"code": "a", "diff_bp": 10001}]}`, "plan: levels[0].diff_bp: must be in 0..10000, got 10001"},
		{"share over", `{"levels": [{"code": "a", "dividend_share_bp": 10001}]}`, "plan: levels[0].dividend_share_bp: must be in 0..10000, got 10001"},
		{"tier rate over", `{"regions": {"tiers": [{"tier": "city", "rate_bp": 10001}]}}`, "plan: regions.tiers[0].rate_bp: must be in 0..10000, got 10001"},
		{"chain budget over", `{"profiles": {"g": {"chain": {"budget_bp": 10001}}}}`, "plan: profiles.g.chain.budget_bp: must be in 0..10000, got 10001"},
		{"peer bucket over", `{"profiles": {"g": {"level": {"peer_bp": 10001}}}}`, "plan: profiles.g.level.peer_bp: must be in 0..10000, got 10001"},
		{"indirect over", `{"profiles": {"g": {"distribution": {"indirect_bp": 10001}}}}`, "plan: profiles.g.distribution.indirect_bp: must be in 0..10000, got 10001"},
		{"bad policy", `{"chain": {"dead_line_policy": "Swap"}}`, `plan: chain.dead_line_policy: must be none, swap or spillover, got "Swap"`},
		{"empty policy", `{"chain": {"dead_line_policy": ""}}`, `plan: chain.dead_line_policy: must be none, swap or spillover, got ""`},
		{"spillover with K=2", `{"chain": {"dead_line_policy": "spillover", "boss_threshold": 2}}`,
			"plan: chain.dead_line_policy: spillover requires chain.boss_threshold 3, got 2"},
		{"ten levels", tenLevels, "plan: levels: at most 9 levels, got 10"},
		{"empty level code", `{"levels": [{"code": ""}]}`, "plan: levels[0].code: must not be empty"},
		{"repeated level code", `{"levels": [{"code": "a"}, {"code": "b"}, {"code": "a"}]}`, `plan: levels[2].code: "a" repeated (also levels[0])`},
		{"bad direct_at_level level", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "partner", "count": 1}}}]}`,
			`plan: levels[0].conditions.direct_at_level.level: "partner" is not a level code of the plan`},
		{"empty direct_at_level level", `{"levels": [{"code": "a", "conditions": {"direct_at_level": {"level": "", "count": 1}}}]}`,
			`plan: levels[0].conditions.direct_at_level.level: "" is not a level code of the plan`},
		{"dividend shares over", `{"levels": [{"code": "a", "dividend_share_bp": 6000}, {"code": "b", "dividend_share_bp": 4001}]}`,
			"plan: levels: dividend_share_bp values add up to 10001, more than 10000"},
		{"bad tier", `{"regions": {"tiers": [{"tier": "town"}]}}`, `plan: regions.tiers[0].tier: must be street, district, city, province or bigregion, got "town"`},
		{"capital tier", `{"regions": {"tiers": [{"tier": "City"}]}}`, `plan: regions.tiers[0].tier: must be street`},
		{"repeated tier", `{"regions": {"tiers": [{"tier": "city"}, {"tier": "province"}, {"tier": "city"}]}}`, `plan: regions.tiers[2].tier: "city" repeated`},
		{"misordered tiers", `{"regions": {"tiers": [{"tier": "city"}, {"tier": "district"}]}}`, `plan: regions.tiers[1].tier: "district" listed after "city"`},
		{"misordered tiers later", `{"regions": {"tiers": [{"tier": "street"}, {"tier": "bigregion"}, {"tier": "province"}]}}`,
			`plan: regions.tiers[2].tier: "province" listed after "bigregion"`},
		{"one-digit province", `{"regions": {"bigregions": {"x": ["1"]}}}`, `plan: regions.bigregions.x[0]: a province code is 2 digits, got "1"`},
		{"three-digit province", `{"regions": {"bigregions": {"x": ["11", "110"]}}}`, `plan: regions.bigregions.x[1]: a province code is 2 digits, got "110"`},
		{"letter province", `{"regions": {"bigregions": {"x": ["1a"]}}}`, `plan: regions.bigregions.x[0]: a province code is 2 digits, got "1a"`},
		{"wide digit province", `{"regions": {"bigregions": {"x": ["１１"]}}}`, `plan: regions.bigregions.x[0]: a province code is 2 digits`},
		{"province in two big regions", `{"regions": {"bigregions": {"b": ["12", "11"], "a": ["11"]}}}`,
			`plan: regions.bigregions.b[1]: province "11" is also in big region "a"`},
		{"empty big region name", `{"regions": {"bigregions": {"": ["11"]}}}`, `plan: regions.bigregions[""]: a big region name must not be empty`},
		{"empty profile name", `{"profiles": {"": {}}}`, `plan: profiles[""]: a profile name must not be empty`},
		{"buckets over", `{"profiles": {"g": {"cost_bp": 6000, "points_bp": 3000, "distribution": {"indirect_bp": 1001}}}}`,
			"plan: profiles.g: buckets add up to 10001 bp, more than 10000"},
		{"default gift over", `{"profiles": {"gift": {"cost_bp": 10000, "points_bp": 1}}}`, "plan: profiles.gift: buckets add up to 10001 bp"},
		{"bad grants_level", `{"profiles": {"g": {"grants_level": "king"}}}`, `plan: profiles.g.grants_level: "king" is not a level code of the plan`},
		{"grants_level of replaced levels", `{"levels": [{"code": "vip"}], "profiles": {"g": {"grants_level": "partner"}}}`,
			`plan: profiles.g.grants_level: "partner" is not a level code of the plan`},
	}
	for _, tt := range tests {
		for way, parse := range parseAllWays(t, tt.json) {
			t.Run(tt.name+"/"+way, func(t *testing.T) {
				p, err := parse()
				if err == nil {
					t.Fatalf("accepted: %+v", p)
				}
				var perr *Error
				if !errors.As(err, &perr) {
					t.Errorf("error %v is not a *plan.Error", err)
				}
				want := tt.want
				if strings.HasPrefix(way, "yaml") {
					// Numbers like 100.0 are strings in YAML: only the path must agree.
					want, _, _ = strings.Cut(want, " got ")
				}
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q, want it to contain %q", err, want)
				}
			})
		}
	}
}

func TestErrorText(t *testing.T) {
	const want = "plan: chain.boss_threshold: must be >= 1, got 0"
	for _, doc := range []string{"chain:\n  boss_threshold: 0\n", `{"chain": {"boss_threshold": 0}}`} {
		_, err := Parse([]byte(doc), "plan")
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error = %v, want %q", doc, err, want)
		}
	}
}

// YAML-only syntax: rule 6's scalars and the constructs a plan may not use.
func TestYAML(t *testing.T) {
	valid := []struct {
		name, yaml string
		want       func(p *Plan)
	}{
		{"plain 1.5 is a string", "levels:\n  - code: 1.5\n", func(p *Plan) { p.Levels = []Level{{Code: "1.5"}} }},
		{"quoted 1 is a string", "levels:\n  - code: '1'\n    name: \"2\"\n", func(p *Plan) { p.Levels = []Level{{Code: "1", Name: "2"}} }},
		{"yes is a string", "levels: [{code: yes, name: 0x10}]\n", func(p *Plan) { p.Levels = []Level{{Code: "yes", Name: "0x10"}} }},
		{"leading zeros are a string", "levels: [{code: 007, name: 1_000}]\n", func(p *Plan) { p.Levels = []Level{{Code: "007", Name: "1_000"}} }},
		{"plus sign", "chain:\n  boss_threshold: +5\n", func(p *Plan) { p.Chain.BossThreshold = 5 }},
		{"zero", "points: {exit_multiple_bp: 0}\n", func(p *Plan) { p.Points.ExitMultipleBP = 0 }},
		{"booleans", "invite_requires_active: FALSE\nprofiles: {a: {activates_agent: True}, b: {activates_agent: false}}\n",
			func(p *Plan) {
				p.InviteRequiresActive = false
				p.Profiles = map[string]*Profile{"a": {ActivatesAgent: true}, "b": {}}
				p.ProfileNames = []string{"a", "b"}
			}},
		{"empty conditions value", "levels:\n  - code: a\n    conditions:\n", func(p *Plan) { p.Levels = []Level{{Code: "a"}} }},
		{"tilde conditions", "levels:\n  - code: a\n    conditions: ~\n", func(p *Plan) { p.Levels = []Level{{Code: "a"}} }},
		{"Null conditions", "levels:\n  - {code: a, conditions: Null}\n", func(p *Plan) { p.Levels = []Level{{Code: "a"}} }},
		{"block scalar", "levels:\n  - code: a\n    name: |-\n      甲\n", func(p *Plan) { p.Levels = []Level{{Code: "a", Name: "甲"}} }},
		{"comments and document marker", "--- # plan\n# note\nchain: # c\n  freeze_bp: 0 # none\n...\n", func(p *Plan) { p.Chain.FreezeBP = 0 }},
		{"quoted keys", "\"chain\": {'freeze_bp': 1}\n", func(p *Plan) { p.Chain.FreezeBP = 1 }},
		{"quoted big region names", "regions:\n  bigregions:\n    \"1\": [\"11\"]\n    'true': ['12']\n",
			func(p *Plan) { p.Regions.BigRegions = map[string][]string{"1": {"11"}, "true": {"12"}} }},
		{"zero-led province is a string", "regions: {bigregions: {x: [01]}}\n",
			func(p *Plan) { p.Regions.BigRegions = map[string][]string{"x": {"01"}} }},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			want := Default()
			tt.want(want)
			got, err := Parse([]byte(tt.yaml), "plan.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%#v\nwant\n%#v", got, want)
			}
		})
	}

	invalid := []struct {
		name, yaml, want string
	}{
		{"unquoted integer code", "levels:\n  - code: 1\n", "plan: levels[0].code: must be a string, got integer 1"},
		{"boolean code", "levels:\n  - code: true\n", "plan: levels[0].code: must be a string, got boolean true"},
		{"null code", "levels:\n  - code: ~\n", "plan: levels[0].code: must be a string, got null"},
		{"empty code", "levels:\n  - code:\n", "plan: levels[0].code: must be a string, got null"},
		{"NULL grants_level", "profiles: {g: {grants_level: NULL}}\n", "plan: profiles.g.grants_level: must be a string, got null"},
		{"yes as boolean", "invite_requires_active: yes\n", `plan: invite_requires_active: must be a boolean, got string "yes"`},
		{"on as boolean", "profiles: {g: {activates_agent: on}}\n", `plan: profiles.g.activates_agent: must be a boolean, got string "on"`},
		{"quoted boolean", "invite_requires_active: \"true\"\n", `plan: invite_requires_active: must be a boolean, got string "true"`},
		{"hex", "points: {start_price_fen: 0x10}\n", `plan: points.start_price_fen: must be an integer, got string "0x10"`},
		{"octal-looking", "points: {start_price_fen: 011}\n", `plan: points.start_price_fen: must be an integer, got string "011"`},
		{"underscores", "points: {start_price_fen: 1_000}\n", `plan: points.start_price_fen: must be an integer, got string "1_000"`},
		{"fraction", "points: {start_price_fen: 1.5}\n", `plan: points.start_price_fen: must be an integer, got string "1.5"`},
		{"whole fraction", "points: {start_price_fen: 100.0}\n", `plan: points.start_price_fen: must be an integer, got string "100.0"`},
		{"exponent", "points: {start_price_fen: 1e3}\n", `plan: points.start_price_fen: must be an integer, got string "1e3"`},
		{"quoted integer", "points: {start_price_fen: '100'}\n", `plan: points.start_price_fen: must be an integer, got string "100"`},
		{"out of range", "points: {start_price_fen: -9223372036854775809}\n", "plan: points.start_price_fen: integer -9223372036854775809 out of the 64-bit range"},
		{"unquoted province", "regions:\n  bigregions:\n    华北: [11, 12]\n", "plan: regions.bigregions.华北[0]: must be a string, got integer 11"},
		{"integer profile name", "profiles:\n  1: {}\n", "plan: profiles: YAML line 2: mapping key integer 1 is not a string (quote it)"},
		{"null key", "profiles:\n  ~: {}\n", "mapping key null is not a string"},
		{"sequence key", "profiles:\n  ? [a]\n  : {}\n", "mapping key a sequence is not a string"},
		{"repeated key", "chain: {}\npoints: {}\nchain: {}\n", `plan: YAML line 3: key "chain" repeated`},
		{"repeated nested key", "chain:\n  freeze_bp: 1\n  freeze_bp: 2\n", `plan: chain: YAML line 3: key "freeze_bp" repeated`},
		{"anchor", "points: &p {start_price_fen: 5}\n", "plan: points: YAML line 1: anchors are not supported"},
		{"alias", "levels:\n  - &a {code: a}\n  - *a\n", "anchors are not supported"},
		{"undefined alias", "points: *p\n", "plan: invalid YAML"},
		{"merge key", "chain:\n  <<: {freeze_bp: 1}\n", `plan: chain["<<"]: unknown key`},
		{"tag", "points: {start_price_fen: !!int 5}\n", "plan: points.start_price_fen: YAML line 1: tags are not supported (!!int)"},
		{"str tag", "levels: [{code: !!str 1}]\n", "tags are not supported"},
		{"local tag", "chain: !plan {}\n", "tags are not supported"},
		{"two documents", "chain: {}\n---\npoints: {}\n", "plan: YAML line 2: a second document is not supported"},
		{"two empty documents", "---\n---\n", "a second document is not supported"},
		{"syntax error", "chain: [\n", "plan: invalid YAML: yaml: "},
		{"bad indentation", "chain:\n  freeze_bp: 1\n boss_threshold: 2\n", "plan: invalid YAML"},
		{"tab indentation", "chain:\n\tfreeze_bp: 1\n", "plan: invalid YAML"},
		{"top-level sequence", "- a\n", "plan: must be a mapping, got a sequence"},
		{"top-level scalar", "hello\n", `plan: must be a mapping, got string "hello"`},
		{"null document", "~\n", "plan: must be a mapping, got null"},
		{"flow map after comment is YAML", "# c\n{chain: {boss_threshold: 0}}\n", "plan: chain.boss_threshold: must be >= 1, got 0"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.yaml), "plan.yaml")
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// JSON-only syntax.
func TestJSON(t *testing.T) {
	tests := []struct {
		name, data, file, want string
	}{
		{"empty .json file", "", "plan.json", "plan: invalid JSON: EOF"},
		{"trailing value", "{} {}", "plan", "plan: invalid JSON: data after the top-level value"},
		{"trailing garbage", "{}\n]", "plan", "plan: invalid JSON"},
		{"truncated", `{"chain": {`, "plan", "plan: invalid JSON: unexpected EOF"},
		{"YAML in a .json file", "chain: {}\n", "plan.json", "plan: invalid JSON"},
		{"NaN", `{"chain": {"freeze_bp": NaN}}`, "plan", "plan: invalid JSON"},
		{"null document", "null", "plan.json", "plan: must be a mapping, got null"},
		{"flow YAML sniffed as JSON", "{chain: {}}", "plan.yaml", "plan: invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.data), tt.file)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
	// A .json name wins over the content.
	if p, err := Parse([]byte(` {"chain": {"freeze_bp": 5}} `), "x.json"); err != nil || p.Chain.FreezeBP != 5 {
		t.Errorf("Parse(.json) = %v, %v", p, err)
	}
}

// The default plan round-trips through JSON.
func TestDefaultAsJSON(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"invite_requires_active": true,
		"points": {"start_price_fen": 100, "gift_ratio_bp": 7000, "sell_fee_bp": 2000, "exit_multiple_bp": 30000, "exit_fee_bp": 2000},
		"chain": {"boss_threshold": 3, "direct_bp": 1000, "seepoint_bp": 2000, "peer_rate_bp": 1000, "freeze_bp": 2000,
		          "unlock_team_orders": 20, "dead_line_policy": "none"}}`)
	p, err := Parse(b.Bytes(), "default.json")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, wantDefault()) {
		t.Error("restating the default points and chain changed the plan")
	}
}
