package engine

import "math"

// teamNode is the part of a member that the ancestor walk of every order
// touches, in its own compact array: team sales inherently change for every
// referral ancestor, so that walk is a tight loop over 32-byte entries.
type teamNode struct {
	ref   int32 // referrer, or none
	size  int32 // team_size: active members of the referral subtree, self excluded
	sales int64 // team_sales_fen: settled amounts of the subtree, self excluded
	// The member's conditions are checked in full only when sales reaches
	// wakeS or size reaches wakeZ: the next team threshold of a level above
	// its own. A member whose other conditions may newly hold (set_level,
	// a plan change) is forced by wakeS = 0.
	wakeS int64
	wakeZ int32
	_     int32
}

// upgrades runs settlement step 4 (§5 "Upgrades") for an order of A fen by
// x: the order counts in the team sales (and, when it activated x, the team
// size) of every referral ancestor; then the buyer and each ancestor upward
// takes the highest level whose conditions hold. Only members whose
// conditions may have changed are checked in full: the buyer, its referrer,
// the referrer of anyone just upgraded, and members woken by a threshold or
// forced. The others' conditions cannot hold (see docs/engine.md).
func (e *Engine) upgrades(x int32, A int64, activated bool) {
	r := e.rules
	if !r.hasUpgrade {
		return
	}
	cascade := e.upgrade(x)
	e.setWake(x)
	if !r.teamRules && e.forced == 0 && !e.naive {
		// No team thresholds and nobody forced: only the referrer (its
		// direct counts moved) and the referrers of the upgraded can
		// newly meet their conditions.
		cascade = true
		for y := e.team[x].ref; y >= 0 && cascade; y = e.team[y].ref {
			cascade = e.upgrade(y)
			e.setWake(y)
		}
		return
	}
	near := true
	var size int32
	if activated {
		size = 1
	}
	for y := e.team[x].ref; y >= 0; {
		n := &e.team[y]
		if r.teamRules {
			n.sales += A
			n.size += size
		}
		if near || cascade || n.sales >= n.wakeS || n.size >= n.wakeZ || e.naive {
			cascade = e.upgrade(y)
			e.setWake(y)
		} else {
			cascade = false
		}
		near = false
		y = n.ref
	}
}

// upgrade raises y to the highest level whose own conditions hold (details
// 5.6), if that is above its level, and reports whether it did.
func (e *Engine) upgrade(y int32) bool {
	if lv := e.reachable(y); lv > 0 {
		e.setLevel(y, lv)
		return true
	}
	return false
}

// reachable returns the highest level above y's own whose conditions all
// hold, or 0.
func (e *Engine) reachable(y int32) uint8 {
	r := e.rules
	m := &e.members[y]
	t := &e.team[y]
	for lv := len(r.levels); lv > int(m.level); lv-- {
		l := &r.levels[lv-1]
		if !l.reach || m.selfSpend < l.selfSpend || int64(m.directActive) < l.directActive ||
			t.sales < l.teamSales || int64(t.size) < l.teamSize {
			continue
		}
		if l.atLevel > 0 && e.directAtLevel(m, l.atLevel) < l.atCount {
			continue
		}
		return uint8(lv)
	}
	return 0
}

// recheck is for a member whose conditions changed outside a settlement
// (set_level, a plan change), where nobody is upgraded: one that now meets
// them is forced, to take its level at the next order at or below it.
func (e *Engine) recheck(y int32) {
	if y < 0 {
		return
	}
	if e.rules.hasUpgrade && e.reachable(y) > 0 {
		e.force(y)
	} else {
		e.setWake(y)
	}
}

// setWake sets y's next team thresholds: the lowest team_sales_fen and
// team_size above its counters among the levels it could still reach.
func (e *Engine) setWake(y int32) {
	t := &e.team[y]
	if t.wakeS == 0 {
		e.forced--
	}
	t.wakeS, t.wakeZ = math.MaxInt64, math.MaxInt32
	levels := e.rules.levels
	for lv := int(e.members[y].level); lv < len(levels); lv++ {
		l := &levels[lv]
		if !l.reach {
			continue
		}
		if l.teamSales > t.sales && l.teamSales < t.wakeS {
			t.wakeS = l.teamSales
		}
		if l.teamSize > int64(t.size) && l.teamSize < int64(t.wakeZ) {
			t.wakeZ = int32(min(l.teamSize, math.MaxInt32))
		}
	}
}

// force makes y's conditions be checked in full at the next order that
// walks through it.
func (e *Engine) force(y int32) {
	if y >= 0 && e.team[y].wakeS != 0 {
		e.team[y].wakeS = 0
		e.forced++
	}
}

// directAtLevel counts m's direct referrals at level lv or later.
func (e *Engine) directAtLevel(m *member, lv uint8) int64 {
	if m.atLevel == nil {
		return 0
	}
	var n int64
	for i := int(lv) - 1; i < len(e.rules.levels); i++ {
		n += int64(m.atLevel[i])
	}
	return n
}

// recountTeams rebuilds team sales and sizes from scratch (they lapse while
// no level has team conditions): a referrer joins before its referrals, so
// one pass in reverse join order sums every subtree.
func (e *Engine) recountTeams() {
	for i := range e.team {
		e.team[i].sales, e.team[i].size = 0, 0
	}
	for i := len(e.members) - 1; i >= 0; i-- {
		t := &e.team[i]
		if r := t.ref; r >= 0 {
			rt := &e.team[r]
			rt.sales += t.sales + e.members[i].selfSpend
			rt.size += t.size
			if e.members[i].role != RoleMember {
				rt.size++
			}
		}
	}
}

// recountLevels rebuilds the per-level counts after the levels' positions
// changed.
func (e *Engine) recountLevels() {
	e.levelCount = make([]int64, len(e.rules.levels)+1)
	for i := range e.members {
		e.members[i].atLevel = nil
	}
	for i := range e.members {
		m := &e.members[i]
		e.levelCount[m.level]++
		if m.level > 0 && m.referrer >= 0 {
			rm := &e.members[m.referrer]
			if rm.atLevel == nil {
				rm.atLevel = new([9]int32)
			}
			rm.atLevel[m.level-1]++
		}
	}
	e.lvEpoch++
}

// leveledFrom returns y if it holds a level, else its nearest referral
// ancestor that does, or none.
func (e *Engine) leveledFrom(y int32) int32 {
	if y < 0 || e.members[y].level > 0 {
		return y
	}
	return e.leveledAbove(y)
}

// leveledAbove returns y's nearest proper referral ancestor holding a level.
// Answers are cached per member and stamped with lvEpoch, which moves
// whenever a member gains its first level or loses its last; a lookup
// refreshes the cache of every unleveled member it passes, so walks over
// long unleveled chains are paid once per epoch, not once per order.
func (e *Engine) leveledAbove(y int32) int32 {
	if e.naive {
		return e.members[y].referrer
	}
	if m := &e.members[y]; m.lvEpoch == e.lvEpoch {
		return m.lvAnc
	}
	ans := none
	for z := e.members[y].referrer; z >= 0; z = e.members[z].referrer {
		zm := &e.members[z]
		if zm.level > 0 {
			ans = z
			break
		}
		if zm.lvEpoch == e.lvEpoch {
			ans = zm.lvAnc
			break
		}
	}
	for z := y; z >= 0 && z != ans; z = e.members[z].referrer {
		zm := &e.members[z]
		if z != y && (zm.level > 0 || zm.lvEpoch == e.lvEpoch) {
			break
		}
		zm.lvAnc, zm.lvEpoch = ans, e.lvEpoch
	}
	return ans
}
