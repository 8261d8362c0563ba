package engine

import (
	"hash/fnv"
	"testing"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/plan"
)

// TestSwapRecomputesTeamsWithKInForce: after a plan change from K = 3 to
// K = 2, a period close with a swap recomputes every placed member's team
// by the slot rule with K = 2 (details 3.17), and changes no boss or peer
// upline (details 3.8).
func TestSwapRecomputesTeamsWithKInForce(t *testing.T) {
	p := plan.Default()
	p.Chain.DeadLinePolicy = "swap"
	e := New(p, Options{})
	mustApply(t, e, Join{ID: "R"})
	mustApply(t, e, gift("oR", "R"))
	for _, id := range []string{"c1", "c2", "c3"} { // R's slots 1, 2, 3: R boss
		mustApply(t, e, Join{ID: id, Referrer: "R", HasReferrer: true})
		mustApply(t, e, gift("o"+id, id))
	}
	mustApply(t, e, PeriodClose{Period: "p0"}) // lines 1 and 2 had orders: no swap
	mustApply(t, e, Join{ID: "d", Referrer: "c3", HasReferrer: true})
	mustApply(t, e, gift("od", "d")) // c3's line has the period's only order
	if m := e.mustMember(t, "d"); m.Parent != "c3" || m.Slot != 1 || m.Team != "R" {
		t.Fatalf("d placed %+v; want c3 slot 1 in R's team (slot 1 < K=3: team(c3) = R)", m)
	}
	q := plan.Default()
	q.Chain.DeadLinePolicy = "swap"
	q.Chain.BossThreshold = 2
	mustApply(t, e, SetPlan{Plan: q})

	h := fnv.New64a()
	h.Write([]byte("p1|R"))
	swapped := "c2"
	if h.Sum64()%2 == 0 {
		swapped = "c1"
	}
	mustApply(t, e, PeriodClose{Period: "p1"})

	// c3 takes the dead line's slot; the dead child takes slot 3.
	c3 := e.mustMember(t, "c3")
	other := map[string]string{"c1": "c2", "c2": "c1"}[swapped]
	o := e.mustMember(t, other)
	switch swapped {
	case "c1":
		// c3 now slot 1 < K: team(R) = none; c2 slot 2 ≥ K: team R.
		if c3.Slot != 1 || c3.Team != "" || o.Slot != 2 || o.Team != "R" {
			t.Fatalf("after swap: c3 %+v, c2 %+v", c3, o)
		}
	case "c2":
		// c3 now slot 2 ≥ K: team R; c1 stays slot 1 < K: team none
		// (it was none under K=3 too).
		if c3.Slot != 2 || c3.Team != "R" || o.Slot != 1 || o.Team != "" {
			t.Fatalf("after swap: c3 %+v, c1 %+v", c3, o)
		}
	}
	if s := e.mustMember(t, swapped); s.Slot != 3 || s.Team != "R" { // slot 3 ≥ K=2: team = parent
		t.Fatalf("%s after swap: %+v", swapped, s)
	}
	if d := e.mustMember(t, "d"); d.Team != c3.Team {
		t.Fatalf("d is in slot 1 of c3: team(d) = team(c3) = %q, got %q", c3.Team, d.Team)
	}
	if r := e.mustMember(t, "R"); r.Role != RoleBoss || r.PeerUp != "" {
		t.Fatalf("R: %+v", r)
	}
	for _, id := range []string{"c1", "c2", "c3"} {
		if m := e.mustMember(t, id); m.Role != RoleAgent {
			t.Fatalf("a swap or plan change must promote nobody: %s is %v", id, m.Role)
		}
	}
}

// TestExitTieGoesToEarlierJoin: of members with equal trigger prices C/O,
// the earlier join exits first (§4 "Cascade"). An exact tie is hard to
// reach through orders (each issue moves the price), so the rounds are set
// directly: b (joined second) holds 100000/147e6, a 200000/294e6, the same.
func TestExitTieGoesToEarlierJoin(t *testing.T) {
	e := New(plan.Default(), Options{})
	for _, id := range []string{"a", "b"} {
		mustApply(t, e, Join{ID: id})
	}
	set := func(x int32, c, o int64) {
		m := &e.members[x]
		m.roundC, m.roundO, m.points = c, o, o
		e.supply += o
		e.heapSet(x)
	}
	set(1, 100000, 147_000_000) // b
	set(0, 200000, 294_000_000) // a
	if top := e.exitHeap[0].x; top != 0 {
		t.Fatalf("heap top is member %d, want a (0): equal C/O, earlier join", top)
	}
	// A pool at which both meet 3×: O·P·10000 ≥ 30000·C·S ⇔ P ≥ 3·S·C/O.
	// With S = 441e6 and C/O = 1/1470: P ≥ 900000. Give 2000000 fen.
	e.accounts[ledger.PoolPoints] = 2_000_000
	e.accounts[ledger.PointsIssued] = -e.supply
	e.accounts[ledger.ExternalPayments] = -2_000_000
	e.tx.Postings = e.tx.Postings[:0]
	e.cascade()
	var order []int32
	for _, p := range e.tx.Postings {
		if p.Reason == ledger.Exit && p.Account.Kind == ledger.Points {
			order = append(order, p.Account.Member)
		}
	}
	if len(order) != 2 || order[0] != 0 || order[1] != 1 {
		t.Fatalf("exit order %v, want [0 1] (a, then b)", order)
	}
}
