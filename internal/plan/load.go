package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// Error is a plan document that cannot be read, or a plan that breaks a
// rule of details.md "Plan document".
type Error struct {
	Path string // key path in the plan document ("levels[1].code"); "" for the whole document
	Msg  string
	Err  error // the underlying YAML or JSON syntax error, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("plan: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Parse loads a plan file (details.md, "Plan document"). It is JSON when name
// ends in ".json" or the first non-blank character of data is '{', else YAML.
// Omitted keys are completed from the default plan; the result is validated.
func Parse(data []byte, name string) (*Plan, error) {
	if isJSON(data, name) {
		v, err := decodeJSON(data)
		if err != nil {
			return nil, err
		}
		return FromJSONValue(v)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Default(), nil // YAML would refuse a tab on a blank line
	}
	v, empty, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	if empty {
		return Default(), nil
	}
	return build(v, Default())
}

// FromJSONValue builds a plan from a value decoded by encoding/json with
// Decoder.UseNumber (map[string]any, []any, json.Number, string, bool, nil),
// such as the object of a replay `plan` command. The rules are Parse's: the
// plan is completed from the default plan, never from another plan.
func FromJSONValue(v any) (*Plan, error) {
	return build(v, Default())
}

func isJSON(data []byte, name string) bool {
	if strings.HasSuffix(name, ".json") {
		return true
	}
	rest := bytes.TrimLeft(data, " \t\r\n")
	return len(rest) > 0 && rest[0] == '{'
}

// The documents are first turned into one generic tree: nil, bool, string,
// json.Number (any number, checked when read as an integer), map[string]any
// and []any. One builder then reads both formats, so the rules are written once.

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keeps 100.0 and 1e3 distinguishable from integers
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Msg: "invalid JSON", Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Msg: "invalid JSON: data after the top-level value"}
	}
	return v, nil
}

// decodeYAML reads the YAML subset of details.md rule 6. empty reports a
// document without content, which stands for the default plan.
func decodeYAML(data []byte) (v any, empty bool, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, true, nil
		}
		return nil, false, &Error{Msg: "invalid YAML", Err: err}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, false, &Error{Msg: "invalid YAML", Err: err}
	default:
		return nil, false, &Error{Msg: fmt.Sprintf("YAML line %d: a second document is not supported", next.Line)}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, false, &Error{Msg: "invalid YAML: no document"}
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Style == 0 && root.Anchor == "" && root.Value == "" {
		return nil, true, nil // "---" alone
	}
	v, err = yamlValue("", root)
	return v, false, err
}

func yamlValue(path string, n *yaml.Node) (any, error) {
	fail := func(at *yaml.Node, format string, args ...any) error {
		return &Error{Path: path, Msg: fmt.Sprintf("YAML line %d: ", at.Line) + fmt.Sprintf(format, args...)}
	}
	if n.Anchor != "" {
		return nil, fail(n, "anchors are not supported")
	}
	if n.Style&yaml.TaggedStyle != 0 {
		return nil, fail(n, "tags are not supported (%s)", n.Tag)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Style == 0 {
			return plainScalar(n.Value), nil
		}
		return n.Value, nil // quoted or block scalar: always a string
	case yaml.SequenceNode:
		seq := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := yamlValue(index(path, i), c)
			if err != nil {
				return nil, err
			}
			seq[i] = v
		}
		return seq, nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn := n.Content[i]
			k, err := yamlValue(path, kn)
			if err != nil {
				return nil, err
			}
			key, ok := k.(string)
			if !ok {
				return nil, fail(kn, "mapping key %s is not a string (quote it)", describe(k))
			}
			if _, dup := m[key]; dup {
				return nil, fail(kn, "key %q repeated", key)
			}
			v, err := yamlValue(join(path, key), n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		return m, nil
	case yaml.AliasNode:
		return nil, fail(n, "aliases are not supported")
	default:
		return nil, fail(n, "unsupported YAML node")
	}
}

// plainScalar resolves an unquoted YAML scalar exactly as details.md rule 6
// says, not as YAML 1.1 or 1.2 would: only these spellings are booleans and
// nulls, only decimal integers are numbers, and all else is a string.
func plainScalar(s string) any {
	switch s {
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	case "null", "Null", "NULL", "~", "":
		return nil
	}
	if isDecimalInteger(s) {
		return json.Number(s)
	}
	return s
}

// isDecimalInteger reports an optionally signed decimal integer without
// leading zeros ("0", "-0", "+5", "12"; not "007", "1_000", "0x10").
func isDecimalInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// describe names a tree value's type, and its value when short, for errors.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case string:
		return fmt.Sprintf("string %q", v)
	case json.Number:
		if isDecimalInteger(string(v)) {
			return "integer " + string(v)
		}
		return "number " + string(v)
	case int, int64:
		return fmt.Sprintf("integer %d", v)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a sequence"
	default:
		return fmt.Sprintf("a value of Go type %T", v)
	}
}

// join appends a mapping key to a key path. Keys that are not simple words
// (profile and big region names can be anything) are quoted.
func join(path, key string) string {
	simple := key != ""
	for _, r := range key {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' {
			simple = false
			break
		}
	}
	switch {
	case !simple:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	default:
		return path + "." + key
	}
}

func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// build reads tree v onto base, which supplies the omitted keys (rule 1),
// and validates the result.
func build(v any, base *Plan) (*Plan, error) {
	d := &decoder{}
	p := d.plan(v, base)
	if d.err != nil {
		return nil, d.err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// decoder reads the generic tree into a Plan. It keeps the first error; after
// one, every read is a no-op, which keeps the schema code free of error plumbing.
type decoder struct {
	err *Error
}

func (d *decoder) fail(path, format string, args ...any) {
	if d.err == nil {
		d.err = &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

// fields returns v as a mapping whose keys are all among keys (rule 3), or
// nil after an error.
func (d *decoder) fields(path string, v any, keys ...string) map[string]any {
	m := d.mapping(path, v)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(keys, k) {
			d.fail(join(path, k), "unknown key")
			return nil
		}
	}
	return m
}

// mapping returns v as a mapping with any keys, or nil after an error.
func (d *decoder) mapping(path string, v any) map[string]any {
	if d.err != nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "must be a mapping, got %s", describe(v))
		return nil
	}
	return m
}

func (d *decoder) sequence(path string, v any) []any {
	if d.err != nil {
		return nil
	}
	s, ok := v.([]any)
	if !ok {
		d.fail(path, "must be a sequence, got %s", describe(v))
		return nil
	}
	return s
}

func (d *decoder) require(m map[string]any, path string, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			d.fail(join(path, k), "missing (required)")
		}
	}
}

// int sets *dst to m[key] when that key is present.
func (d *decoder) int(m map[string]any, path, key string, dst *int64) {
	if v, ok := m[key]; ok && d.err == nil {
		*dst = d.intValue(join(path, key), v)
	}
}

func (d *decoder) intValue(path string, v any) int64 {
	switch v := v.(type) {
	case json.Number:
		s := string(v)
		if strings.ContainsAny(s, ".eE") {
			d.fail(path, "must be an integer, got number %s", s)
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			d.fail(path, "integer %s out of the 64-bit range", s)
		} else if err != nil {
			d.fail(path, "must be an integer, got %q", s)
		}
		return n
	case int64:
		return v
	case int:
		return int64(v)
	default:
		d.fail(path, "must be an integer, got %s", describe(v))
		return 0
	}
}

func (d *decoder) str(m map[string]any, path, key string, dst *string) {
	if v, ok := m[key]; ok && d.err == nil {
		*dst = d.strValue(join(path, key), v)
	}
}

func (d *decoder) strValue(path string, v any) string {
	s, ok := v.(string)
	if !ok {
		d.fail(path, "must be a string, got %s", describe(v))
	}
	return s
}

func (d *decoder) bool(m map[string]any, path, key string, dst *bool) {
	if v, ok := m[key]; ok && d.err == nil {
		b, ok := v.(bool)
		if !ok {
			d.fail(join(path, key), "must be a boolean, got %s", describe(v))
		}
		*dst = b
	}
}

// plan reads the top-level mapping onto base. Omitted keys of points and
// chain keep base's values; levels, tiers, big regions and profiles, when
// given, replace base's whole (rule 1).
func (d *decoder) plan(v any, base *Plan) *Plan {
	p := base
	m := d.fields("", v, "invite_requires_active", "points", "chain", "levels", "regions", "profiles", "platform")
	d.bool(m, "", "invite_requires_active", &p.InviteRequiresActive)
	if v, ok := m["points"]; ok {
		const path = "points"
		pm := d.fields(path, v, "start_price_fen", "gift_ratio_bp", "sell_fee_bp", "exit_multiple_bp", "exit_fee_bp")
		d.int(pm, path, "start_price_fen", &p.Points.StartPriceFen)
		d.int(pm, path, "gift_ratio_bp", &p.Points.GiftRatioBP)
		d.int(pm, path, "sell_fee_bp", &p.Points.SellFeeBP)
		d.int(pm, path, "exit_multiple_bp", &p.Points.ExitMultipleBP)
		d.int(pm, path, "exit_fee_bp", &p.Points.ExitFeeBP)
	}
	if v, ok := m["chain"]; ok {
		const path = "chain"
		cm := d.fields(path, v, "boss_threshold", "direct_bp", "seepoint_bp", "peer_rate_bp", "freeze_bp", "unlock_team_orders", "dead_line_policy")
		d.int(cm, path, "boss_threshold", &p.Chain.BossThreshold)
		d.int(cm, path, "direct_bp", &p.Chain.DirectBP)
		d.int(cm, path, "seepoint_bp", &p.Chain.SeepointBP)
		d.int(cm, path, "peer_rate_bp", &p.Chain.PeerRateBP)
		d.int(cm, path, "freeze_bp", &p.Chain.FreezeBP)
		d.int(cm, path, "unlock_team_orders", &p.Chain.UnlockTeamOrders)
		d.str(cm, path, "dead_line_policy", &p.Chain.DeadLinePolicy)
	}
	if v, ok := m["levels"]; ok {
		p.Levels = d.levels("levels", v)
	}
	if v, ok := m["regions"]; ok {
		rm := d.fields("regions", v, "tiers", "bigregions")
		if v, ok := rm["tiers"]; ok {
			p.Regions.Tiers = d.tiers("regions.tiers", v)
		}
		if v, ok := rm["bigregions"]; ok {
			p.Regions.BigRegions = d.bigRegions("regions.bigregions", v)
		}
	}
	if v, ok := m["profiles"]; ok {
		p.Profiles, p.ProfileNames = d.profiles("profiles", v)
	}
	if p.Profiles == nil {
		p.Profiles = map[string]*Profile{}
	}
	if v, ok := m["platform"]; ok {
		const path = "platform"
		pm := d.fields(path, v, "return_window_days", "withdraw_min_fen", "withdraw_fee_bp")
		d.int(pm, path, "return_window_days", &p.Platform.ReturnWindowDays)
		d.int(pm, path, "withdraw_min_fen", &p.Platform.WithdrawMinFen)
		d.int(pm, path, "withdraw_fee_bp", &p.Platform.WithdrawFeeBP)
	}
	return p
}

func (d *decoder) levels(path string, v any) []Level {
	seq := d.sequence(path, v)
	levels := make([]Level, len(seq))
	for i, lv := range seq {
		path := index(path, i)
		lm := d.fields(path, lv, "code", "name", "diff_bp", "dividend_share_bp", "conditions")
		d.require(lm, path, "code")
		l := &levels[i]
		d.str(lm, path, "code", &l.Code)
		d.str(lm, path, "name", &l.Name)
		d.int(lm, path, "diff_bp", &l.DiffBP)
		d.int(lm, path, "dividend_share_bp", &l.DividendShareBP)
		// Null and {} are both "no condition": reached only by a package or
		// an operator (reward-plan.md §5), not a condition that always holds.
		if cv, ok := lm["conditions"]; ok && cv != nil {
			if m, isMap := cv.(map[string]any); !isMap || len(m) > 0 {
				l.Conditions = d.conditions(join(path, "conditions"), cv)
			}
		}
	}
	return levels
}

func (d *decoder) conditions(path string, v any) *Conditions {
	cm := d.fields(path, v, "self_spend_fen", "direct_active", "direct_at_level", "team_sales_fen", "team_size")
	c := &Conditions{}
	d.int(cm, path, "self_spend_fen", &c.SelfSpendFen)
	d.int(cm, path, "direct_active", &c.DirectActive)
	d.int(cm, path, "team_sales_fen", &c.TeamSalesFen)
	d.int(cm, path, "team_size", &c.TeamSize)
	if dv, ok := cm["direct_at_level"]; ok {
		path := join(path, "direct_at_level")
		dm := d.fields(path, dv, "level", "count")
		d.require(dm, path, "level", "count")
		c.DirectAtLevel = &DirectAtLevel{}
		d.str(dm, path, "level", &c.DirectAtLevel.Level)
		d.int(dm, path, "count", &c.DirectAtLevel.Count)
	}
	return c
}

func (d *decoder) tiers(path string, v any) []Tier {
	seq := d.sequence(path, v)
	tiers := make([]Tier, len(seq))
	for i, tv := range seq {
		path := index(path, i)
		tm := d.fields(path, tv, "tier", "rate_bp")
		d.require(tm, path, "tier")
		d.str(tm, path, "tier", &tiers[i].Tier)
		d.int(tm, path, "rate_bp", &tiers[i].RateBP)
	}
	return tiers
}

func (d *decoder) bigRegions(path string, v any) map[string][]string {
	m := d.mapping(path, v)
	regions := make(map[string][]string, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		path := join(path, name)
		seq := d.sequence(path, m[name])
		provinces := make([]string, len(seq))
		for i, pv := range seq {
			provinces[i] = d.strValue(index(path, i), pv)
		}
		regions[name] = provinces
	}
	return regions
}

func (d *decoder) profiles(path string, v any) (map[string]*Profile, []string) {
	m := d.mapping(path, v)
	names := slices.Sorted(maps.Keys(m))
	profiles := make(map[string]*Profile, len(m))
	for _, name := range names {
		profiles[name] = d.profile(join(path, name), m[name])
	}
	return profiles, names
}

func (d *decoder) profile(path string, v any) *Profile {
	pm := d.fields(path, v, "activates_agent", "grants_level", "cost_bp", "points_bp", "chain",
		"dividend_bp", "service_point_bp", "region", "level", "shareholder_bp", "distribution")
	pr := &Profile{}
	d.bool(pm, path, "activates_agent", &pr.ActivatesAgent)
	d.str(pm, path, "grants_level", &pr.GrantsLevel)
	d.int(pm, path, "cost_bp", &pr.CostBP)
	d.int(pm, path, "points_bp", &pr.PointsBP)
	d.int(pm, path, "dividend_bp", &pr.DividendBP)
	d.int(pm, path, "service_point_bp", &pr.ServicePointBP)
	d.int(pm, path, "shareholder_bp", &pr.ShareholderBP)
	// The nested buckets: an omitted group, like an omitted key, is 0.
	if v, ok := pm["chain"]; ok {
		path := join(path, "chain")
		d.int(d.fields(path, v, "budget_bp"), path, "budget_bp", &pr.ChainBudgetBP)
	}
	if v, ok := pm["region"]; ok {
		path := join(path, "region")
		d.int(d.fields(path, v, "budget_bp"), path, "budget_bp", &pr.RegionBudgetBP)
	}
	if v, ok := pm["level"]; ok {
		path := join(path, "level")
		lm := d.fields(path, v, "budget_bp", "peer_bp")
		d.int(lm, path, "budget_bp", &pr.LevelBudgetBP)
		d.int(lm, path, "peer_bp", &pr.LevelPeerBP)
	}
	if v, ok := pm["distribution"]; ok {
		path := join(path, "distribution")
		dm := d.fields(path, v, "direct_bp", "indirect_bp")
		d.int(dm, path, "direct_bp", &pr.DistributionDirectBP)
		d.int(dm, path, "indirect_bp", &pr.DistributionIndirectBP)
	}
	return pr
}
