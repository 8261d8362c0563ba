package engine

import (
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

func (e *Engine) order(c Order) error {
	if c.ID == "" {
		return reject("order: empty id")
	}
	if !e.opts.SkipOrderIDs {
		if _, dup := e.orders[c.ID]; dup {
			return reject("order %q: id already used", c.ID)
		}
	}
	x, err := e.lookup("order "+c.ID, c.Member)
	if err != nil {
		return err
	}
	prof, ok := e.rules.p.Profiles[c.Profile]
	if !ok {
		return reject("order %q: unknown profile %q", c.ID, c.Profile)
	}
	if c.AmountFen < 1 || c.AmountFen > MaxAmountFen {
		return reject("order %q: amount %d fen is outside 1..10^12", c.ID, c.AmountFen)
	}
	if c.HasRegion && !ValidRegionCode(c.Region) {
		return reject("order %q: region %q is not a 2, 4, 6 or 9 digit code", c.ID, c.Region)
	}
	region, hasRegion := c.Region, c.HasRegion
	spOwner := none
	if c.HasServicePoint {
		sp, ok := e.servicePts[c.ServicePoint]
		if !ok {
			return reject("order %q: unknown service point %q", c.ID, c.ServicePoint)
		}
		spOwner, region, hasRegion = sp.owner, sp.region, true
	}
	// The points issue uses the pool as it is before this order, which the
	// earlier steps do not touch, so it is computed (and checked) up front.
	A := c.AmountFen
	contrib := money.Part(A, prof.PointsBP)
	units, ok := e.issueUnits(money.Part(contrib, e.rules.p.Points.GiftRatioBP))
	if !ok || e.supply > (1<<63-1)-units || e.accounts[ledger.PoolPoints] > (1<<63-1)-contrib {
		return reject("order %q: points issue overflows the pool", c.ID)
	}
	from := ledger.ExternalPayments
	if c.Escrowed {
		if A > e.accounts[ledger.PlatformEscrow] {
			return reject("order %q: %d fen is not held in escrow", c.ID, A)
		}
		from = ledger.PlatformEscrow
	}

	if !e.opts.SkipOrderIDs {
		e.orders[c.ID] = struct{}{}
	}
	e.settle(x, A, from, prof, contrib, units, spOwner, region, hasRegion)
	e.cascade()
	return nil
}

// settle applies reward-plan.md §8 "Settlement of an order" steps 1 to 5.
func (e *Engine) settle(x int32, A int64, from ledger.Kind, prof *plan.Profile, contrib, units int64, spOwner int32, region string, hasRegion bool) {
	r := e.rules
	e.post(ledger.Platform(from), -A, ledger.Payment)

	// 1. Activation and promotion.
	activated := prof.ActivatesAgent && !e.active(x)
	if activated {
		e.activate(x)
	}
	// 2. A level granted by the package.
	if prof.GrantsLevel != "" {
		if lv := r.levelIdx[prof.GrantsLevel]; lv > e.members[x].level {
			e.setLevel(x, lv)
		}
	}
	// 3. Money buckets. Everything not paid out ends in profit.
	profit := A - contrib
	cost := money.Part(A, prof.CostBP)
	e.post(ledger.Platform(ledger.PlatformCost), cost, ledger.Cost)
	profit -= cost

	chainOrder := prof.ChainBudgetBP > 0
	if chainOrder {
		profit -= e.payChain(x, A, money.Part(A, prof.ChainBudgetBP))
	}

	div := money.Part(A, prof.DividendBP)
	e.post(ledger.Platform(ledger.PoolDividend), div, ledger.DividendPool)
	profit -= div

	sp := money.Part(A, prof.ServicePointBP)
	if spOwner >= 0 {
		e.post(e.memberAcct(spOwner, ledger.Available), sp, ledger.ServicePoint)
		profit -= sp
	}

	if hasRegion {
		profit -= e.payRegion(A, money.Part(A, prof.RegionBudgetBP), region)
	}

	profit -= e.payLevels(x, A, money.Part(A, prof.LevelBudgetBP), money.Part(A, prof.LevelPeerBP))

	ref := e.members[x].referrer
	if ref >= 0 && e.active(ref) {
		d := money.Part(A, prof.DistributionDirectBP)
		e.post(e.memberAcct(ref, ledger.Available), d, ledger.DistDirect)
		profit -= d
	}
	if ref >= 0 {
		if rr := e.members[ref].referrer; rr >= 0 && e.active(rr) {
			d := money.Part(A, prof.DistributionIndirectBP)
			e.post(e.memberAcct(rr, ledger.Available), d, ledger.DistIndirect)
			profit -= d
		}
	}

	sh := money.Part(A, prof.ShareholderBP)
	e.post(ledger.Platform(ledger.PoolShareholder), sh, ledger.ShareholderPool)
	profit -= sh
	e.post(ledger.Platform(ledger.PlatformProfit), profit, ledger.Profit)

	// 4. The order counts as settled from here on; then level upgrades.
	m := &e.members[x]
	m.selfSpend += A
	e.touch(x)
	if chainOrder {
		m.chainOrders++
		m.periodOrders++
	}
	e.upgrades(x, A, activated)

	// 5. Points issue; the exit cascade runs after (in order).
	e.post(ledger.Platform(ledger.PoolPoints), contrib, ledger.PointsPool)
	if units > 0 {
		e.issue(x, A, units)
	}
}

// payChain pays direct, see-point and peer rewards (§3.3) within budget and
// returns what it credited.
func (e *Engine) payChain(x int32, A, budget int64) int64 {
	ch := &e.rules.p.Chain
	left := budget
	pay := func(to int32, amount int64, r ledger.Reason) int64 {
		if amount > left {
			amount = left
		}
		left -= amount
		e.creditChain(to, amount, r)
		return amount
	}
	dEarner, sEarner := none, none
	var dPaid, sPaid int64
	m := &e.members[x]
	if ref := m.referrer; ref >= 0 && e.active(ref) {
		dEarner = ref
		dPaid = pay(ref, money.Part(A, ch.DirectBP), ledger.Direct)
	}
	if e.active(x) && m.team >= 0 {
		sEarner = m.team
		sPaid = pay(m.team, money.Part(A, ch.SeepointBP), ledger.Seepoint)
	}
	for _, p := range [2]struct {
		earner int32
		paid   int64
	}{{dEarner, dPaid}, {sEarner, sPaid}} {
		if p.earner < 0 {
			continue
		}
		em := &e.members[p.earner]
		if em.role == RoleBoss && em.peerUp >= 0 {
			pay(em.peerUp, money.Part(p.paid, ch.PeerRateBP), ledger.Peer)
		}
	}
	return budget - left
}

// creditChain credits a chain reward, freezing the chain-fund part (§3.4)
// of a member not yet unlocked.
func (e *Engine) creditChain(to int32, amount int64, r ledger.Reason) {
	if amount == 0 {
		return
	}
	frozen := int64(0)
	if !e.members[to].unlocked {
		frozen = money.Part(amount, e.rules.p.Chain.FreezeBP)
	}
	e.post(e.memberAcct(to, ledger.Available), amount-frozen, r)
	e.post(e.memberAcct(to, ledger.Frozen), frozen, r)
}

// payRegion walks the plan's tiers from most specific to least and pays
// regional agents their differentials (§6); it returns what it paid.
func (e *Engine) payRegion(A, budget int64, z string) int64 {
	r := e.rules
	left := budget
	var paid int64
	for i := range r.tiers {
		if paid >= r.topRegion {
			break
		}
		t := &r.tiers[i]
		if e.tierAgents[t.kind] == 0 {
			continue
		}
		var code string
		if t.digits == 0 {
			name, ok := r.bigRegion[z[:2]]
			if !ok {
				continue
			}
			code = name
		} else {
			if len(z) < t.digits {
				continue
			}
			code = z[:t.digits]
		}
		agent, ok := e.areas[areaKey{t.name, code}]
		if !ok || t.rate <= paid {
			continue
		}
		amt := money.Part(A, t.rate) - money.Part(A, paid)
		paid = t.rate
		if amt > left {
			amt = left
		}
		left -= amt
		e.post(e.memberAcct(agent, ledger.Available), amt, ledger.Region)
	}
	return budget - left
}

// payLevels pays the level differential and the level peer (§5) and
// returns what it paid out of both buckets; the rest goes to profit.
func (e *Engine) payLevels(x int32, A, budget, peer int64) int64 {
	r := e.rules
	left := budget
	var paid int64
	top := none
	y := e.leveledFrom(e.members[x].referrer)
	for ; y >= 0 && paid < r.topDiff; y = e.leveledAbove(y) {
		lv := e.members[y].level
		if lv == 0 {
			continue
		}
		d := r.levels[lv-1].diff
		if d <= paid {
			continue
		}
		amt := money.Part(A, d) - money.Part(A, paid)
		paid = d
		top = y
		if amt > left {
			amt = left
		}
		left -= amt
		e.post(e.memberAcct(y, ledger.Available), amt, ledger.LevelDiff)
	}
	out := budget - left
	if peer > 0 && top >= 0 {
		lv := e.members[top].level
		for y := e.leveledAbove(top); y >= 0; y = e.leveledAbove(y) {
			if e.members[y].level == lv {
				e.post(e.memberAcct(y, ledger.Available), peer, ledger.LevelPeer)
				out += peer
				break
			}
		}
	}
	return out
}
