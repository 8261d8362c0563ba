package engine

// activate makes x an agent and places it (§3.2, §3.5).
func (e *Engine) activate(x int32) {
	m := &e.members[x]
	m.role = RoleAgent
	e.activated = append(e.activated, x)
	e.touch(x)
	ref := m.referrer
	if ref >= 0 {
		e.members[ref].directActive++ // team sizes follow in step 4
		e.touch(ref)
	}
	if ref < 0 || !e.active(ref) {
		return // a root, for good
	}
	if e.rules.spillover && e.members[ref].nChildren >= 3 {
		q, slot := e.slide(ref)
		e.place(x, q, slot)
		return
	}
	e.place(x, ref, e.members[ref].nChildren+1)
}

// place puts x under q in slot, promotes q when its slot K is filled, then
// sets x's team by the slot rule.
func (e *Engine) place(x, q, slot int32) {
	qm := &e.members[q]
	m := &e.members[x]
	m.parent, m.slot = q, slot
	e.touch(q)
	m.nextSibling = qm.firstChild
	qm.firstChild = x
	qm.nChildren++
	switch slot {
	case 1:
		qm.child1 = x
	case 2:
		qm.child2 = x
	}
	k := e.rules.k
	if qm.nChildren >= k && qm.role != RoleBoss {
		qm.role = RoleBoss
		qm.peerUp = qm.team
	}
	if slot < k {
		m.team = qm.team
	} else {
		m.team = q
	}
}

// childAt returns q's child in slot s, or none.
func (e *Engine) childAt(q, s int32) int32 {
	for c := e.members[q].firstChild; c >= 0; c = e.members[c].nextSibling {
		if e.members[c].slot == s {
			return c
		}
	}
	return none
}

// slide finds where a referral of r slides to when r's slots 1..3 are full
// (三三滑落, §3.5 and details 3.10): the first free slot-1 or slot-2 position
// of the first phase that has one. Phase 2i-1 is layer i of the wealth line
// (slot 3); phase 2i is layer i of line 1 then layer i of line 2.
func (e *Engine) slide(r int32) (int32, int32) {
	rm := &e.members[r]
	// Three frontiers (the nodes at depth i-1 of each line) in one scratch
	// buffer: [wealth | line 1 | line 2].
	buf := []int32{e.childAt(r, 3), rm.child1, rm.child2}
	f := [3][]int32{buf[0:1:1], buf[1:2:2], buf[2:3:3]}
	var next [3][]int32
	for {
		for _, li := range [3]int{0, 1, 2} {
			for _, n := range f[li] {
				nm := &e.members[n]
				if nm.child1 < 0 {
					return n, 1
				}
				if nm.child2 < 0 {
					return n, 2
				}
			}
		}
		empty := true
		for li := range f {
			next[li] = next[li][:0]
			for _, n := range f[li] {
				nm := &e.members[n]
				next[li] = append(next[li], nm.child1, nm.child2)
			}
			if len(next[li]) > 0 {
				empty = false
			}
			f[li], next[li] = next[li], f[li]
		}
		if empty {
			panic("engine: spillover found no free position")
		}
	}
}
