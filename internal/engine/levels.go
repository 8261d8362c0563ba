package engine

// upgrades runs settlement step 4 (§5 "Upgrades") for an order of A fen by
// x: the order counts in the team sales of every referral ancestor, then
// the buyer and each ancestor upward takes the highest level whose
// conditions hold. Team sales and sizes are kept only while the plan asks
// for them (see setRules).
func (e *Engine) upgrades(x int32, A int64) {
	r := e.rules
	if !r.hasUpgrade {
		return
	}
	e.upgrade(x)
	for y := e.members[x].referrer; y >= 0; y = e.members[y].referrer {
		if r.trackTeam {
			e.members[y].teamSales += A
		}
		e.upgrade(y)
	}
}

// upgrade raises y to the highest level whose own conditions hold (details
// 5.6), if that is above its level.
func (e *Engine) upgrade(y int32) {
	r := e.rules
	m := &e.members[y]
	for lv := len(r.levels); lv > int(m.level); lv-- {
		l := &r.levels[lv-1]
		if !l.reach || m.selfSpend < l.selfSpend || int64(m.directActive) < l.directActive ||
			m.teamSales < l.teamSales || int64(m.teamSize) < l.teamSize {
			continue
		}
		if l.atLevel > 0 && e.directAtLevel(m, l.atLevel) < l.atCount {
			continue
		}
		e.setLevel(y, uint8(lv))
		return
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

// recountTeams rebuilds team sales and sizes from scratch: a referrer joins
// before its referrals, so one pass in reverse join order sums subtrees.
func (e *Engine) recountTeams() {
	for i := range e.members {
		e.members[i].teamSales, e.members[i].teamSize = 0, 0
	}
	for i := len(e.members) - 1; i >= 0; i-- {
		m := &e.members[i]
		if r := m.referrer; r >= 0 {
			rm := &e.members[r]
			rm.teamSales += m.teamSales + m.selfSpend
			rm.teamSize += m.teamSize
			if m.role != RoleMember {
				rm.teamSize++
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
}
