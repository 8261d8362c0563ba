package engine

import (
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
)

// TestStaleReferrerUpgradedByDeepOrder: set_level upgrades nobody (details
// 5.8), but a member whose conditions then hold takes its level at the next
// order anywhere below it, since step 4 visits every referral ancestor.
func TestStaleReferrerUpgradedByDeepOrder(t *testing.T) {
	for _, naive := range []bool{false, true} {
		e := New(plan.Default(), Options{})
		e.naive = naive
		mustApply(t, e, Join{ID: "z"})
		mustApply(t, e, gift("oz", "z"))
		for _, j := range [][2]string{{"y1", "z"}, {"y2", "z"}, {"w", "y2"}, {"d", "w"}} {
			mustApply(t, e, Join{ID: j[0], Referrer: j[1], HasReferrer: true})
			mustApply(t, e, gift("o"+j[0], j[0]))
		}
		// Cofounder asks for two direct referrals at partner or above.
		mustApply(t, e, SetLevel{Member: "y1", Level: "partner"})
		mustApply(t, e, SetLevel{Member: "y2", Level: "partner"})
		if lv := e.mustMember(t, "z").Level; lv != "" {
			t.Fatalf("set_level must upgrade nobody, z is %q", lv)
		}
		// d → w → y2 → z: z is two referrals above the buyer's referrer.
		mustApply(t, e, Order{ID: "od2", Member: "d", Profile: "retail", AmountFen: 100})
		if lv := e.mustMember(t, "z").Level; lv != "cofounder" {
			t.Fatalf("naive=%v: z should be cofounder after d's order, is %q", naive, lv)
		}
	}
}

// TestLowerThenRelevel: a member lowered by the operator takes its level
// back by rule at the next order through it.
func TestLowerThenRelevel(t *testing.T) {
	p := plan.Default()
	p.Levels[0].Conditions = &plan.Conditions{DirectActive: 1}
	e := New(p, Options{})
	mustApply(t, e, Join{ID: "a"})
	mustApply(t, e, gift("oa", "a"))
	mustApply(t, e, Join{ID: "b", Referrer: "a", HasReferrer: true})
	mustApply(t, e, gift("ob", "b")) // a: one active referral → partner
	mustApply(t, e, Join{ID: "c", Referrer: "b", HasReferrer: true})
	mustApply(t, e, gift("oc", "c"))
	mustApply(t, e, Join{ID: "d", Referrer: "c", HasReferrer: true})
	if lv := e.mustMember(t, "a").Level; lv != "partner" {
		t.Fatalf("a should be partner, is %q", lv)
	}
	mustApply(t, e, SetLevel{Member: "a", Level: ""})
	mustApply(t, e, Order{ID: "od", Member: "d", Profile: "retail", AmountFen: 100})
	if lv := e.mustMember(t, "a").Level; lv != "partner" {
		t.Fatalf("a should be partner again after an order below it, is %q", lv)
	}
}
