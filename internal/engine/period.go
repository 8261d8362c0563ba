package engine

import (
	"hash/fnv"
	"sort"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

// periodClose runs §8 "Period close": chain dividend, shareholder dividend,
// line swap, then unlock checks; one transaction.
func (e *Engine) periodClose(c PeriodClose) error {
	if c.Period == "" {
		return reject("period close: empty period")
	}
	if _, dup := e.periods[c.Period]; dup {
		return reject("period %q is already closed", c.Period)
	}
	e.periods[c.Period] = struct{}{}
	e.changedAll = e.opts.TrackChanges
	e.payDividends()
	e.payShareholders()

	// Subtree counts over the placement tree: activation order puts parents
	// before children, and a swap only renumbers siblings, so one reverse
	// pass sums every subtree.
	n := len(e.members)
	if cap(e.subAll) < n {
		e.subAll, e.subPeriod = make([]int64, n, n+n/4), make([]int64, n, n+n/4)
	}
	all, period := e.subAll[:n], e.subPeriod[:n]
	clear(all)
	clear(period)
	for i := len(e.activated) - 1; i >= 0; i-- {
		x := e.activated[i]
		m := &e.members[x]
		all[x] += int64(m.chainOrders)
		period[x] += int64(m.periodOrders)
		if p := m.parent; p >= 0 {
			all[p] += all[x]
			period[p] += period[x]
		}
	}
	if e.rules.swap {
		e.swapLines(c.Period, period)
	}
	need := e.rules.p.Chain.UnlockTeamOrders
	for _, x := range e.activated {
		m := &e.members[x]
		if m.unlocked || m.child1 < 0 || m.child2 < 0 {
			continue
		}
		if all[m.child1]+all[m.child2] >= need {
			m.unlocked = true
			if f := m.frozen; f > 0 {
				e.post(e.memberAcct(x, ledger.Frozen), -f, ledger.Unlock)
				e.post(e.memberAcct(x, ledger.Available), f, ledger.Unlock)
			}
		}
	}
	for i := range e.members {
		e.members[i].periodOrders = 0
	}
	return nil
}

// payDividends splits pool:dividend by level (§7); what nobody takes stays.
func (e *Engine) payDividends() {
	D := e.accounts[ledger.PoolDividend]
	if D == 0 || len(e.rules.levels) == 0 {
		return
	}
	each := make([]int64, len(e.rules.levels)+1)
	any := false
	for i, l := range e.rules.levels {
		if n := e.levelCount[i+1]; n > 0 {
			each[i+1] = money.Part(D, l.share) / n
			any = any || each[i+1] > 0
		}
	}
	if !any {
		return
	}
	for i := range e.members {
		if amt := each[e.members[i].level]; amt > 0 {
			e.post(e.memberAcct(int32(i), ledger.Available), amt, ledger.ChainDividend)
			e.post(ledger.Platform(ledger.PoolDividend), -amt, ledger.ChainDividend)
		}
	}
}

// payShareholders splits pool:shareholder in proportion to shares (§7).
func (e *Engine) payShareholders() {
	B := e.accounts[ledger.PoolShareholder]
	if B == 0 || e.shareTotal == 0 {
		return
	}
	holders := make([]int32, 0, len(e.shareholders))
	for x := range e.shareholders {
		holders = append(holders, x)
	}
	sort.Slice(holders, func(i, j int) bool { return holders[i] < holders[j] })
	for _, x := range holders {
		amt := money.MulDiv(B, e.members[x].shares, e.shareTotal)
		e.post(e.memberAcct(x, ledger.Available), amt, ledger.ShareholderDividend)
		e.post(ledger.Platform(ledger.PoolShareholder), -amt, ledger.ShareholderDividend)
	}
}

// swapLines runs the period-close line swap (周期自动强制换线, §3.5 swap):
// every boss whose two contribution lines were dead in the period trades
// its busiest own-slot line into one of them.
func (e *Engine) swapLines(period string, count []int64) {
	type swap struct{ a, b int32 }
	var swaps []swap
	for _, r := range e.activated {
		rm := &e.members[r]
		if rm.role != RoleBoss || rm.child1 < 0 || rm.child2 < 0 {
			continue
		}
		if count[rm.child1] > 0 || count[rm.child2] > 0 {
			continue
		}
		best := none
		for c := rm.firstChild; c >= 0; c = e.members[c].nextSibling {
			cm := &e.members[c]
			if cm.slot < 3 {
				continue
			}
			if best < 0 || count[c] > count[best] || (count[c] == count[best] && cm.slot < e.members[best].slot) {
				best = c
			}
		}
		if best < 0 || count[best] < 1 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(period + "|" + rm.id))
		target := rm.child2
		if h.Sum64()%2 == 0 {
			target = rm.child1
		}
		swaps = append(swaps, swap{best, target})
	}
	if len(swaps) == 0 {
		return
	}
	for _, s := range swaps {
		a, b := &e.members[s.a], &e.members[s.b]
		a.slot, b.slot = b.slot, a.slot
		p := &e.members[a.parent]
		switch a.slot {
		case 1:
			p.child1 = s.a
		case 2:
			p.child2 = s.a
		}
	}
	k := e.rules.k
	for _, x := range e.activated {
		m := &e.members[x]
		switch {
		case m.parent < 0:
			m.team = none
		case m.slot < k:
			m.team = e.members[m.parent].team
		default:
			m.team = m.parent
		}
	}
}

// setPlan replaces the plan (details.md "Plan document" rules 2 and 8).
func (e *Engine) setPlan(p *plan.Plan) error {
	if p == nil {
		return reject("plan: missing")
	}
	if err := p.Validate(); err != nil {
		return reject("plan: %v", err)
	}
	r := compile(p)
	remap := make([]uint8, len(e.rules.levels)+1)
	for i, l := range e.rules.levels {
		if e.levelCount[i+1] == 0 {
			continue
		}
		nl, ok := r.levelIdx[l.code]
		if !ok {
			return reject("plan: members hold level %q, which the new plan does not define", l.code)
		}
		remap[i+1] = nl
	}
	for i := range e.members {
		e.members[i].level = remap[e.members[i].level]
	}
	e.changedAll = e.opts.TrackChanges
	counted := e.rules.hasUpgrade && e.rules.teamRules
	e.setRules(r)
	if r.hasUpgrade && r.teamRules && !counted {
		e.recountTeams()
	}
	// New conditions may hold for anyone: who meets them takes its level
	// at the next order that walks through it, as the rule's full walk would.
	for i := range e.team {
		e.recheck(int32(i))
	}
	return nil
}

func (e *Engine) setRules(r *rules) {
	e.rules = r
	e.recountLevels()
}
