package replay_test

// Section scenarios: an independent second reading of the settlement spec
// (/work/shared/spec: reward-plan.md, details.md, replay.md,
// default-plan.yaml) as small replay scripts whose expected numbers were
// worked out by hand from the spec text, not by running the engine.
//
// Each scenario NAME has testdata/sections/NAME.jsonl (the script), an
// optional NAME.plan.yaml (the --plan file; absent = the built-in default
// plan) and an optional NAME.out.json (the full output, a golden file
// written with -update once the hand assertions pass).
//
// Notation in the comments: part(A, bp) = floor(A*bp/10000); "f/a" is the
// frozen/available split of a chain credit c: part(c, 2000) frozen, the rest
// available (reward-plan.md 3.4). A ¥1000 gift under the default plan is
// A = 100000 fen: cost 20000, points pool 30000, chain budget 33000
// (direct 10000, see-point 20000, peer 10 % of what a boss is credited),
// dividend 4000, service point 2000, region 1000, level 3000, remainder
// 7000. So an order of the default gift puts, on platform:profit,
// 7000 + 2000 + 1000 + 3000 = 13000 (no service point, region agent or
// level holder) plus the chain budget not credited to members.
//
// Lines starting with "SPEC:" note a reading of a point the spec leaves
// open.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/replay"
)

const secDir = "testdata/sections"

func init() {
	// -update may also be defined by another test file of this test binary.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/sections/*.out.json from the current output")
	}
}

func secUpdate() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	if g, ok := f.Value.(flag.Getter); ok {
		if b, ok := g.Get().(bool); ok {
			return b
		}
	}
	b, _ := strconv.ParseBool(f.Value.String())
	return b
}

// ---------------------------------------------------------------------------
// Output model and assertion helpers

type secMember struct {
	Exits    int64       `json:"exits"`
	Level    string      `json:"level"`
	Parent   *string     `json:"parent"`
	PeerUp   *string     `json:"peer_up"`
	Referrer *string     `json:"referrer"`
	Role     string      `json:"role"`
	RoundC   json.Number `json:"round_c_fen"`
	RoundO   json.Number `json:"round_o_upt"`
	Slot     int64       `json:"slot"`
	Team     *string     `json:"team"`
	Unlocked bool        `json:"unlocked"`
}

type secPoints struct {
	Holdings     map[string]json.Number `json:"holdings"`
	PoolFen      json.Number            `json:"pool_fen"`
	RefPoolFen   json.Number            `json:"ref_pool_fen"`
	RefSupplyUpt json.Number            `json:"ref_supply_upt"`
	SupplyUpt    json.Number            `json:"supply_upt"`
}

type secOut struct {
	Accounts map[string]json.Number `json:"accounts"`
	Errors   []struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	} `json:"errors"`
	Members map[string]secMember `json:"members"`
	Points  secPoints            `json:"points"`
}

func secParse(t *testing.T, b []byte) *secOut {
	t.Helper()
	var o secOut
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&o); err != nil {
		t.Fatalf("output is not the JSON of replay.md: %v\n%s", err, b)
	}
	return &o
}

func secBig(t *testing.T, what string, n json.Number) *big.Int {
	t.Helper()
	if n == "" {
		return new(big.Int)
	}
	v, ok := new(big.Int).SetString(string(n), 10)
	if !ok {
		t.Errorf("%s: %q is not an integer", what, n)
		return new(big.Int)
	}
	return v
}

// secA carries the parsed output of one scenario.
type secA struct {
	t *testing.T
	o *secOut
}

func (a *secA) acctBig(name string) *big.Int {
	a.t.Helper()
	n, ok := a.o.Accounts[name]
	if !ok {
		return new(big.Int)
	}
	return secBig(a.t, "account "+name, n)
}

// acct checks one account balance; an absent account is 0.
func (a *secA) acct(name string, want int64) {
	a.t.Helper()
	if got := a.acctBig(name); got.Cmp(big.NewInt(want)) != 0 {
		a.t.Errorf("account %s = %s, want %d", name, got, want)
	}
}

func (a *secA) accts(m map[string]int64) {
	a.t.Helper()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		a.acct(k, m[k])
	}
}

// errLines checks the exact list of rejected line numbers.
func (a *secA) errLines(want ...int) {
	a.t.Helper()
	got := []int{}
	for _, e := range a.o.Errors {
		got = append(got, e.Line)
	}
	if want == nil {
		want = []int{}
	}
	if !reflect.DeepEqual(got, want) {
		a.t.Errorf("error lines = %v, want %v", got, want)
		for _, e := range a.o.Errors {
			a.t.Logf("  line %d: %s", e.Line, e.Error)
		}
	}
}

func (a *secA) mem(id string) (secMember, bool) {
	a.t.Helper()
	m, ok := a.o.Members[id]
	if !ok {
		a.t.Errorf("member %q missing from output", id)
	}
	return m, ok
}

func secStr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// place checks role, placement, team and peer upline ("" = null).
func (a *secA) place(id, role, parent string, slot int64, team, peerUp string) {
	a.t.Helper()
	m, ok := a.mem(id)
	if !ok {
		return
	}
	got := fmt.Sprintf("role=%s parent=%q slot=%d team=%q peer_up=%q", m.Role, secStr(m.Parent), m.Slot, secStr(m.Team), secStr(m.PeerUp))
	want := fmt.Sprintf("role=%s parent=%q slot=%d team=%q peer_up=%q", role, parent, slot, team, peerUp)
	if got != want {
		a.t.Errorf("member %s: %s, want %s", id, got, want)
	}
}

func (a *secA) referrer(id, ref string) {
	a.t.Helper()
	if m, ok := a.mem(id); ok && secStr(m.Referrer) != ref {
		a.t.Errorf("member %s: referrer %q, want %q", id, secStr(m.Referrer), ref)
	}
}

func (a *secA) level(id, level string) {
	a.t.Helper()
	if m, ok := a.mem(id); ok && m.Level != level {
		a.t.Errorf("member %s: level %q, want %q", id, m.Level, level)
	}
}

func (a *secA) unlocked(id string, want bool) {
	a.t.Helper()
	if m, ok := a.mem(id); ok && m.Unlocked != want {
		a.t.Errorf("member %s: unlocked %v, want %v", id, m.Unlocked, want)
	}
}

// round checks round_c_fen, round_o_upt and exits.
func (a *secA) round(id string, c, o, exits int64) {
	a.t.Helper()
	m, ok := a.mem(id)
	if !ok {
		return
	}
	gc, go_ := secBig(a.t, id+" round_c_fen", m.RoundC), secBig(a.t, id+" round_o_upt", m.RoundO)
	if gc.Cmp(big.NewInt(c)) != 0 || go_.Cmp(big.NewInt(o)) != 0 || m.Exits != exits {
		a.t.Errorf("member %s: round C=%s O=%s exits=%d, want C=%d O=%d exits=%d", id, gc, go_, m.Exits, c, o, exits)
	}
}

// holding checks points.holdings[id] (absent = 0) and <id>:points.
func (a *secA) holding(id string, want int64) {
	a.t.Helper()
	got := new(big.Int)
	if n, ok := a.o.Points.Holdings[id]; ok {
		got = secBig(a.t, "holding "+id, n)
	}
	if got.Cmp(big.NewInt(want)) != 0 {
		a.t.Errorf("points.holdings[%s] = %s, want %d", id, got, want)
	}
	a.acct(id+":points", want)
}

func (a *secA) pts(pool, supply, refPool, refSupply int64) {
	a.t.Helper()
	p := a.o.Points
	got := fmt.Sprintf("pool_fen=%s supply_upt=%s ref_pool_fen=%s ref_supply_upt=%s",
		secBig(a.t, "pool_fen", p.PoolFen), secBig(a.t, "supply_upt", p.SupplyUpt),
		secBig(a.t, "ref_pool_fen", p.RefPoolFen), secBig(a.t, "ref_supply_upt", p.RefSupplyUpt))
	want := fmt.Sprintf("pool_fen=%d supply_upt=%d ref_pool_fen=%d ref_supply_upt=%d", pool, supply, refPool, refSupply)
	if got != want {
		a.t.Errorf("points: %s, want %s", got, want)
	}
}

// memberSet checks the exact set of member ids.
func (a *secA) memberSet(ids ...string) {
	a.t.Helper()
	got := make([]string, 0, len(a.o.Members))
	for k := range a.o.Members {
		got = append(got, k)
	}
	sort.Strings(got)
	want := append([]string(nil), ids...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		a.t.Errorf("members = %v, want %v", got, want)
	}
}

// secIsPointsAccount: <member>:points and points:issued are in µpt; every
// other account (pool:points included) is money.
func secIsPointsAccount(name string) bool {
	return name == "points:issued" || (name != "pool:points" && strings.HasSuffix(name, ":points"))
}

// secInvariants: the ledger rules of reward-plan.md 9 / details.md 9 that
// hold for every output: money accounts sum to 0, points accounts sum to 0,
// points:issued = -S, pool:points = P, holdings = the <m>:points accounts,
// no member account negative, every listed account non-zero.
func secInvariants(t *testing.T, o *secOut) {
	t.Helper()
	money, pts := new(big.Int), new(big.Int)
	for name, n := range o.Accounts {
		v := secBig(t, "account "+name, n)
		if v.Sign() == 0 {
			t.Errorf("account %s listed with balance 0 (replay.md: only non-zero balances)", name)
		}
		if secIsPointsAccount(name) {
			pts.Add(pts, v)
		} else {
			money.Add(money, v)
		}
		if i := strings.LastIndexByte(name, ':'); i > 0 {
			owner, kind := name[:i], name[i+1:]
			switch {
			case owner == "pool" || owner == "platform" || owner == "external":
			case kind == "available" || kind == "frozen" || kind == "withdrawing" || kind == "points":
				if _, ok := o.Members[owner]; !ok {
					t.Errorf("account %s of an unknown member", name)
				}
				if v.Sign() < 0 {
					t.Errorf("member account %s = %s is negative", name, v)
				}
			}
		}
	}
	if money.Sign() != 0 {
		t.Errorf("money accounts sum to %s, want 0", money)
	}
	if pts.Sign() != 0 {
		t.Errorf("points accounts sum to %s, want 0", pts)
	}
	supply := secBig(t, "supply_upt", o.Points.SupplyUpt)
	issued := new(big.Int)
	if n, ok := o.Accounts["points:issued"]; ok {
		issued = secBig(t, "points:issued", n)
	}
	if new(big.Int).Neg(issued).Cmp(supply) != 0 {
		t.Errorf("points:issued = %s, want -supply_upt = -%s", issued, supply)
	}
	pool := new(big.Int)
	if n, ok := o.Accounts["pool:points"]; ok {
		pool = secBig(t, "pool:points", n)
	}
	if pool.Cmp(secBig(t, "pool_fen", o.Points.PoolFen)) != 0 {
		t.Errorf("pool:points = %s, pool_fen = %s: want equal", pool, o.Points.PoolFen)
	}
	sum := new(big.Int)
	for m, n := range o.Points.Holdings {
		h := secBig(t, "holding "+m, n)
		sum.Add(sum, h)
		if h.Sign() <= 0 {
			t.Errorf("holdings[%s] = %s, want > 0", m, h)
		}
		if acc, ok := o.Accounts[m+":points"]; !ok || secBig(t, m, acc).Cmp(h) != 0 {
			t.Errorf("holdings[%s] = %s but account %s:points = %q", m, h, m, acc)
		}
	}
	if sum.Cmp(supply) != 0 {
		t.Errorf("holdings sum to %s, supply_upt = %s", sum, supply)
	}
	for id, m := range o.Members {
		if (m.Parent == nil) != (m.Slot == 0) {
			t.Errorf("member %s: parent %q with slot %d", id, secStr(m.Parent), m.Slot)
		}
		if m.Role == "member" && (m.Parent != nil || m.Team != nil || m.PeerUp != nil) {
			t.Errorf("inactive member %s is placed", id)
		}
	}
}

// ---------------------------------------------------------------------------
// Running scenarios and golden files

func secRead(t *testing.T, name string) (script, plan []byte, planName string) {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(secDir, name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	planName = name + ".plan.yaml"
	plan, err = os.ReadFile(filepath.Join(secDir, planName))
	if os.IsNotExist(err) {
		return script, nil, ""
	} else if err != nil {
		t.Fatal(err)
	}
	return script, plan, planName
}

func secDecodeAny(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("bad JSON: %v", err)
	}
	return v
}

// secNormalize keeps only the line numbers of errors (replay.md: of errors
// only the line numbers are compared).
func secNormalize(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	if errs, ok := m["errors"].([]any); ok {
		lines := []any{}
		for _, e := range errs {
			if em, ok := e.(map[string]any); ok {
				lines = append(lines, em["line"])
			} else {
				lines = append(lines, e)
			}
		}
		out["errors"] = lines
	}
	return out
}

func secDiff(path string, a, b any, out *[]string) {
	if len(*out) >= 30 {
		return
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: %v vs %v", path, a, b))
			return
		}
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		ks := make([]string, 0, len(keys))
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			xv, xok := x[k]
			yv, yok := y[k]
			switch {
			case !xok:
				*out = append(*out, fmt.Sprintf("%s.%s: missing in output, golden %v", path, k, yv))
			case !yok:
				*out = append(*out, fmt.Sprintf("%s.%s: output %v, missing in golden", path, k, xv))
			default:
				secDiff(path+"."+k, xv, yv, out)
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			*out = append(*out, fmt.Sprintf("%s: output %v, golden %v", path, a, b))
			return
		}
		for i := range x {
			secDiff(fmt.Sprintf("%s[%d]", path, i), x[i], y[i], out)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, fmt.Sprintf("%s: output %v, golden %v", path, a, b))
		}
	}
}

type secCase struct {
	name  string
	check func(a *secA)
}

var secCases = []secCase{
	{"chain_splits", secChainSplits},
	{"promotion", secPromotion},
	{"inactive", secInactive},
	{"spillover", secSpillover},
	{"swap", secSwap},
	{"freeze_unlock", secFreezeUnlock},
	{"points", secPointsCase},
	{"level_diff", secLevelDiff},
	{"region", secRegion},
	{"dividends", secDividends},
	{"withdraw", secWithdraw},
	{"plan_change", secPlanChange},
	{"rejections", secRejections},
}

func TestSections(t *testing.T) {
	for _, c := range secCases {
		t.Run(c.name, func(t *testing.T) {
			script, plan, planName := secRead(t, c.name)
			out, err := replay.Run(plan, planName, script)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			o := secParse(t, out)
			secInvariants(t, o)
			c.check(&secA{t: t, o: o})

			golden := filepath.Join(secDir, c.name+".out.json")
			if secUpdate() {
				var buf bytes.Buffer
				if err := json.Indent(&buf, bytes.TrimSpace(out), "", "  "); err != nil {
					t.Fatal(err)
				}
				buf.WriteByte('\n')
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if os.IsNotExist(err) {
				return
			} else if err != nil {
				t.Fatal(err)
			}
			var diffs []string
			secDiff("", secNormalize(secDecodeAny(t, out)), secNormalize(secDecodeAny(t, want)), &diffs)
			if len(diffs) > 0 {
				t.Errorf("output differs from %s:\n  %s", golden, strings.Join(diffs, "\n  "))
			}
		})
	}
}

// TestSectionsRejectionsBlanked: a rejected command changes nothing
// (replay.md). The rejections script with every rejected line (by the hand
// list of secRejectedLines) replaced by a blank line (allowed and counted,
// details.md "Replay input and output" 1, 3) gives no errors and the same
// accounts, members and points.
func TestSectionsRejectionsBlanked(t *testing.T) {
	script, _, _ := secRead(t, "rejections")
	lines := strings.Split(string(script), "\n")
	for _, n := range secRejectedLines() {
		lines[n-1] = ""
	}
	blanked := []byte(strings.Join(lines, "\n"))
	full, err := replay.Run(nil, "", script)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := replay.Run(nil, "", blanked)
	if err != nil {
		t.Fatal(err)
	}
	f := secDecodeAny(t, full).(map[string]any)
	c := secDecodeAny(t, clean).(map[string]any)
	if errs, _ := c["errors"].([]any); len(errs) != 0 {
		t.Errorf("blanked script still has errors: %v", errs)
	}
	for _, k := range []string{"accounts", "members", "points"} {
		var diffs []string
		secDiff(k, f[k], c[k], &diffs)
		if len(diffs) > 0 {
			t.Errorf("%s differ with the rejected lines blanked (output vs blanked):\n  %s", k, strings.Join(diffs, "\n  "))
		}
	}
}

// TestSectionsUnreadable: the exit-2 cases (details.md "Replay input and
// output" 1) make Run fail; blank lines, \r\n and an empty plan document do
// not.
func TestSectionsUnreadable(t *testing.T) {
	join := `{"op": "join", "id": "a"}` + "\n"
	for _, s := range []string{
		join + "not json\n",
		join + "[1, 2]\n",
		join + `"join"` + "\n",
		join + "42\n",
		join + `{"op": "join", "id": "b"} {"op": "join", "id": "c"}` + "\n",
		join + `{"op": "order", "id": "o", "member": "a", "profile": "gift", "amount_fen": NaN}` + "\n",
		join + `{"op": "order", "id": "o", "member": "a", "profile": "gift", "amount_fen": Infinity}` + "\n",
		join + `{"op": "join", "id": "b"` + "\n",
	} {
		if out, err := replay.Run(nil, "", []byte(s)); err == nil {
			t.Errorf("script %q: Run succeeded, want an unreadable-script error; output %s", s, out)
		}
	}
	for _, p := range []string{
		"chain: {direct_bp: 1.5}\n",               // not an integer (rule 5)
		"foo: 1\n",                                // unknown key (rule 3)
		"chain:\n  direct_bp: 10001\n",            // bp outside 0..10000 (rule 7)
		"points:\n  start_price_fen: 0\n",         // start_price_fen < 1
		"invite_requires_active: yes\n",           // yes is a string (rule 6)
		"levels:\n  - code: 1\n",                  // a level code must be a string (rule 6)
		"regions:\n  bigregions:\n    华北: [11]\n", // province codes are strings
		"chain:\n  dead_line_policy: null\n",      // null (rule 4)
		"chain:\n  dead_line_policy: spillover\n  boss_threshold: 2\n",
		"profiles:\n  gift: {cost_bp: 6000, points_bp: 5000}\n",
		"profiles:\n  gift: {grants_level: king}\n",
	} {
		if out, err := replay.Run([]byte(p), "bad.yaml", []byte(join)); err == nil {
			t.Errorf("plan %q: Run succeeded, want an invalid-plan error; output %s", p, out)
		}
	}

	// Blank and whitespace-only lines are counted; \r\n is a line break.
	out, err := replay.Run(nil, "", []byte("\n  \t\n"+`{"op": "join", "id": "a"}`+"\r\n"+`{"op": "fly"}`+"\r\n\n"))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	a := &secA{t: t, o: secParse(t, out)}
	a.errLines(4)
	a.memberSet("a")

	// An empty plan document is the default plan (Plan document rule 1);
	// a JSON plan is read by its .json name or by its leading '{' (rule 6).
	script, _, _ := secRead(t, "points")
	def, err := replay.Run(nil, "", script)
	if err != nil {
		t.Fatal(err)
	}
	for _, pf := range []struct{ data, name string }{
		{"", "empty.yaml"},
		{"# only a comment\n", "comment.yaml"},
		{"{}", "empty.json"},
		{"  \n{}\n", "braces.yaml"},
		{`{"invite_requires_active": true, "chain": {"direct_bp": 1000}}`, "p.json"},
	} {
		got, err := replay.Run([]byte(pf.data), pf.name, script)
		if err != nil {
			t.Errorf("plan %s %q: %v", pf.name, pf.data, err)
			continue
		}
		var diffs []string
		secDiff("", secNormalize(secDecodeAny(t, got)), secNormalize(secDecodeAny(t, def)), &diffs)
		if len(diffs) > 0 {
			t.Errorf("plan %s %q differs from the default plan:\n  %s", pf.name, pf.data, strings.Join(diffs, "\n  "))
		}
	}
}

// ---------------------------------------------------------------------------
// 1. chain_splits — reward-plan.md 3.3 / 3.4 under the default plan.

func secChainSplits(a *secA) {
	// Tree (policy none, K = 3), line by line:
	//  l2  oA: A root, no referrer → direct to platform; no team → see-point to
	//      platform (details 3.3: not credited, so not counted in the budget).
	//  l4  oB: B → A slot 1, team(B) = team(A) = none. A +10000 direct.
	//  l6  oC: C → A slot 2, team none. A +10000.
	//  l8  oD: D → A slot 3: A promoted, peerUp(A) = team(A) = none; team(D) = A.
	//      A +10000 direct +20000 see-point; A has no peer upline → no peer.
	//  l10 oE: E → D slot 1, team(E) = team(D) = A. D (agent) +10000, A +20000
	//      (platform 3000: an agent's referral under a boss with no peer upline).
	//  l12 oF: F → D slot 2, same: D +10000, A +20000.
	//  l14 oG: G → D slot 3: D promoted, peerUp(D) = team(D) = A; team(G) = D.
	//      Promotion precedes the rewards (details 3.2): D +10000 +20000 as a
	//      boss; A peer(direct) +1000, peer(see-point) +2000 → 33000, platform 0.
	//  l16 oH: H → G slot 1, team(H) = team(G) = D.
	//      CASE (a), an agent's first referral: G +10000 (¥100), D +20000 (¥200),
	//      peerUp(D) = A +2000 (¥20); 32000 credited, 1000 (¥10) to platform.
	//  l18 oI: I → G slot 2: CASE (a) again, the second referral: G +10000,
	//      D +20000, A +2000.
	//  l20 oJ: J → D slot 4 (policy none: no slot limit), team(J) = D.
	//      CASE (b), a boss refers a buyer in its own team: D +10000 +20000
	//      (¥300), A +1000 +2000 (¥30); ¥330 in all.
	//  l21 oJ2: J again, A = 12345: direct part(12345,1000) = 1234 and
	//      see-point part(12345,2000) = 2469 to D; peers floor(1234*1000/10000)
	//      = 123 and floor(2469*1000/10000) = 246 to A. Total 4072 ≤ budget
	//      part(12345,3300) = 4073 → 1 to platform.
	//      Freeze is per credit (3.4 "Each chain reward ... is split"):
	//      D: 1234 → 246 f / 988 a; 2469 → 493 f / 1976 a  (739 frozen, not
	//      part(3703,2000) = 740); A: 123 → 24/99; 246 → 49/197.
	//  Budget cuts (3.3 step 4, order direct, see-point, peer(direct),
	//  peer(see-point)); each `plan` (l22/25/28/31) gives the whole gift profile
	//  with a smaller chain budget_bp; K, L, M, N → D slots 5..8, team D:
	//  l24 oK, budget 3200 → 32000: D 10000 + 20000, A peer(direct) 1000,
	//      A peer(see-point) 2000 cut to 1000.
	//  l27 oL, budget 3050 → 30500: D 10000 + 20000, A peer(direct) cut to 500,
	//      peer(see-point) cut to 0.
	//  l30 oM, budget 2500 → 25000: D direct 10000, D see-point cut to 15000;
	//      peers floor(10000/10) = 1000 and floor(15000/10) = 1500 (details 3.4:
	//      on what was credited after the cut) are both cut to 0.
	//  l33 oN, budget 800 → 8000: D direct cut to 8000; all else 0.
	a.errLines()

	// A's chain credits (f/a each):
	//  l4 10000 (2000/8000), l6 10000 (2000/8000), l8 10000 + 20000 (6000/24000),
	//  l10 20000 (4000/16000), l12 20000 (4000/16000), l14 1000 + 2000 (600/2400),
	//  l16 2000 (400/1600), l18 2000 (400/1600), l20 1000 + 2000 (600/2400),
	//  l21 123 + 246 (73/296), l24 1000 + 1000 (400/1600), l27 500 (100/400).
	//  frozen 20573, available 82296 (total 102869).
	// D's: l10 10000, l12 10000, l14 30000, l16 20000, l18 20000, l20 30000,
	//  l21 1234 + 2469 (739/2964), l24 30000, l27 30000, l30 10000 + 15000,
	//  l33 8000 → total 216703; frozen 2000+2000+6000+4000+4000+6000+739+6000
	//  +6000+5000+1600 = 43339, available 173364.
	// G's: l16 10000, l18 10000 → 4000 frozen / 16000 available.
	// Orders: 14 × 100000 + 12345 = 1412345. cost 14×20000 + part(12345,2000)
	//  = 282469; pool:points 14×30000 + part(12345,3000) = 423703;
	//  pool:dividend 14×4000 + part(12345,400) = 56493.
	// platform:profit = Σ(A − cost − points − dividend) − member credits
	//  = 1412345 − 282469 − 423703 − 56493 − (102869 + 216703 + 20000) = 310108.
	a.accts(map[string]int64{
		"A:frozen": 20573, "A:available": 82296,
		"D:frozen": 43339, "D:available": 173364,
		"G:frozen": 4000, "G:available": 16000,
		"B:available": 0, "E:available": 0, "H:available": 0, "J:available": 0,
		"external:payments": -1412345,
		"platform:cost":     282469,
		"pool:points":       423703,
		"pool:dividend":     56493,
		"platform:profit":   310108,
	})
	a.place("A", "boss", "", 0, "", "")
	a.place("B", "agent", "A", 1, "", "")
	a.place("C", "agent", "A", 2, "", "")
	a.place("D", "boss", "A", 3, "A", "A")
	a.place("E", "agent", "D", 1, "A", "")
	a.place("F", "agent", "D", 2, "A", "")
	a.place("G", "agent", "D", 3, "D", "")
	a.place("H", "agent", "G", 1, "D", "")
	a.place("I", "agent", "G", 2, "D", "")
	a.place("J", "agent", "D", 4, "D", "")
	a.place("K", "agent", "D", 5, "D", "")
	a.place("L", "agent", "D", 6, "D", "")
	a.place("M", "agent", "D", 7, "D", "")
	a.place("N", "agent", "D", 8, "D", "")
	a.unlocked("A", false)
	a.unlocked("D", false)
}

// ---------------------------------------------------------------------------
// 2. promotion — reward-plan.md 3.1 / 3.2, details 3.1 / 3.2.

func secPromotion(a *secA) {
	// l2  oA: A root; all chain to platform.
	// l4, l6 oB/oC: B, C → A slots 1, 2, team none. A +10000 each.
	// l8  oD: D → A slot 3: A boss (the third agent), peerUp(A) = none;
	//     team(D) = A. A +10000 +20000.
	// l10, l12 oB1/oB2: → B slots 1, 2, team(B1) = team(B) = team(A) = none.
	//     B +10000 each; see-points to platform.
	// l14 oB3: → B slot 3: B boss, peerUp(B) = team(B) = none; team(B3) = B.
	//     B +10000 +20000, no peer (no peer upline).
	// l16, l18 oD1/oD2: → D slots 1, 2, team = team(D) = A. D +10000 (agent: no
	//     peer), A +20000 (A has no peer upline). platform 3000 each.
	// l20 oD3: → D slot 3: D boss, peerUp(D) = team(D) = A; team(D3) = D.
	//     D +10000 +20000; A +1000 +2000.
	// l22, l24 oY1/oY2: → D3 slots 1, 2, team = team(D3) = D. D3 +10000 (agent),
	//     D +20000, peerUp(D) = A +2000; platform 1000.
	// l26 oY3: → D3 slot 3. Step 1 (activation + promotion) precedes the rewards
	//     (details 3.2): D3 boss, peerUp(D3) = team(D3) = D, team(Y3) = D3.
	//     D3 +10000 direct +20000 see-point AS A BOSS → peer 1000 + 2000 to D.
	// l27 oD3b: a boss's own order still pays see-point to team(boss), its former
	//     boss (3.2): direct to referrer D +10000 (+1000 peer to A),
	//     see-point to team(D3) = D +20000 (+2000 peer to A).
	// l28 oDb: D's own order: direct A +10000, see-point team(D) = A +20000; A has
	//     no peer upline → platform 3000.
	// l29 Z joins under A and never buys: role member, unplaced.
	// l31 oB4: → B slot 4, team(B4) = B. B +10000 +20000; B's peerUp is none →
	//     platform 3000.
	a.errLines()

	// Credits are multiples of 5, so frozen = exactly 20 %:
	//  A: 10000 + 10000 + 30000 + 20000 + 20000 + 3000 + 2000 + 2000 + 3000 + 30000
	//     = 130000 → 26000 f / 104000 a.
	//  B: 10000 + 10000 + 30000 + 30000 = 80000 → 16000 / 64000.
	//  D: 10000 + 10000 + 30000 + 20000 + 20000 + 3000 + 30000 = 123000 → 24600 / 98400.
	//  D3: 10000 + 10000 + 30000 = 50000 → 10000 / 40000.
	// 16 orders: payments 1600000, cost 320000, pool 480000, dividend 64000;
	// profit 1600000 − 320000 − 480000 − 64000 − 383000 = 353000
	// (= 16 × 13000 + chain left over 145000).
	a.accts(map[string]int64{
		"A:frozen": 26000, "A:available": 104000,
		"B:frozen": 16000, "B:available": 64000,
		"D:frozen": 24600, "D:available": 98400,
		"D3:frozen": 10000, "D3:available": 40000,
		"C:available": 0, "D1:available": 0, "Y3:available": 0,
		"external:payments": -1600000,
		"platform:cost":     320000,
		"pool:points":       480000,
		"pool:dividend":     64000,
		"platform:profit":   353000,
	})
	a.place("A", "boss", "", 0, "", "")
	a.place("B", "boss", "A", 1, "", "")
	a.place("C", "agent", "A", 2, "", "")
	a.place("D", "boss", "A", 3, "A", "A")
	a.place("B1", "agent", "B", 1, "", "")
	a.place("B2", "agent", "B", 2, "", "")
	a.place("B3", "agent", "B", 3, "B", "")
	a.place("B4", "agent", "B", 4, "B", "")
	a.place("D1", "agent", "D", 1, "A", "")
	a.place("D2", "agent", "D", 2, "A", "")
	a.place("D3", "boss", "D", 3, "D", "D")
	a.place("Y1", "agent", "D3", 1, "D", "")
	a.place("Y2", "agent", "D3", 2, "D", "")
	a.place("Y3", "agent", "D3", 3, "D3", "")
	a.place("Z", "member", "", 0, "", "")
	a.referrer("Z", "A")
	a.referrer("Y3", "D3")
	a.referrer("A", "")
	a.memberSet("A", "B", "C", "D", "B1", "B2", "B3", "B4", "D1", "D2", "D3", "Y1", "Y2", "Y3", "Z")
}

// ---------------------------------------------------------------------------
// 3. inactive — invite_requires_active: false (inactive.plan.yaml), details 1.1.

func secInactive(a *secA) {
	// l2  B joins under inactive A: allowed by the plan.
	// l3  oB: B activated while A is inactive → a root for good (3.2 rule 1,
	//     details 1.1). Direct: A not active → platform; see-point: B has no
	//     team → platform. Points: first issue u = floor(21000*1000000/100)
	//     = 210000000 to B.
	// l4  oA: A activates, no referrer → root. u = floor(21000*210e6/30000) = 147e6.
	// l5  oB2: B active, its referrer A now active → A +10000 direct (f/a
	//     2000/8000); see-point: B has no team → platform.
	//     u = floor(21000*357e6/60000) = 124950000 to B.
	// l7  oC: C → A slot 1 (B never became A's child), team(C) = team(A) = none.
	//     A +10000 (2000/8000). u = floor(21000*481950000/90000) = 112455000.
	// l8  oB3 retail (activates_agent false, chain budget 0): cost 60000,
	//     points c = 10000, shareholder part(100000,200) = 2000, distribution
	//     direct part(100000,1000) = 10000 to the referrer A (active; details 1.1:
	//     the referrer still earns the distribution), indirect 5000: A has no
	//     referrer → platform. Not a chain reward → not frozen.
	//     SPEC: distribution is credited to <member>:available (3.4 freezes only
	//     chain rewards).
	//     Points: g = part(10000,7000) = 7000, u = floor(7000*594405000/120000)
	//     = 34673625 to B.
	// l9  referrer "nobody" does not exist → rejected.
	// l10 Y names itself as referrer → rejected (details 1.5).
	// l11 referrer "" names a member that does not exist → rejected.
	// l12-13 Q joins; R joins under inactive Q (allowed by the plan in force).
	// l14 `plan {}` → the default plan (invite_requires_active: true).
	// l15 V under inactive Q → rejected. l16 V under active A → accepted.
	// l17 oR: R activated while Q is inactive → root; direct (Q inactive) and
	//     see-point to platform. u = floor(21000*629078625/130000) = 101620393.
	// l18 N with referrer null = omitted (details 8) → accepted root.
	a.errLines(9, 10, 11, 15)

	// A: chain 2 × 10000 → 4000 f / 16000 a; + 10000 distribution available.
	// Orders: 5 gifts + 1 retail = 600000. cost 5×20000 + 60000 = 160000;
	// pool 5×30000 + 10000 = 160000; dividend 5×4000 = 20000; shareholder 2000.
	// profit = 600000 − 160000 − 160000 − 20000 − 2000 − 30000 = 228000.
	a.accts(map[string]int64{
		"A:frozen": 4000, "A:available": 26000,
		"B:available": 0, "B:frozen": 0, "Q:available": 0,
		"external:payments": -600000,
		"platform:cost":     160000,
		"pool:points":       160000,
		"pool:dividend":     20000,
		"pool:shareholder":  2000,
		"platform:profit":   228000,
	})
	// B's round: C = 3 orders that issued points = 300000;
	// O = 210000000 + 124950000 + 34673625 = 369623625.
	a.holding("B", 369623625)
	a.holding("A", 147000000)
	a.holding("C", 112455000)
	a.holding("R", 101620393)
	a.round("B", 300000, 369623625, 0)
	a.round("A", 100000, 147000000, 0)
	// S = 369623625 + 147e6 + 112455000 + 101620393 = 730699018; P = 6 × c = 160000.
	a.pts(160000, 730699018, 100, 1000000)

	a.place("A", "agent", "", 0, "", "")
	a.place("B", "agent", "", 0, "", "")
	a.referrer("B", "A")
	a.place("C", "agent", "A", 1, "", "")
	a.place("Q", "member", "", 0, "", "")
	a.place("R", "agent", "", 0, "", "")
	a.referrer("R", "Q")
	a.place("V", "member", "", 0, "", "")
	a.referrer("V", "A")
	a.place("N", "member", "", 0, "", "")
	a.referrer("N", "")
	a.memberSet("A", "B", "C", "Q", "R", "V", "N")
}

// ---------------------------------------------------------------------------
// 4. spillover — reward-plan.md 3.5 spillover, details 3.9-3.12.

func secSpillover(a *secA) {
	// R (root) refers r1..r14, each buying a gift right after joining.
	//  r1, r2 → R slots 1, 2 (team(R) = none → team none; R +10000 each).
	//  r3 → R slot 3: R boss, peerUp none, team(r3) = R. R +10000 +20000.
	//  Phase 1 = layer 1 of the wealth line (r3): (r3,1), (r3,2):
	//    r4 → r3 slot 1, r5 → r3 slot 2; team = team(r3) = R (3.12 "R in
	//    line 3"). R +10000 direct +20000 see-point each.
	//  Phase 2 = layer 1 of line 1 then line 2: (r1,1) (r1,2) (r2,1) (r2,2):
	//    r6 → r1/1, r7 → r1/2, r8 → r2/1, r9 → r2/2; team = team(r1) = team(R)
	//    = none → see-points to platform (3.12); R +10000 direct each.
	//  Phase 3 = layer 2 of line 3: depth-1 nodes r4, r5:
	//    r10 → r4/1, r11 → r4/2, r12 → r5/1, r13 → r5/2; team = team(r4) = R.
	//    R +30000 each.
	//  Phase 4 = layer 2 of lines 1 and 2: r14 → r6/1, team none; R +10000.
	//  No slide promotes anyone: r3, r4, r5, r6 stay agents.
	//  R: 10000 + 10000 + 30000 + 30000 + 30000 + 4×10000 + 4×30000 + 10000
	//     = 280000 → 56000 f / 224000 a.
	a.place("R", "boss", "", 0, "", "")
	a.place("r1", "agent", "R", 1, "", "")
	a.place("r2", "agent", "R", 2, "", "")
	a.place("r3", "agent", "R", 3, "R", "")
	a.place("r4", "agent", "r3", 1, "R", "")
	a.place("r5", "agent", "r3", 2, "R", "")
	a.place("r6", "agent", "r1", 1, "", "")
	a.place("r7", "agent", "r1", 2, "", "")
	a.place("r8", "agent", "r2", 1, "", "")
	a.place("r9", "agent", "r2", 2, "", "")
	a.place("r10", "agent", "r4", 1, "R", "")
	a.place("r11", "agent", "r4", 2, "R", "")
	a.place("r12", "agent", "r5", 1, "R", "")
	a.place("r13", "agent", "r5", 2, "R", "")
	a.place("r14", "agent", "r6", 1, "", "")
	a.referrer("r13", "R")
	a.accts(map[string]int64{"R:frozen": 56000, "R:available": 224000, "r3:available": 0, "r4:available": 0})

	// T root refers t1, t2, S: T boss (peerUp none), team(S) = T.
	//  T +10000 (t1) +10000 (t2) +30000 (S).
	// S refers s1, s2 → S slots 1, 2, team = team(S) = T: S +10000, T +20000 each.
	// s1 refers y1 (own referral → s1's lowest free slot, 1); team = team(s1) = T:
	//  s1 +10000, T +20000.
	// S refers s3 → S slot 3: S boss, peerUp(S) = team(S) = T; team(s3) = S.
	//  S +10000 +20000, T peer +1000 +2000.
	// s4, s5 slide to phase 1: (s3,1), (s3,2); team = team(s3) = S:
	//  S +10000 +20000, T +1000 +2000 each.
	// s3 refers z1: details 3.11, s3's slots 1, 2 were filled by slides → z1
	//  takes slot 3 and s3 is a boss at once, peerUp(s3) = team(s3) = S;
	//  team(z1) = s3. s3 +10000 +20000 as a boss → S peer +1000 +2000
	//  (peer rewards earn no peer: T gets nothing from them).
	// s6: phase 2 position (s1,1) is already filled by y1 → skipped (3.10);
	//  s6 → (s1,2), team = team(s1) = T. S +10000 direct (+1000 peer to T);
	//  see-point T +20000 (T has no peer upline). Platform 2000.
	// s7 → (s2,1), s8 → (s2,2): same as s6.
	// s9: phase 3 = layer 2 of s3's line: depth-1 nodes s4, s5 (z1 is slot 3,
	//  not in the contribution tree) → (s4,1), team = team(s4) = S.
	//  S +10000 +20000, T +1000 +2000.
	// T: 10000 + 10000 + 30000 + 20000 + 20000 + 20000 + 3×3000 + 3×21000 + 3000
	//  = 185000 → 37000 / 148000.
	// S: 10000 + 10000 + 3×30000 + 3000 + 3×10000 + 30000 = 173000 → 34600 / 138400.
	// s1: 10000 → 2000 / 8000. s3: 30000 → 6000 / 24000.
	a.place("T", "boss", "", 0, "", "")
	a.place("t1", "agent", "T", 1, "", "")
	a.place("t2", "agent", "T", 2, "", "")
	a.place("S", "boss", "T", 3, "T", "T")
	a.place("s1", "agent", "S", 1, "T", "")
	a.place("s2", "agent", "S", 2, "T", "")
	a.place("y1", "agent", "s1", 1, "T", "")
	a.place("s3", "boss", "S", 3, "S", "S")
	a.place("s4", "agent", "s3", 1, "S", "")
	a.place("s5", "agent", "s3", 2, "S", "")
	a.place("z1", "agent", "s3", 3, "s3", "")
	a.place("s6", "agent", "s1", 2, "T", "")
	a.place("s7", "agent", "s2", 1, "T", "")
	a.place("s8", "agent", "s2", 2, "T", "")
	a.place("s9", "agent", "s4", 1, "S", "")
	a.accts(map[string]int64{
		"T:frozen": 37000, "T:available": 148000,
		"S:frozen": 34600, "S:available": 138400,
		"s1:frozen": 2000, "s1:available": 8000,
		"s3:frozen": 6000, "s3:available": 24000,
	})

	// After `plan {}` (policy none): U refers u1..u4; u4 → U slot 4 (no limit),
	// U boss at u3. Then `plan` spillover (details 3.9): u5 finds no free slot
	// among 1..3 → slides: phase 1 = (u3,1), (u3,2): u5, u6 (team(u3) = U);
	// u7 → phase 2 (u1,1), team(u1) = none. u4 stays in slot 4, in no line.
	// U: 10000 + 10000 + 30000 (u3) + 30000 (u4) + 30000 + 30000 + 10000
	//  = 150000 → 30000 / 120000.
	a.place("U", "boss", "", 0, "", "")
	a.place("u3", "agent", "U", 3, "U", "")
	a.place("u4", "agent", "U", 4, "U", "")
	a.place("u5", "agent", "u3", 1, "U", "")
	a.place("u6", "agent", "u3", 2, "U", "")
	a.place("u7", "agent", "u1", 1, "", "")
	a.accts(map[string]int64{"U:frozen": 30000, "U:available": 120000})

	// 38 orders: payments 3800000, cost 760000, pool 1140000, dividend 152000;
	// credits 280000 + 185000 + 173000 + 10000 + 30000 + 150000 = 828000;
	// profit 3800000 − 760000 − 1140000 − 152000 − 828000 = 920000.
	a.accts(map[string]int64{
		"external:payments": -3800000,
		"platform:cost":     760000,
		"pool:points":       1140000,
		"pool:dividend":     152000,
		"platform:profit":   920000,
	})
	a.errLines()
}

// ---------------------------------------------------------------------------
// 5. swap — reward-plan.md 3.5 swap, details 3.8, 3.13-3.17.

// secFNVParity is the parity of the 64-bit FNV-1a hash of s. The offset basis
// 14695981039346656037 is odd and the prime is odd, so each multiply keeps
// the low bit and each XOR flips it for an odd byte: the hash is even iff s
// has an odd number of odd bytes.
func secFNVParity(s string) uint64 {
	odd := 0
	for _, b := range []byte(s) {
		odd += int(b & 1)
	}
	return uint64(1^odd) & 1
}

func secSwap(a *secA) {
	// The hash parities used below, by hand (bytes p=0x70 even, '2'=0x32 even,
	// '3'=0x33 odd, '4'=0x34 even, '|'=0x7c even, G=0x47 odd, R=0x52 even,
	// d=0x64 even):
	//   "p2|G": one odd byte (G)  → even → swap with the slot-1 child.
	//   "p3|R": one odd byte ('3') → even → slot 1.
	//   "p3|d": one odd byte ('3') → even → slot 1.
	//   "4|R" (integer period 4, details 3.16): no odd byte → odd → slot 2.
	for s, want := range map[string]uint64{"p2|G": 0, "p3|R": 0, "p3|d": 0, "4|R": 1, "p6|R": 1} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got := h.Sum64() & 1; got != want || secFNVParity(s) != want {
			a.t.Fatalf("FNV-1a parity of %q: hash/fnv %d, by hand %d, comment says %d", s, got, secFNVParity(s), want)
		}
	}

	// Build (policy swap places like none):
	//  l2 oG root. l4 og1, l6 og2: g1, g2 → G slots 1, 2 (team none); G +10000 each.
	//  l8 oR: R → G slot 3: G boss (peerUp none); team(R) = G. G +10000 +20000.
	//  l10 oa, l12 ob: a, b → R slots 1, 2, team = team(R) = G. R +10000 each, G +20000 each.
	//  l14 oc: c → R slot 3: R boss, peerUp(R) = team(R) = G; team(c) = R.
	//      R +10000 +20000, G +1000 +2000.
	//  l16 od: d → R slot 4, team R. R +30000, G +3000.
	//  l18 oc1: c1 → c slot 1, team(c1) = team(c) = R. c +10000, R +20000, G +2000.
	//  l20 od1, l22 od2: d1, d2 → d slots 1, 2, team = team(d) = R.
	//      d +10000, R +20000, G +2000 each.
	//  l24 od3: d3 → d slot 3: d boss, peerUp(d) = team(d) = R; team(d3) = d.
	//      d +10000 +20000, R +1000 +2000.
	//  l25 close "p1": every line had its activating order in the period
	//      (details 3.13) → alive → no swap (G: g1 1, g2 1; R: a 1, b 1;
	//      d: d1 1, d2 1). c is no boss. Nobody has a level: the dividend rolls over.
	//  Period p2:
	//  l26 oa2: direct R +10000 (+1000 peer to G), see-point team(a) = G +20000.
	//  l27 oc1b: c +10000, R +20000, G +2000.
	//  l28 close "p2": counts since p1: g1 0, g2 0 → G's lines dead; own-slot
	//      child R: 2 (oa2, oc1b) → swap; "p2|G" even → R ↔ g1: R slot 1, g1 slot 3.
	//      R: line a had 1 order → alive → NO SWAP (a line alive).
	//      d: d1 0, d2 0 dead, but own-slot d3 had 0 → NO SWAP (needs ≥ 1).
	//      Teams recomputed: team(R) = team(G) = none; team(g1) = G;
	//      team(a) = team(b) = team(R) = none; c, d → R; c1, d1, d2 → R; d3 → d.
	//      peerUp(R) stays G, R and d stay bosses.
	//  Period p3:
	//  l29 oc1c: c +10000, see-point team(c1) = R +20000 (+2000 to G).
	//  l30, l31 od3b/od3c: d +10000 +20000 (+1000 +2000 to peerUp(d) = R) each.
	//  l32 close "p3": G: slot 1 R's subtree had 3 → alive, no swap.
	//      R: a 0, b 0 dead; own slots c (slot 3): 1, d (slot 4): 2 → d, the most
	//      chain orders; "p3|R" even → d ↔ a: d slot 1, a slot 4.
	//      d: d1 0, d2 0 dead; own slot d3: 2 → "p3|d" even → d3 ↔ d1: d3 slot 1,
	//      d1 slot 3. Decided on the counts before any swap (3.15).
	//      Teams: R none; d (R/1) none; b (R/2) none; c (R/3) R; a (R/4) R;
	//      c1 → team(c) = R; d3 (d/1) none; d2 (d/2) none; d1 (d/3) d.
	//  Period 4 (integer):
	//  l33 oc1x: c +10000, see-point team(c1) = R +20000 (+2000 to G).
	//  l34 close 4: R: d 0, b 0 dead; own slots c: 1, a: 0 → c; "4|R" odd →
	//      c ↔ b (slot 2): c slot 2, b slot 3. G: R alive. d: d3 0, d2 0 dead,
	//      own slot d1 0 → no swap.
	//      Teams: c (R/2) none → c1 none; b (R/3) R; a (R/4) R.
	//  After (orders pay by the new teams):
	//  l35 od3d: d +10000 (+1000 to R); see-point team(d3) = none → platform.
	//  l36 od1b: d +10000 +20000 (team(d1) = d), R +1000 +2000.
	//  l37 oa3: R +10000 +20000 (team(a) = R), G +1000 +2000.
	//  l38 oc1d: c +10000; see-point team(c1) = none → platform.
	//  l39 ob2: R +10000 +20000 (team(b) = R), G +1000 +2000.
	//  l40 close "p5": counts since close 4: od3d, od1b (d's subtree), oa3, oc1d,
	//      ob2. G: slot 1 R alive. R: slot 1 d had 2 → alive. d: slot 1 d3 had
	//      1 → alive. No swap.
	//      Unlock (default 20, details 3.6): G's slot-1 subtree (R's) holds every
	//      chain order but og1, og2, oG: oR oa ob oc od oc1 od1 od2 od3 oa2 oc1b
	//      oc1c od3b od3c oc1x od3d od1b oa3 oc1d ob2 = 20, + g2's og2 = 21 ≥ 20
	//      → G UNLOCKED: its 27000 frozen moves to available. R: d's subtree 8
	//      (od od1 od2 od3 od3b od3c od3d od1b) + c's 6 (oc oc1 oc1b oc1c oc1x
	//      oc1d) = 14 → locked. d: d3's 4 + d2's 1 = 5 → locked.
	//  l41 ob3: R +10000 +20000 (team(b) = R), G +1000 +2000 (not frozen now).
	//  l42 oa4: R +10000 +20000, G +1000 +2000.
	//  l43 close "p6": R: d 0, c 0 → dead; own slots b (slot 3) 1, a (slot 4) 1:
	//      a tie → the lowest slot, b. "p6|R" ('6' = 0x36 even: no odd byte) is
	//      odd → b ↔ c (slot 2): b slot 2, c slot 3. G: R alive. d: d3 0, d2 0
	//      dead, own slot d1 0 → no swap.
	//      Teams: b (R/2) none; c (R/3) R → c1 R again; a R.
	//  l44 oc1e: c +10000; see-point team(c1) = R +20000, G peer +2000.
	if secFNVParity("p6|R") != 1 {
		a.t.Fatal(`"p6|R" parity`)
	}
	a.errLines()

	// G: 10000 + 10000 + 30000 + 20000 + 20000 + 3000 + 3000 + 2000×3 (l18-22)
	//    + 21000 (l26) + 2000 (l27) + 2000 (l29) + 2000 (l33) + 3000 + 3000
	//    (l37, l39) = 135000, all available after p5; + 3000 + 3000 + 2000
	//    (l41, l42, l44) unfrozen = 143000 available.
	// R: 10000 + 10000 + 30000 + 30000 + 20000×3 (l18-22) + 3000 (l24)
	//    + 10000 (l26) + 20000 (l27) + 20000 (l29) + 3000 + 3000 (l30-31)
	//    + 20000 (l33) + 1000 (l35) + 3000 (l36) + 30000 + 30000 (l37, l39)
	//    + 30000 + 30000 + 20000 (l41, l42, l44) = 363000 → 72600 / 290400.
	// c: 6 × 10000 = 60000 → 12000 / 48000. d: 10000 + 10000 + 30000 + 30000
	//    + 30000 + 10000 + 30000 = 150000 → 30000 / 120000. All credits are
	//    multiples of 5 → frozen exactly 20 %.
	// 26 orders: 2600000; cost 520000; pool 780000; dividend 104000 (never paid:
	// no levels); profit 2600000 − 520000 − 780000 − 104000 − 716000 = 480000.
	a.accts(map[string]int64{
		"G:frozen": 0, "G:available": 143000,
		"R:frozen": 72600, "R:available": 290400,
		"c:frozen": 12000, "c:available": 48000,
		"d:frozen": 30000, "d:available": 120000,
		"a:available": 0, "d3:available": 0,
		"external:payments": -2600000,
		"platform:cost":     520000,
		"pool:points":       780000,
		"pool:dividend":     104000,
		"platform:profit":   480000,
	})
	a.place("G", "boss", "", 0, "", "")
	a.place("R", "boss", "G", 1, "", "G")
	a.place("g2", "agent", "G", 2, "", "")
	a.place("g1", "agent", "G", 3, "G", "")
	a.place("d", "boss", "R", 1, "", "R")
	a.place("b", "agent", "R", 2, "", "")
	a.place("c", "agent", "R", 3, "R", "")
	a.place("a", "agent", "R", 4, "R", "")
	a.place("c1", "agent", "c", 1, "R", "")
	a.place("d3", "agent", "d", 1, "", "")
	a.place("d2", "agent", "d", 2, "", "")
	a.place("d1", "agent", "d", 3, "d", "")
	a.unlocked("G", true)
	a.unlocked("R", false)
	a.unlocked("d", false)
}

// ---------------------------------------------------------------------------
// 6. freeze_unlock — reward-plan.md 3.4, details 3.6, 3.7, 8.1
//    (freeze_unlock.plan.yaml: unlock_team_orders 3, spillover, profile "cr").

func secFreezeUnlock(a *secA) {
	// l4 oB: B → A slot 1. A +10000 (2000/8000).
	// l6 oC1: C, inactive, buys "cr" (chain budget, no activation): a chain order
	//     (details 2.6) paying the direct reward to its active referrer A +10000
	//     (2000/8000) and its see-point to the platform. C stays a member.
	// l7 oC2: C activated → A slot 2, team none. A +10000 (2000/8000).
	// l9-13: M root; m1, m2 → M slots 1, 2. M +10000 +10000 (4000/16000).
	// l15-25: R root; r1, r2 → R slots 1, 2 (R +10000 each); r3 → slot 3, R boss,
	//     team(r3) = R (R +30000); r4, r5 slide to (r3,1), (r3,2), team R
	//     (R +30000 each).
	// l27 ow: w, r4's own referral → r4 slot 1, team(w) = team(r4) = R.
	//     r4 +10000 (2000/8000), R +20000.
	// l28 close 7 (integer): unlock checks for members with slots 1 and 2 filled:
	//     A: subtree(B) {B}: oB = 1; subtree(C) {C}: oC1 + oC2 = 2 (details 3.6:
	//        orders from before C was placed count) → 3 ≥ 3 → UNLOCKED:
	//        frozen 6000 → available (24000 + 6000 = 30000).
	//     M: 1 + 1 = 2 → stays locked.
	//     R: r1 1 + r2 1 = 2 → stays locked.
	//     r3: subtree(r4) {r4, w} 2 + subtree(r5) 1 = 3 → unlocked with nothing
	//        frozen (details 3.7).
	//     r4: slot 2 empty → not checked.
	// l30 oD: D → A slot 3: A boss; A +10000 +20000, not frozen any more →
	//     A available 60000.
	// l31 close "7" and l32 close 7: the same period as the integer 7
	//     (details 8.1) → both rejected.
	// l34 om11: m11 → m1 slot 1, team none. m1 +10000 (2000/8000).
	// l35 close "8": M: {m1, m11} 2 + {m2} 1 = 3 → unlocked: 4000 frozen →
	//     M available 20000. R still 2 → locked.
	// l37 ox: x, r3's own referral → r3 slot 3 (3.11): r3 boss, peerUp(r3) =
	//     team(r3) = R; team(x) = r3. r3 +10000 +20000, unlocked → all available;
	//     R peer +1000 (200/800) +2000 (400/1600), R still locked.
	a.errLines(31, 32)

	// R: 10000 + 10000 + 30000 + 30000 + 30000 + 20000 + 1000 + 2000 = 133000
	//    → 26600 / 106400.
	// 17 orders (oC1 of "cr" has the gift's buckets): 1700000, cost 340000,
	// pool 510000, dividend 68000; credits 60000 + 20000 + 10000 + 133000 + 30000
	// + 10000 = 263000; profit 1700000 − 340000 − 510000 − 68000 − 263000 = 519000.
	a.accts(map[string]int64{
		"A:available": 60000, "A:frozen": 0,
		"M:available": 20000, "M:frozen": 0,
		"m1:available": 8000, "m1:frozen": 2000,
		"R:available": 106400, "R:frozen": 26600,
		"r3:available": 30000, "r3:frozen": 0,
		"r4:available": 8000, "r4:frozen": 2000,
		"external:payments": -1700000,
		"platform:cost":     340000,
		"pool:points":       510000,
		"pool:dividend":     68000,
		"platform:profit":   519000,
	})
	a.unlocked("A", true)
	a.unlocked("M", true)
	a.unlocked("r3", true)
	a.unlocked("R", false)
	a.unlocked("r4", false)
	a.unlocked("m1", false)
	a.unlocked("B", false)
	a.place("A", "boss", "", 0, "", "")
	a.place("B", "agent", "A", 1, "", "")
	a.place("C", "agent", "A", 2, "", "")
	a.place("D", "agent", "A", 3, "A", "")
	a.place("m11", "agent", "m1", 1, "", "")
	a.place("r3", "boss", "R", 3, "R", "R")
	a.place("r4", "agent", "r3", 1, "R", "")
	a.place("r5", "agent", "r3", 2, "R", "")
	a.place("w", "agent", "r4", 1, "R", "")
	a.place("x", "agent", "r3", 3, "r3", "")
}

// ---------------------------------------------------------------------------
// 7. points — reward-plan.md 4, details 4, details 9 (sell).

func secPointsCase(a *secA) {
	// l2 o1: S = 0 → u = floor(21000 × 1000000 / 100) = 210000000 to m1.
	//     P = 30000, S = 210000000.
	// l4 o2: u = floor(21000 × 210000000 / 30000) = 147000000 to m2. P 60000, S 357000000.
	// l6 o3: u = floor(21000 × 357000000 / 60000) = 124950000 to m3. P 90000,
	//     S 481950000 (prices 1.4286, 1.6807, 1.8674 as in reward-plan.md 4).
	// l7 m2 sells 50000000: floor(50000000 × 90000 × 8000 / (481950000 × 10000))
	//     = floor(7469.65) = 7469 (replay.md). P 82531, S 431950000.
	// l8 more than held, l9 upt 0, l10 upt with all:true, l11 neither,
	//     l12 all:false → rejected (details 9).
	// l13 m3 sells all 124950000: floor(124950000 × 82531 × 8000 / (431950000 × 10000))
	//     = floor(19098.96) = 19098. P 63433, S 307000000. Round closed, exits 0.
	// l14 m3 all:true holding nothing = a sell of 0 → rejected.
	// l15 m1 sells all 210000000: floor(210000000 × 63433 × 8000 / (307000000 × 10000))
	//     = floor(34712.5) = 34712. P 28721, S 97000000.
	// l16 m2 sells 97000000 (all it holds; "all": null = omitted): S → 0, so
	//     (Pref, Sref) = (28721, 97000000), P and S just before this sell.
	//     Payout floor(97000000 × 28721 × 8000 / (97000000 × 10000)) = floor(22976.8)
	//     = 22976. P 5745, S 0.
	// l18 o4: S = 0 → u = floor(21000 × Sref / Pref) = floor(21000 × 97000000 / 28721)
	//     = floor(70923714.36) = 70923714 to m4. P 35745, S 70923714. m4's round:
	//     C 100000, O 70923714. No exit: 70923714 × 35745 × 10000 < 30000 × 100000 × S.
	// l19 m4 sells 35461857 (half): floor(35461857 × 35745 × 8000 / (70923714 × 10000))
	//     = floor(14298) = 14298. P 21447, S 35461857. C, O unchanged.
	// l21 o5: u = floor(21000 × 35461857 / 21447) = floor(34722758.1) = 34722758 to m5.
	//     P 51447, S 70184615. Default exit 3×: nobody.
	// l22 plan: exit_multiple_bp 3000 (0.3×), rest default. No cascade now
	//     (details 4.6: only after an order or a sell).
	// l24 o7: m7 buys a gift for 1 fen: c = part(1,3000) = 0, u = 0 → no round
	//     for m7 (details 4.2), all buckets 0, 1 fen of profit. The cascade still
	//     runs (details 4.6):
	//     m4: O×P×10000 = 70923714 × 51447 × 10000 = 3.649e16 ≥ 3000 × C × S
	//         = 3000 × 100000 × 70184615 = 2.106e16 → meets. (By its holding
	//         35461857 it would not: 1.824e16 — details 4.7, O not the holding.)
	//     m5: 34722758 × 51447 × 10000 = 1.786e16 < 2.106e16 → no.
	//     m4 exits, selling its 35461857 at the exit fee:
	//       floor(35461857 × 51447 × 8000 / (70184615 × 10000)) = 20795.
	//       P 30652, S 34722758. exits 1, round closed.
	//     Re-check m5: 34722758 × 30652 × 10000 = 1.0643e16 ≥ 3000 × 100000 ×
	//       34722758 = 1.0417e16 → exits: it holds all of S, so
	//       (Pref, Sref) = (30652, 34722758) (details 4.4, a forced sell) and the
	//       payout is floor(30652 × 8000 / 10000) = 24521. P 6131, S 0.
	// l25 plan {} → default again.
	// l27 o6: u = floor(21000 × 34722758 / 30652) = floor(23788918.1) = 23788918 to m6.
	//     P 36131, S 23788918. No exit at 3×.
	// l28 m6 sells 10000000 ("all": null): floor(10000000 × 36131 × 8000 /
	//     (23788918 × 10000)) = floor(12150.6) = 12150. P 23981, S 13788918.
	//     Partial: m6's round stays C 100000, O 23788918.
	//
	// Cascade order (reward-plan.md 4 "exit the one with the lowest trigger
	// price C / O"), with px joining before py but buying after it:
	// l31 opy: u = floor(21000 × 13788918 / 23981) = floor(12074862.4) = 12074862
	//     to py. P 53981, S 25863780.
	// l32 opx: u = floor(21000 × 25863780 / 53981) = floor(10061676.3) = 10061676
	//     to px. P 83981, S 35925456.
	// l33 plan: exit_multiple_bp 2000.
	// l34 o7b (m7, 1 fen, no points) runs the cascade. 2000 × C × S =
	//     2000 × 100000 × 35925456 = 7.185e15; O × P × 10000: m6 23788918 → 1.998e16,
	//     py 12074862 → 1.014e16, px 10061676 → 8.45e15: all three meet.
	//     All C = 100000, so the lowest C/O is the highest O:
	//     1. m6 exits: floor(13788918 × 83981 × 8000 / (35925456 × 10000)) = 25786.
	//        P 58195, S 22136538. Re-check (2000 × 100000 × S = 4.427e15):
	//        py 12074862 × 58195 × 10000 = 7.03e15, px 10061676 × 58195 × 10000
	//        = 5.86e15: both meet; py has the lower C/O (joined later, details:
	//        "ties: earlier join" only breaks equal prices).
	//     2. py exits: floor(12074862 × 58195 × 8000 / (22136538 × 10000)) = 25394.
	//        P 32801, S 10061676. px: 10061676 × 32801 × 10000 = 3.30e15 ≥
	//        2000 × 100000 × 10061676 = 2.01e15.
	//     3. px exits, selling all of S: (Pref, Sref) = (32801, 10061676);
	//        payout floor(32801 × 8000 / 10000) = 26240. P 6561, S 0.
	//     (Exiting by join order instead — px before py — would pay px 21161 and
	//     py 29627.)
	// l35 plan {}. l36 opy2: py's new round; S = 0 → u = floor(21000 × 10061676 /
	//     32801) = floor(6441730.3) = 6441730. P 36561, S 6441730. exits stays 1.
	a.errLines(8, 9, 10, 11, 12, 14)

	for _, id := range []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7", "px"} {
		a.holding(id, 0)
	}
	a.holding("py", 6441730)
	a.round("m1", 0, 0, 0)
	a.round("m2", 0, 0, 0)
	a.round("m3", 0, 0, 0)
	a.round("m4", 0, 0, 1)
	a.round("m5", 0, 0, 1)
	a.round("m7", 0, 0, 0)
	a.round("m6", 0, 0, 1)
	a.round("px", 0, 0, 1)
	a.round("py", 100000, 6441730, 1)
	a.pts(36561, 6441730, 32801, 10061676)

	// Chain: m2, m3 → m1 slots 1, 2 (team none): m1 +10000 each; m4 → slot 3,
	// m1 boss: +30000; m5 slot 4, m7 slot 5 (all parts of 1 fen are 0), m6
	// slot 6; placement happens at activation (details 1.1), so py (opy, l31)
	// takes slot 7 and px (opx, l32) slot 8, though px joined first. +30000 for
	// each of o5, o6, opy, opx, opy2. m1: 10000 + 10000 + 6 × 30000 = 200000 → 40000 frozen,
	// 160000 + 34712 (its sell) available.
	// Orders 9 × 100000 + 2 × 1 = 900002; cost 180000, dividend 36000;
	// profit 9 × 13000 + chain left (33000 + 23000 + 23000 + 6 × 3000) + 2
	// = 117000 + 97000 + 2 = 214002.
	// Pool: 270000 in − (7469 + 19098 + 34712 + 22976 + 14298 + 20795 + 24521
	// + 12150 + 25786 + 25394 + 26240) = 270000 − 233439 = 36561.
	a.accts(map[string]int64{
		"m1:available": 194712, "m1:frozen": 40000,
		"m2:available":      30445, // 7469 + 22976
		"m3:available":      19098,
		"m4:available":      35093, // 14298 + 20795
		"m5:available":      24521,
		"m6:available":      37936, // 12150 + 25786
		"py:available":      25394,
		"px:available":      26240,
		"points:issued":     -6441730,
		"external:payments": -900002,
		"platform:cost":     180000,
		"pool:dividend":     36000,
		"pool:points":       36561,
		"platform:profit":   214002,
	})
	a.place("m1", "boss", "", 0, "", "")
	a.place("m7", "agent", "m1", 5, "m1", "")
	a.place("m6", "agent", "m1", 6, "m1", "")
	a.place("py", "agent", "m1", 7, "m1", "")
	a.place("px", "agent", "m1", 8, "m1", "")
}

// ---------------------------------------------------------------------------
// 8. level_diff — reward-plan.md 5, details 2.4, 5.1-5.11 (level_diff.plan.yaml:
//    levels partner 100 {direct_active 2, team_size 2}, cofounder 200
//    {self_spend_fen 300000}, director 300 {direct_at_level cofounder×2,
//    team_sales_fen 700000}; profiles with only level buckets: lv 300/0,
//    lvcut 150/0, lvpeer 300/100, peeronly 0/100, pkg grants cofounder, gift
//    activates; joins under inactive referrers allowed).

func secLevelDiff(a *secA) {
	// A = 100000: part(A,100) = 1000, part(A,200) = 2000, part(A,300) = 3000.
	// Top rate 300 (details 5.2). SPEC: level payments are credited to
	// <member>:available (only chain rewards are frozen, 3.4).
	//
	// Block a: a1 ← a2 ← a3 (a2 director, a1 cofounder).
	//  l6 oa3: nearest a2 director: 3000 − 0 = 3000, paid = 300 = top → stop.
	//      a1 gets nothing.
	//  l52 ox (a3 again): a2 +3000. a2 total 6000.
	// Block b: b1 ← b2 ← b3 ← b4 ← b5; b4 partner, b3 cofounder, b2 director,
	//  b1 director.
	//  l16 lv: b4 1000 − 0 = 1000 (paid 100), b3 2000 − 1000 = 1000 (paid 200),
	//      b2 3000 − 2000 = 1000 (paid 300, stop) → ¥10/¥10/¥10.
	//  l17 lvpeer: the same 1000/1000/1000; top payee b2 (director); the first
	//      ancestor above it at director is b1 → part(A,100) = 1000 to b1.
	//  l18 lvcut (budget part(A,150) = 1500): b4 1000 (500 left), b3 cut to 500,
	//      b2 cut to 0 (details 5.3). b5's self spend is now 300000 → b5 becomes
	//      cofounder (step 4 sees this order, details 5.7; any profile, 5.11).
	//  l19 peeronly (budget 0): all cut to 0, but b2 is still the top payee
	//      (details 5.4) → level peer 1000 to b1.
	//  b4 3000, b3 2500, b2 2000, b1 2000.
	// Block c: c0 ← c1 ← c2 ← c3; c0 cofounder, c1 partner, c2 cofounder.
	//  l27 lv: c2 2000 (paid 200); c1 partner 100 ≤ 200 → nothing (a lower level
	//      above a higher one); c0 cofounder 200 ≤ 200 → nothing; 1000 to platform.
	//  l28 lvpeer: c2 2000; peer: above c2 the first cofounder — c1 (partner) is
	//      passed over (details 5.5) — is c0 → 1000.
	//  l29 lvpeer by c0 (a root): no top payee → level 3000 and peer 1000 to
	//      platform.
	//  c2 4000, c0 1000.
	// Block g (grants_level, details 2.4): g1 ← g2.
	//  l31 pkg: g1 → cofounder (step 2). l33 g2 lv: g1 cofounder → 2000.
	//  l34 operator lowers g1 to partner; l35 pkg raises it again to cofounder
	//      (lower by position → raised); l36 g2 lv → g1 2000 (not 1000).
	//  l37 g1 → director; l38 pkg does not lower it (g1's spend 300000 meets
	//      cofounder, but that is not above director); l39 g2 lv → g1 3000;
	//      g2's spend reaches 300000 → g2 cofounder.
	//  g1 7000.
	// Block u (upgrades by conditions):
	//  l41 ou0 gift: u0 active root (spend 100000).
	//  l43 oua1 gift: ua → u0 slot 1. u0: direct_active 1 → no level.
	//  l45 oub1 gift: ub → u0 slot 2. Walk: u0 has no level → nothing. Step 4
	//      sees ub's activation (details 5.7): u0 direct_active 2, team_size 2 →
	//      partner.
	//  l46 oua2 lv: u0 partner → 1000.
	//  l48 ouc lv 300000 (uc inactive): u0 partner → part(300000,100) = 3000 (of a
	//      9000 budget; 6000 to platform). uc's spend 300000 → cofounder directly,
	//      without partner's conditions (details 5.6).
	//  l49 oub2 lv: u0 partner → 1000. u0 now has team sales 700000 (ua 200000,
	//      ub 200000, uc 300000 — uc inactive counts, 5.11) but one direct at
	//      cofounder or above → stays partner.
	//  l51 set_level ud director: u0's director conditions now hold (uc cofounder,
	//      ud director "or later", inactive counts, 5.10), but set_level upgrades
	//      nobody (5.8), and l52 (a3's order) does not walk u0.
	//  l53 oua3 lv: u0 still partner → 1000. Step 4: ua's spend 300000 →
	//      cofounder; u0 → director.
	//  l54 operator removes u0's level (""; 5.9).
	//  l55 oub3 lv: u0 has no level → nothing (3000 to platform); step 4: ub
	//      cofounder, u0 director again.
	//  l56 ouc2 lv: u0 director → 3000.
	//  u0: 1000 + 3000 + 1000 + 1000 + 0 + 3000 = 9000.
	a.errLines()
	// 23 orders of 100000 + one of 300000 = 2600000; every bucket but level is
	// 0, so profit = 2600000 − (6000 + 3000 + 2500 + 2000 + 2000 + 4000 + 1000
	// + 7000 + 9000 = 36500) = 2563500.
	a.accts(map[string]int64{
		"a1:available": 0, "a2:available": 6000,
		"b1:available": 2000, "b2:available": 2000, "b3:available": 2500, "b4:available": 3000,
		"c0:available": 1000, "c1:available": 0, "c2:available": 4000,
		"g1:available": 7000, "g2:available": 0,
		"u0:available": 9000, "ua:available": 0, "uc:available": 0,
		"u0:frozen":         0,
		"external:payments": -2600000,
		"platform:profit":   2563500,
		"platform:cost":     0,
		"pool:points":       0,
	})
	a.level("a1", "cofounder")
	a.level("a2", "director")
	a.level("a3", "")
	a.level("b5", "cofounder")
	a.level("b4", "partner")
	a.level("c3", "")
	a.level("g1", "director")
	a.level("g2", "cofounder")
	a.level("u0", "director")
	a.level("ua", "cofounder")
	a.level("ub", "cofounder")
	a.level("uc", "cofounder")
	a.level("ud", "director")
	a.place("u0", "agent", "", 0, "", "")
	a.place("ua", "agent", "u0", 1, "", "")
	a.place("ub", "agent", "u0", 2, "", "")
	a.place("uc", "member", "", 0, "", "")
	a.place("b5", "member", "", 0, "", "")
}

// ---------------------------------------------------------------------------
// 9. region — reward-plan.md 6, details 6 (region.plan.yaml: only
//    invite_requires_active: false), retail distribution (5, details 5.13).

func secRegion(a *secA) {
	// Agents: ad district 110101, ac city 1101, ap province 11, ab bigregion 华北
	// (provinces 11-15). Tiers: district 30, city 50, province 80, bigregion 100;
	// region budget part(A,100).
	// Rejected: l11 street (not a tier of the plan, details 6.2), l12 unknown
	// tier, l13 city with 6 digits, l14 second assignment of province 11 (even
	// the same member), l15 second assignment, l16 unknown big region, l17
	// "11010a" is not 6 digits, l18 unknown member, l20 service point region of
	// 3 digits, l21 owner unknown (details 6.6), l27 order region "123", l28
	// unknown service point, l29 region "123" still validated with a service
	// point (details 6.7).
	a.errLines(11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 27, 28, 29)

	// "buyer" is a root: its gifts pay all chain and level buckets to platform.
	// l22 o1 "110101": ad 300 − 0 = 300; ac 500 − 300 = 200; ap 800 − 500 = 300;
	//     ab 1000 − 800 = 200 (= budget).
	// l23 o2 "110102": no district agent → skipped, paid stays 0 (details 6.4);
	//     ac 500, ap 300, ab 200.
	// l24 o3 "11": district and city tiers are longer than Z → skipped; ap 800, ab 200.
	// l25 o4 "110101001" (9 digits): district covers "110101" → as o1.
	// l26 o5 service point sp1: owner so +part(A,200) = 2000; region is sp1's
	//     "1101" (the order's "440305" ignored): district skipped (shorter);
	//     ac 500, ap 300, ab 200.
	// l30 o9 no region, no service point → region bucket to platform.
	// l31 o10 "310101": no agent for 310101, 3101, 31 or 华东 → platform.
	// l32 o11 "120101": no district/city/province agent; 华北 holds "12" → ab
	//     part(A,100) − 0 = 1000.
	// l33 o12 A = 12345 "110101": part(A,30) = 37, part(A,50) = 61, part(A,80) = 98,
	//     part(A,100) = 123 → ad 37, ac 61 − 37 = 24, ap 98 − 61 = 37,
	//     ab 123 − 98 = 25 (differences of parts: part(A,20) would be 24).
	// ad 300 + 300 + 37 = 637; ac 200 + 500 + 200 + 500 + 24 = 1424;
	// ap 300 + 300 + 800 + 300 + 300 + 37 = 2037; ab 200 × 5 + 1000 + 25 = 2025.
	// SPEC: region and service point payments go to <member>:available.
	//
	// Retail (cost 6000, points 1000, service point 200, region 100, level 300,
	// shareholder 200, distribution 1000/500), A = 100000:
	// l35 oq0: q0 active root. l37 oq1: q1 → q0 slot 1; q0 +10000 chain (2000/8000).
	// l40 ox1 by x1 (referrer q1 active, q1's referrer q0 active): q1 +10000,
	//     q0 +5000; shareholder 2000.
	// l42 ox2 by x2 (referrer q2 inactive): direct 10000 → platform; the indirect
	//     still goes to q2's referrer q0 (active) +5000 (details 5.13).
	// l44 ox3 by x3 (referrer q0, which has no referrer): q0 +10000; indirect to
	//     platform.
	// q0: 8000 + 5000 + 5000 + 10000 = 28000 available, 2000 frozen.
	a.accts(map[string]int64{
		"ad:available": 637, "ac:available": 1424, "ap:available": 2037, "ab:available": 2025,
		"so:available": 2000,
		"q0:available": 28000, "q0:frozen": 2000,
		"q1:available": 10000, "q2:available": 0,
		"pool:shareholder": 6000,
	})
	// Money: gifts 10 × 100000 + 12345, retail 3 × 100000 → 1312345.
	// cost 10 × 20000 + 2469 + 3 × 60000 = 382469; pool 10 × 30000 + 3703
	// + 3 × 10000 = 333703; dividend 10 × 4000 + 493 = 40493; shareholder 6000;
	// members 637 + 1424 + 2037 + 2025 + 2000 + 30000 + 10000 = 48123;
	// profit = 1312345 − 382469 − 333703 − 40493 − 6000 − 48123 = 501557.
	a.accts(map[string]int64{
		"external:payments": -1312345,
		"platform:cost":     382469,
		"pool:points":       333703,
		"pool:dividend":     40493,
		"platform:profit":   501557,
	})
	a.place("ad", "member", "", 0, "", "")
	a.place("x2", "member", "", 0, "", "")
	a.place("q1", "agent", "q0", 1, "", "")
}

// ---------------------------------------------------------------------------
// 10. dividends — reward-plan.md 7, details 7 (default plan, all members roots).

func secDividends(a *secA) {
	// Before the first close: pool:dividend D = 4000 + 4000 + part(123457,400)
	// = 4000 + 4000 + 4938 = 12938; pool:shareholder B = part(123456,200) = 2469
	// (p1's retail order).
	// l20 close "2024-01" (d1 director; d2, d3 cofounder; p1, p2, p3 partner,
	// active or not, details 7.3; shares d1 1, d2 2, p1 4 → total 7):
	//   director part(12938,3000) = 3881 → d1 3881.
	//   cofounder 3881 → floor(3881/2) = 1940 each; 1 stays.
	//   partner part(12938,4000) = 5175 → 1725 each.
	//   D left 12938 − 3881 − 3880 − 5175 = 2.
	//   shareholders: floor(2469×1/7) = 352, floor(2469×2/7) = 705,
	//   floor(2469×4/7) = 1410; B left 2.
	// l21 d1's level removed; l22 o4 (d2): D = 2 + 4000 = 4002.
	// l23 close "2024-02": director part(4002,3000) = 1200, nobody at director
	//   → stays (rollover); cofounder 1200 → 600 each; partner part(4002,4000)
	//   = 1600 → floor(1600/3) = 533 each (1 stays). D left 4002 − 1200 − 1599
	//   = 1203. Shareholders on B = 2: floor(2/7) = 0, floor(4/7) = 0,
	//   floor(8/7) = 1 → p1 +1, B left 1.
	// l24 set_shares d2 0 removes d2 (details 7.4); l25 shares −1 rejected.
	// l26 o6 retail by p2: B = 1 + 2000 = 2001 (retail dividend_bp is 0).
	// l27 close 3: D = 1203: director 360 stays; cofounder part(1203,3000) = 360
	//   → 180 each; partner part(1203,4000) = 481 → 160 each (1 stays).
	//   D left 1203 − 360 − 480 = 363. Shares d1 1, p1 4, total 5:
	//   floor(2001/5) = 400, floor(8004/5) = 1600; B left 1.
	// SPEC: dividends are credited to <member>:available.
	a.errLines(25)
	// d1 3881 + 352 + 400 = 4633; d2 1940 + 705 + 600 + 180 = 3425;
	// d3 1940 + 600 + 180 = 2720; p1 1725 + 1410 + 533 + 1 + 160 + 1600 = 5429;
	// p2, p3 1725 + 533 + 160 = 2418.
	// Money: 100000 + 100000 + 123457 + 123456 + 100000 + 100000 = 646913;
	// cost 20000 + 20000 + 24691 + 74073 + 20000 + 60000 = 218764;
	// pool 30000 + 30000 + 37037 + 12345 + 30000 + 10000 = 149382;
	// profit 646913 − 218764 − 149382 − 363 − 1 − 21043 = 257360
	// (roots: chain, distribution, service point, region, level all to platform).
	a.accts(map[string]int64{
		"d1:available": 4633, "d2:available": 3425, "d3:available": 2720,
		"p1:available": 5429, "p2:available": 2418, "p3:available": 2418,
		"pool:dividend":     363,
		"pool:shareholder":  1,
		"external:payments": -646913,
		"platform:cost":     218764,
		"pool:points":       149382,
		"platform:profit":   257360,
	})
	a.level("d1", "")
	a.level("d2", "cofounder")
	a.level("p3", "partner")
	a.place("p1", "member", "", 0, "", "")
	a.place("d1", "agent", "", 0, "", "")
}

// ---------------------------------------------------------------------------
// 11. withdraw — reward-plan.md 9, details 4, 9.2, "Replay input and output" 10.

func secWithdraw(a *secA) {
	// l2-6: w1 root; w2, w3 → w1 slots 1, 2: w1 +10000 +10000 → 4000 f / 16000 a.
	// l7 wd1 5000: available 11000, withdrawing 5000.
	// l8 id "o1" (an order's id: ids are unique per kind) 6000: available 5000,
	//    withdrawing 11000.
	// l9 5001 > available 5000 → rejected.
	// l10 approve wd1: withdrawing 6000, external:withdrawals +5000.
	// l11 reject o1: 6000 back to available (11000), withdrawing 0.
	// l12 approve wd1 again (approved), l13 reject o1 again (rejected), l14
	//    approve unknown → rejected.
	// l15 wd1, l16 o1: ids taken, even after the withdrawal ended → rejected.
	// l17 wd4 amount 0 → rejected; l18 wd4 11000 → accepted (a rejected command
	//    takes no id): available 0, withdrawing 11000 (pending).
	// l19 w2 has nothing available; l20 unknown member; l21 w1 has 0 available
	//    (frozen money cannot be withdrawn); l22 10^12 + 1; l23 −5; l24 reject of
	//    wd3, which never existed → all rejected.
	a.errLines(9, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 24)
	// −300000 + 60000 + 90000 + 12000 + 118000 (profit as in replay.md) + 4000
	// + 11000 + 5000 = 0.
	a.accts(map[string]int64{
		"w1:available": 0, "w1:frozen": 4000, "w1:withdrawing": 11000,
		"external:withdrawals": 5000,
		"external:payments":    -300000,
		"platform:profit":      118000,
		"platform:cost":        60000,
		"pool:dividend":        12000,
		"pool:points":          90000,
	})
}

// ---------------------------------------------------------------------------
// 12. plan_change — details "Plan document" rules 1, 2, 7, 8; 3.1; 4.1; 6.5.
//    plan_change.plan.yaml: start_price_fen 200, chain.direct_bp 500.

func secPlanChange(a *secA) {
	// l2 oA: A root. u = floor(21000 × 1000000 / 200) = 105000000 (the start
	//    price of the plan file). P 30000.
	// l4 oB: B → A slot 1; direct part(100000,500) = 5000 to A (1000/4000).
	//    u = floor(21000 × 105000000 / 30000) = 73500000.
	// l5 plan {"chain":{"seepoint_bp":1000}}: completed from default-plan.yaml,
	//    not from the plan in force (rule 2) → direct_bp back to 1000.
	// l7 oC: C → A slot 2, team none: A +10000 (2000/8000).
	// l8-15 invalid plans, rejected, nothing changes: bp 20000 > 10000; unknown
	//    key; 100.0 not an integer; null; a level code 1 (not a string); a
	//    profile chain with direct_bp (details 2.2: profile chain holds only
	//    budget_bp); buckets 11000 > 10000; spillover with K = 2.
	// l17 oD (plan of l5 still in force, see-point part(100000,1000) = 10000):
	//    D → A slot 3, A boss, team(D) = A: A +10000 +10000 (4000/16000).
	// l19, l21: G, H → C slots 1, 2, team none: C +10000 each (4000/16000).
	// l22 A → director; l23 a plan without director → rejected (rule 8);
	// l24 A → ""; l25 the same plan → accepted (and chain back to default);
	// l26 set_level B director: not a level of the plan in force → rejected.
	// l27 plan {"chain":{"boss_threshold":2}}: C has slots 1 and 2 filled but is
	//    not promoted by a plan change (details 3.1) and stays an agent.
	// l29 oE: E → B slot 1 (slot 1 < K=2: team(E) = team(B) = none); B +10000.
	// l31 oF: F → B slot 2 = K: B promoted, peerUp(B) = team(B) = none,
	//    team(F) = B. B +10000 +20000. B: 40000 → 8000 / 32000. Later plans
	//    (K = 3 again) demote nobody.
	// l34 Y city 1101 (default tiers). l35 a plan with tiers province, bigregion
	//    only: regions.bigregions is not given, so the default big regions stay
	//    (rule 1); K back to 3.
	// l36 Z bigregion 华北 → accepted; l37 Z city 1102 → rejected (city is not a
	//    tier of the plan in force).
	// l38 oY (Y root, region 110101): province 11 has no agent → skipped;
	//    bigregion 华北 → Z part(A,100) = 1000. Y's city assignment is kept but
	//    paid nothing (details 6.5).
	// l39 plan {} = default. l40 Z city 1101 → rejected: Y's assignment still
	//    blocks it (details 6.5).
	// l41 oY2: city 1101 → Y 500; bigregion → Z 1000 − 500 = 500.
	// l42 oR retail by B: distribution A +10000 (A's referrer: none → 5000 to
	//    platform); shareholder 2000.
	// l43 a plan with profiles {gift} only: retail is gone (rule 1) →
	// l44 retail order rejected.
	a.errLines(8, 9, 10, 11, 12, 13, 14, 15, 23, 26, 37, 40, 44)
	// A: chain 5000 + 10000 + 20000 → 7000 / 28000, + 10000 distribution.
	// 10 gifts + 1 retail = 1100000; cost 200000 + 60000; pool 300000 + 10000;
	// dividend 40000; shareholder 2000; members 45000 + 40000 + 20000 + 500 + 1500
	// = 107000; profit 1100000 − 260000 − 310000 − 40000 − 2000 − 107000 = 381000.
	a.accts(map[string]int64{
		"A:frozen": 7000, "A:available": 38000,
		"B:frozen": 8000, "B:available": 32000,
		"C:frozen": 4000, "C:available": 16000,
		"Y:available": 500, "Z:available": 1500,
		"external:payments": -1100000,
		"platform:cost":     260000,
		"pool:points":       310000,
		"pool:dividend":     40000,
		"pool:shareholder":  2000,
		"platform:profit":   381000,
	})
	// Points issued (S > 0 after oA, so the start price is used once):
	// 105000000, 73500000 (B), then 8 more gifts; before l42 S = 573152118,
	// P = 300000 (10 × 30000). l42 retail: c = 10000, g = 7000,
	// u = floor(7000 × 573152118 / 300000) = floor(13373549.4) = 13373549 to B.
	a.holding("A", 105000000)
	a.holding("B", 86873549) // 73500000 + 13373549
	a.round("A", 100000, 105000000, 0)
	a.round("B", 200000, 86873549, 0)
	// (Pref, Sref) is state from the starting plan; later plans never change it
	// (details 4.1): (200, 1000000).
	p := a.o.Points
	if secBig(a.t, "ref_pool_fen", p.RefPoolFen).Cmp(big.NewInt(200)) != 0 ||
		secBig(a.t, "ref_supply_upt", p.RefSupplyUpt).Cmp(big.NewInt(1000000)) != 0 {
		a.t.Errorf("ref = (%s, %s), want (200, 1000000)", p.RefPoolFen, p.RefSupplyUpt)
	}
	a.place("A", "boss", "", 0, "", "")
	a.place("B", "boss", "A", 1, "", "")
	a.place("C", "agent", "A", 2, "", "")
	a.place("D", "agent", "A", 3, "A", "")
	a.place("E", "agent", "B", 1, "", "")
	a.place("F", "agent", "B", 2, "B", "")
	a.place("G", "agent", "C", 1, "", "")
	a.place("H", "agent", "C", 2, "", "")
	a.place("Y", "agent", "", 0, "", "")
	a.place("Z", "member", "", 0, "", "")
	a.level("A", "")
	a.level("B", "")
}

// ---------------------------------------------------------------------------
// 13. rejections — replay.md "A command that breaks a rule is rejected and
//     changes nothing", details "Replay input and output" 2, 4-6, 8-10.

// secRejectedLines lists, by hand, the rejected lines of rejections.jsonl.
// Accepted: 1-5 (a member "张三"; a null referrer and an unlisted field; an
// order whose id equals a member's), 38 (amount exactly 10^12), 50 (upt with
// "all": null), 51 (service point), 61 (city agent), 66 (set_level), 71
// (set_shares), 77 (period 7), 87 (withdrawal "w1": the earlier rejected "w1"
// commands took no id).
func secRejectedLines() []int {
	accepted := map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 38: true, 50: true,
		51: true, 61: true, 66: true, 71: true, 77: true, 87: true}
	var out []int
	for n := 1; n <= 87; n++ {
		if !accepted[n] {
			out = append(out, n)
		}
	}
	return out
}

func secRejections(a *secA) {
	// Rejected, by line:
	//  6 unknown op; 7 missing op; 8 op not a string; 9 missing id; 10 id a
	//  number; 11 empty id; 12 duplicate member; 13 ':' in an id; 14-17 ids
	//  platform, pool, external, points; 18 unknown referrer; 19 inactive
	//  referrer (default plan); 20 referrer ""; 21 referrer a number; 22
	//  duplicate order id; 23 amount 0; 24 −1; 25 10^12 + 1; 26 100000.0;
	//  27 "100000"; 28 1e5; 29 true; 30 missing amount; 31 unknown profile;
	//  32 unknown member; 33 region of 3 digits; 34 region a number; 35 region
	//  not digits; 36 unknown service point; 37 order id a number;
	//  39 sell more than held; 40 upt 0; 41 upt −5; 42 upt 1.5; 43 upt "5";
	//  44 upt with all:true; 45 neither; 46 all:false; 47 all:"true"; 48 all of
	//  nothing; 49 unknown member;
	//  52 duplicate service point; 53 3 digits; 54 5 digits; 55 unknown owner;
	//  56 missing region; 57 street (no such tier in the default plan); 58 city
	//  with 2 digits; 59 unknown member; 60 unknown big region; 62 second city
	//  agent for 1101; 63 unknown level; 64 unknown member; 65 level null
	//  (a required field); 67 shares −1; 68 1.5; 69 "3"; 70 unknown member;
	//  72 period −1; 73 ""; 74 1.5; 75 missing; 76 null; 78 "7" = 7 closed;
	//  79 above available; 80 amount 0; 81 id a number; 82, 83 no such
	//  withdrawal; 84 invalid plan (10001 bp); 85 plan not an object;
	//  86 missing plan.
	a.errLines(secRejectedLines()...)

	// Accepted effects:
	//  l2 o1: m1 root, u = 210000000; l5 order "m1" by 张三 (→ m1 slot 1, team
	//  none): m1 +10000 (2000/8000), u = 147000000.
	//  l38 o2, A = 10^12 by m1 (root, region 110101: no agent yet): cost 2e11,
	//  pool c = 3e11, g = 2.1e11, u = floor(2.1e11 × 357000000 / 60000)
	//  = 1249500000000000 (needs > 64-bit intermediates); dividend 4e10;
	//  profit A − cost − pool − dividend = 4.6e11.
	//  No exit: m1 O×P×10000 ≈ 3.75e30 < 30000 × C × S ≈ 3.75e31.
	//  l50 m1 sells 5 µpt: floor(5 × 300000060000 × 8000 / (1249500357000000 ×
	//  10000)) = 0 fen. SPEC: a sell with a payout of 0 fen is accepted (only
	//  q must be in 1..holding).
	//  l77 close 7: D = 4000 + 4000 + 40000000000 = 40000008000; m2 is the only
	//  member with a level (partner): part(D,4000) = 16000003200; director and
	//  cofounder parts (12000002400 each) roll over → pool 24000004800.
	//  Shareholder pool empty: m2's 3 shares get 0.
	//  l87 withdraw w1 8000 → m1 available 0, withdrawing 8000.
	a.accts(map[string]int64{
		"m1:available": 0, "m1:frozen": 2000, "m1:withdrawing": 8000,
		"m2:available":      16000003200,
		"pool:dividend":     24000004800,
		"platform:cost":     200000040000,
		"pool:points":       300000060000,
		"external:payments": -1000000200000,
		"platform:profit":   460000082000,
	})
	a.holding("m1", 1249500209999995)
	a.holding("张三", 147000000)
	a.pts(300000060000, 1249500356999995, 100, 1000000)
	a.round("m1", 1000000100000, 1249500210000000, 0)
	a.place("m1", "agent", "", 0, "", "")
	a.place("张三", "agent", "m1", 1, "", "")
	a.place("m2", "member", "", 0, "", "")
	a.level("m2", "partner")
	a.referrer("张三", "m1")
	a.memberSet("m1", "m2", "张三")
}
