package engine

import "slices"

// UnlockProgress reports the chain-fund unlock check of §3.4 for member id
// as the next period close will run it: its slot-1 and slot-2 placement
// children ("" when empty) and the chain orders settled in their two
// placement subtrees (each child included). It walks both subtrees, so it
// costs their size; ok is false for an unknown member.
func (e *Engine) UnlockProgress(id string) (child1, child2 string, teamOrders int64, ok bool) {
	x, found := e.byID[id]
	if !found {
		return "", "", 0, false
	}
	m := &e.members[x]
	if m.child1 >= 0 && m.child2 >= 0 {
		teamOrders = e.subtreeOrders(m.child1) + e.subtreeOrders(m.child2)
	}
	return e.idOf(m.child1), e.idOf(m.child2), teamOrders, true
}

// subtreeOrders sums chainOrders over the placement subtree of x.
func (e *Engine) subtreeOrders(x int32) int64 {
	var n int64
	stack := []int32{x}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n += int64(e.members[y].chainOrders)
		for c := e.members[y].firstChild; c >= 0; c = e.members[c].nextSibling {
			stack = append(stack, c)
		}
	}
	return n
}

// PlacementChildren returns the placement children of member id, by slot.
func (e *Engine) PlacementChildren(id string) []MemberView {
	x, found := e.byID[id]
	if !found {
		return nil
	}
	var out []MemberView
	for c := e.members[x].firstChild; c >= 0; c = e.members[c].nextSibling {
		out = append(out, e.Member(c))
	}
	slices.SortFunc(out, func(a, b MemberView) int { return int(a.Slot) - int(b.Slot) })
	return out
}
