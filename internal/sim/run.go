package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

// Reward kinds, the groups of posting reasons a member is paid under.
const (
	RewardChain        = iota // direct, see-point and peer (链动)
	RewardTeam                // level differential and level peer (级差, 同级)
	RewardDistribution        // two-tier distribution (直推/间推)
	RewardRegion              // regional agents (区域代理)
	RewardServicePoint        // pickup service points (核销)
	RewardDividend            // chain and shareholder dividends (分红)
	NumRewardKinds
)

// RewardKindNames name the reward kinds in outputs.
var RewardKindNames = [NumRewardKinds]string{"chain", "team", "distribution", "region", "service_point", "dividend"}

var rewardKind = func() (k [ledger.NumReasons]int8) {
	for i := range k {
		k[i] = -1
	}
	k[ledger.Direct], k[ledger.Seepoint], k[ledger.Peer] = RewardChain, RewardChain, RewardChain
	k[ledger.LevelDiff], k[ledger.LevelPeer] = RewardTeam, RewardTeam
	k[ledger.DistDirect], k[ledger.DistIndirect] = RewardDistribution, RewardDistribution
	k[ledger.Region] = RewardRegion
	k[ledger.ServicePoint] = RewardServicePoint
	k[ledger.ChainDividend], k[ledger.ShareholderDividend] = RewardDividend, RewardDividend
	return k
}()

// Options tune a run.
type Options struct {
	// Progress, when set, is called after each simulated day.
	Progress func(day, days int)
	// Observe, when set, is called after every accepted command with the
	// engine and the command's transaction (tests check invariants here).
	Observe func(e *engine.Engine, tx *ledger.Tx)
}

// Member flags.
const (
	flagHolder    = 1 << iota // holds until the forced exit
	flagRecruiter             // brings members once active
	flagAgent                 // active
	flagBoss
	flagListed // in recruiters
)

// member is what the simulator keeps per member beside the engine.
type member struct {
	joinDay  int32
	ref      int32 // referrer, -1 for none
	recruits int32
	round    int32 // rounds closed so far
	region   uint16
	flags    uint8
	spent    int64
	goods    int64 // the goods' value: the cost bucket of the member's orders
	reward   [NumRewardKinds]int64
	cashed   int64 // points sold, voluntarily or forced
	fees     int64 // withdrawal fees
	points   int64 // µpt held
	orders   int32
	exits    int32
}

// Day is one row of the time series: the state at the end of a day and
// what happened during it.
type Day struct {
	Day          int
	Members      int64
	Agents       int64
	Bosses       int64
	Joins        int64
	Orders       int64
	GMVFen       int64
	PoolFen      int64
	SupplyUpt    int64
	Payouts      [NumRewardKinds]int64
	CashedFen    int64 // paid for points sold, voluntarily or forced
	Sells        int64 // voluntary sells
	Exits        int64 // forced exits
	WithdrawnFen int64 // approved withdrawals
	Holders      int64
	Panic        bool
}

// Run is a finished simulation.
type Run struct {
	Scenario *Scenario
	Plan     *plan.Plan
	PlanName string
	Days     []Day
	Members  []MemberResult
	Summary  Summary
}

type tpEntry struct {
	trigger int64 // price in µfen per point
	member  int32
	round   int32
}

type runner struct {
	sc   *Scenario
	p    *plan.Plan
	e    *engine.Engine
	opts Options

	popRNG, orderRNG, behRNG *rand.Rand

	ids        []string
	mem        []member
	recruiters []int32 // uniform attachment
	endpoints  []int32 // preferential attachment: one entry per recruiter and per referral made
	agents     []int32

	regionCum []int // cumulative weights
	regionSP  [][]string
	regionCnt []int
	areaOf    [][]int // region index → area index per plan tier
	areaTier  []string
	areaCode  []string
	areaCnt   []int
	spSeq     int

	giftActivates bool
	holdP, recP   uint64
	giftP, pickP  uint64
	tpBP          int64
	tp            []tpEntry // min-heap on trigger

	contrib fenwick

	day      Day
	days     []Day
	bosses   int64
	holders  int64
	rejected map[string]int64
	unbal    int64

	// Totals.
	alloc          [ledger.NumReasons]int64 // where order money went, by reason
	rewardsOrders  int64                    // rewards paid on orders
	rewardsLater   int64                    // of which paid by a member who joined after the earner
	cashedTotal    int64
	cashedLater    int64 // pro-rata share of points payouts contributed by later members
	giftOrders     int64
	withdrawals    int64
	withdrawnTotal int64
	feesTotal      int64
	wseq           int
}

// Simulate runs scenario sc under plan p.
func Simulate(p *plan.Plan, planName string, sc *Scenario, opts Options) (*Run, error) {
	r, err := newRunner(p, sc, opts)
	if err != nil {
		return nil, err
	}
	if err := r.run(); err != nil {
		return nil, err
	}
	return r.finish(planName), nil
}

func newRunner(p *plan.Plan, sc *Scenario, opts Options) (*runner, error) {
	gift, ok := p.Profiles[sc.Purchase.GiftProfile]
	if !ok {
		return nil, fmt.Errorf("sim: the plan has no profile %q (purchase.gift_profile)", sc.Purchase.GiftProfile)
	}
	if sc.Purchase.RetailPerMemberMonth > 0 {
		if _, ok := p.Profiles[sc.Purchase.RetailProfile]; !ok {
			return nil, fmt.Errorf("sim: the plan has no profile %q (purchase.retail_profile)", sc.Purchase.RetailProfile)
		}
	}
	n := sc.Population.Founders + sc.Population.Total
	r := &runner{
		sc: sc, p: p, opts: opts,
		e:             engine.New(p, engine.Options{SkipOrderIDs: true}),
		popRNG:        rand.New(rand.NewPCG(sc.Seed, 1)),
		orderRNG:      rand.New(rand.NewPCG(sc.Seed, 2)),
		behRNG:        rand.New(rand.NewPCG(sc.Seed, 3)),
		ids:           make([]string, 0, n),
		mem:           make([]member, 0, n),
		giftActivates: gift.ActivatesAgent,
		holdP:         prob(sc.Selling.HoldShare),
		recP:          prob(sc.Referral.RecruiterShare),
		giftP:         prob(sc.Purchase.GiftShare),
		pickP:         prob(sc.ServicePoints.PickupShare),
		tpBP:          int64(sc.Selling.TakeProfitMultiple*money.BP + 0.5),
		contrib:       newFenwick(n),
		rejected:      map[string]int64{},
	}
	r.setupRegions()
	return r, nil
}

// setupRegions numbers the areas of every plan tier that the scenario's
// districts fall in, so that joins count them without string keys.
func (r *runner) setupRegions() {
	codes := r.sc.Regions.Codes
	r.regionSP = make([][]string, len(codes))
	r.regionCnt = make([]int, len(codes))
	r.areaOf = make([][]int, len(codes))
	total := 0
	for _, c := range codes {
		total += c.Weight
		r.regionCum = append(r.regionCum, total)
	}
	if r.sc.Regions.AgentAfterMembers <= 0 {
		return
	}
	bigOf := map[string]string{}
	for name, provs := range r.p.Regions.BigRegions {
		for _, pv := range provs {
			bigOf[pv] = name
		}
	}
	index := map[string]int{}
	for i, c := range codes {
		for _, t := range r.p.Regions.Tiers {
			var code string
			switch t.Tier {
			case "district":
				code = c.Code
			case "city":
				code = c.Code[:4]
			case "province":
				code = c.Code[:2]
			case "bigregion":
				code = bigOf[c.Code[:2]]
			}
			if code == "" {
				continue
			}
			key := t.Tier + "|" + code
			a, ok := index[key]
			if !ok {
				a = len(r.areaCode)
				index[key] = a
				r.areaTier = append(r.areaTier, t.Tier)
				r.areaCode = append(r.areaCode, code)
				r.areaCnt = append(r.areaCnt, 0)
			}
			r.areaOf[i] = append(r.areaOf[i], a)
		}
	}
}

// apply applies one command and accounts for its transaction. buyer is the
// buyer of an order, -1 for other commands.
func (r *runner) apply(cmd engine.Command, buyer int32) (bool, error) {
	res, err := r.e.Apply(cmd)
	if err != nil {
		if errors.Is(err, engine.ErrRejected) {
			r.rejected[fmt.Sprintf("%T", cmd)]++
			return false, nil
		}
		return false, fmt.Errorf("sim: day %d: %w", r.day.Day, err)
	}
	if res.Tx != nil {
		if res.Tx.Check() != nil {
			r.unbal++
		}
		r.account(res.Tx, buyer)
		if r.opts.Observe != nil {
			r.opts.Observe(r.e, res.Tx)
		}
	}
	return true, nil
}

// account aggregates one transaction's postings.
func (r *runner) account(tx *ledger.Tx, buyer int32) {
	order := buyer >= 0
	for i := range tx.Postings {
		p := &tx.Postings[i]
		m, amt := p.Account.Member, p.Amount
		if m < 0 {
			if order && amt > 0 && !p.Account.Kind.IsPoints() && p.Reason != ledger.Exit && p.Reason != ledger.Sell {
				r.alloc[p.Reason] += amt
				switch p.Reason {
				case ledger.PointsPool:
					r.contrib.add(int(buyer), amt)
				case ledger.Cost:
					r.mem[buyer].goods += amt
				}
			}
			continue
		}
		rec := &r.mem[m]
		switch p.Account.Kind {
		case ledger.Available, ledger.Frozen:
			if amt <= 0 || int(p.Reason) >= len(rewardKind) {
				continue
			}
			if k := rewardKind[p.Reason]; k >= 0 {
				rec.reward[k] += amt
				r.day.Payouts[k] += amt
				if order {
					r.alloc[p.Reason] += amt
					r.rewardsOrders += amt
					if m < buyer {
						r.rewardsLater += amt
					}
				}
			} else if p.Reason == ledger.Sell || p.Reason == ledger.Exit {
				rec.cashed += amt
				r.day.CashedFen += amt
				r.cashedTotal += amt
				if total := r.contrib.total; total > 0 {
					later := total - r.contrib.prefix(int(m))
					r.cashedLater += money.MulDiv(amt, later, total)
				}
			}
		case ledger.Points:
			old := rec.points
			rec.points += amt
			if p.Reason == ledger.Exit {
				r.day.Exits++
				rec.exits++
			}
			switch {
			case old == 0 && rec.points > 0:
				r.holders++
				if rec.flags&flagHolder == 0 {
					r.pushTakeProfit(m, rec.round)
				}
			case old > 0 && rec.points == 0:
				r.holders--
				rec.round++
			}
		}
	}
}

// priceMicroFen is the pool price in µfen per point (for behaviour only).
func (r *runner) priceMicroFen() int64 {
	num, den := r.e.PriceFenPerPoint()
	v, ok := money.MulDivOK(num, 1_000_000*money.UptPerPoint, den)
	if !ok {
		return 1<<63 - 1
	}
	return v
}

func (r *runner) pushTakeProfit(m int32, round int32) {
	trig, ok := money.MulDivOK(r.priceMicroFen(), r.tpBP, money.BP)
	if !ok {
		return
	}
	r.tp = append(r.tp, tpEntry{trig, m, round})
	h := r.tp
	for i := len(h) - 1; i > 0; {
		parent := (i - 1) / 2
		if h[parent].trigger <= h[i].trigger {
			break
		}
		h[parent], h[i] = h[i], h[parent]
		i = parent
	}
}

func (r *runner) popTakeProfit() tpEntry {
	h := r.tp
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < len(h) && h[l].trigger < h[small].trigger {
			small = l
		}
		if l+1 < len(h) && h[l+1].trigger < h[small].trigger {
			small = l + 1
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	r.tp = h
	return top
}

var retailID = "o" // order ids are not kept (engine.Options.SkipOrderIDs)

func (r *runner) run() error {
	sc := r.sc
	joins := sc.joinsPerDay()
	retailPPM := ratePPM(sc.Purchase.RetailPerMemberMonth)
	repeatPPM := ratePPM(sc.Purchase.RepeatGiftPerAgentMonth)
	var retailAcc, repeatAcc int64
	var recent []int64 // joins per day, for the panic rule
	for d := 0; d <= sc.Days; d++ {
		r.day = Day{Day: d}
		if d == 0 {
			for i := 0; i < sc.Population.Founders; i++ {
				if err := r.join(-1); err != nil {
					return err
				}
			}
		}
		nJoin := joins[d]
		retailAcc += int64(len(r.mem)) * retailPPM
		nRetail := retailAcc / 1_000_000
		retailAcc %= 1_000_000
		repeatAcc += int64(len(r.agents)) * repeatPPM
		nRepeat := repeatAcc / 1_000_000
		repeatAcc %= 1_000_000
		for left := nJoin + nRetail + nRepeat; left > 0; left-- {
			x := r.orderRNG.Int64N(left)
			var err error
			switch {
			case x < nJoin:
				nJoin--
				err = r.join(r.pickReferrer())
			case x < nJoin+nRetail:
				nRetail--
				err = r.retail()
			default:
				nRepeat--
				err = r.repeatGift()
			}
			if err != nil {
				return err
			}
		}
		recent = append(recent, r.day.Joins)
		if err := r.endOfDay(d, recent); err != nil {
			return err
		}
		if r.opts.Progress != nil {
			r.opts.Progress(d, sc.Days)
		}
	}
	return nil
}

func (r *runner) pickReferrer() int32 {
	if r.sc.Referral.Attachment == "uniform" || len(r.endpoints) == 0 {
		if len(r.recruiters) == 0 {
			return int32(r.popRNG.IntN(len(r.mem)))
		}
		return r.recruiters[r.popRNG.IntN(len(r.recruiters))]
	}
	return r.endpoints[r.popRNG.IntN(len(r.endpoints))]
}

// join adds a member under ref (-1: a founder); it buys the gift package
// with the scenario's probability (a founder always does).
func (r *runner) join(ref int32) error {
	idx := int32(len(r.mem))
	id := "m" + strconv.FormatInt(int64(idx), 36)
	rng := r.popRNG
	rec := member{joinDay: int32(r.day.Day), ref: ref, region: uint16(r.pickRegion())}
	if uint64(rng.Uint32()) < r.holdP {
		rec.flags |= flagHolder
	}
	if ref < 0 || uint64(rng.Uint32()) < r.recP {
		rec.flags |= flagRecruiter
	}
	buysGift := ref < 0 || uint64(rng.Uint32()) < r.giftP
	c := engine.Join{ID: id}
	if ref >= 0 {
		c.Referrer, c.HasReferrer = r.ids[ref], true
	}
	r.ids = append(r.ids, id)
	r.mem = append(r.mem, rec)
	ok, err := r.apply(c, -1)
	if err != nil || !ok {
		r.ids, r.mem = r.ids[:idx], r.mem[:idx]
		return err
	}
	r.day.Joins++
	if ref >= 0 {
		r.mem[ref].recruits++
		if r.mem[ref].flags&flagRecruiter != 0 && r.sc.Referral.Attachment == "preferential" {
			r.endpoints = append(r.endpoints, ref)
		}
	}
	if err := r.regionJoined(idx); err != nil {
		return err
	}
	if !r.p.InviteRequiresActive {
		r.becomeRecruiter(idx)
	}
	if buysGift {
		return r.order(idx, r.sc.Purchase.GiftProfile, r.sc.Purchase.GiftAmountFen, true)
	}
	return nil
}

func (r *runner) becomeRecruiter(i int32) {
	if f := r.mem[i].flags; f&flagRecruiter != 0 && f&flagListed == 0 {
		r.recruiters = append(r.recruiters, i)
		r.endpoints = append(r.endpoints, i)
		r.mem[i].flags |= flagListed
	}
}

func (r *runner) pickRegion() int {
	x := r.popRNG.IntN(r.regionCum[len(r.regionCum)-1])
	for i, c := range r.regionCum {
		if x < c {
			return i
		}
	}
	return len(r.regionCum) - 1
}

// regionJoined counts a new member in its region's areas: it may get a
// service point, or become a regional agent.
func (r *runner) regionJoined(i int32) error {
	g := int(r.mem[i].region)
	r.regionCnt[g]++
	code := r.sc.Regions.Codes[g].Code
	if mpp := r.sc.ServicePoints.MembersPerPoint; r.sc.ServicePoints.PickupShare > 0 && (r.regionCnt[g]-1)%mpp == 0 {
		r.spSeq++
		sp := "sp" + strconv.Itoa(r.spSeq)
		if ok, err := r.apply(engine.ServicePoint{ID: sp, Owner: r.ids[i], Region: code}, -1); err != nil {
			return err
		} else if ok {
			r.regionSP[g] = append(r.regionSP[g], sp)
		}
	}
	for _, a := range r.areaOf[g] {
		r.areaCnt[a]++
		if r.areaCnt[a] == r.sc.Regions.AgentAfterMembers {
			if _, err := r.apply(engine.RegionAgent{Member: r.ids[i], Tier: r.areaTier[a], Code: r.areaCode[a]}, -1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *runner) retail() error {
	b := int32(r.orderRNG.IntN(len(r.mem)))
	amounts := r.sc.Purchase.RetailAmountsFen
	return r.order(b, r.sc.Purchase.RetailProfile, amounts[r.orderRNG.IntN(len(amounts))], false)
}

func (r *runner) repeatGift() error {
	if len(r.agents) == 0 {
		return nil
	}
	b := r.agents[r.orderRNG.IntN(len(r.agents))]
	return r.order(b, r.sc.Purchase.GiftProfile, r.sc.Purchase.GiftAmountFen, true)
}

// order settles one order of member b.
func (r *runner) order(b int32, profile string, amount int64, gift bool) error {
	rec := &r.mem[b]
	g := int(rec.region)
	c := engine.Order{ID: retailID, Member: r.ids[b], Profile: profile, AmountFen: amount,
		Region: r.sc.Regions.Codes[g].Code, HasRegion: true}
	if sps := r.regionSP[g]; len(sps) > 0 && uint64(r.orderRNG.Uint32()) < r.pickP {
		c.ServicePoint, c.HasServicePoint = sps[r.orderRNG.IntN(len(sps))], true
	}
	ok, err := r.apply(c, b)
	if err != nil || !ok {
		return err
	}
	rec = &r.mem[b]
	rec.spent += amount
	rec.orders++
	r.day.Orders++
	r.day.GMVFen += amount
	if gift {
		r.giftOrders++
	}
	if gift && r.giftActivates && rec.flags&flagAgent == 0 {
		rec.flags |= flagAgent
		r.agents = append(r.agents, b)
		if r.p.InviteRequiresActive {
			r.becomeRecruiter(b)
		}
		// A placement can promote only the referrer (spillover slides
		// never promote): check it.
		if ref := rec.ref; ref >= 0 && r.mem[ref].flags&flagBoss == 0 &&
			r.e.Member(ref).Role == engine.RoleBoss {
			r.mem[ref].flags |= flagBoss
			r.bosses++
		}
	}
	return nil
}

func (r *runner) endOfDay(d int, recent []int64) error {
	sc := r.sc
	// Take profit: sell everything once the price reached the trigger.
	for len(r.tp) > 0 && r.tp[0].trigger <= r.priceMicroFen() {
		t := r.popTakeProfit()
		if rec := &r.mem[t.member]; rec.round == t.round && rec.points > 0 {
			if ok, err := r.apply(engine.Sell{Member: r.ids[t.member], All: true}, -1); err != nil {
				return err
			} else if ok {
				r.day.Sells++
			}
		}
	}
	// Panic when growth slows.
	if pn := sc.Selling.Panic; pn.GrowthDrop > 0 && len(recent) >= 14 {
		var last, prev int64
		for _, j := range recent[len(recent)-7:] {
			last += j
		}
		for _, j := range recent[len(recent)-14 : len(recent)-7] {
			prev += j
		}
		if prev > 0 && last*1_000_000 < int64(pn.GrowthDrop*1e6)*prev || prev == 0 && last == 0 && len(r.mem) > sc.Population.Founders {
			r.day.Panic = true
			n := r.holders * int64(pn.DailySellShare*1e6) / 1_000_000
			// Sample members until n holders sold: about members/holders
			// draws per holder; twice that bounds the work.
			for tries := 2 * n * (int64(len(r.mem))/max(r.holders, 1) + 1); n > 0 && tries > 0; tries-- {
				m := int32(r.behRNG.IntN(len(r.mem)))
				if r.mem[m].points == 0 {
					continue
				}
				ok, err := r.apply(engine.Sell{Member: r.ids[m], All: true}, -1)
				if err != nil {
					return err
				}
				if ok {
					r.day.Sells++
					n--
				}
			}
		}
	}
	// Withdrawals.
	if w := sc.Withdrawals; w.EveryDays > 0 && d > 0 && d%w.EveryDays == 0 {
		minFen := max(w.MinFen, r.p.Platform.WithdrawMinFen, 1)
		wp := prob(w.Share)
		for i := range r.mem {
			a := ledger.Account{Member: int32(i), Kind: ledger.Available}
			avail := r.e.Balance(a)
			if avail < minFen || uint64(r.behRNG.Uint32()) >= wp {
				continue
			}
			r.wseq++
			id := "w" + strconv.Itoa(r.wseq)
			fee := money.Part(avail, r.p.Platform.WithdrawFeeBP)
			if fee >= avail {
				fee = 0
			}
			ok, err := r.apply(engine.Withdraw{ID: id, Member: r.ids[i], AmountFen: avail, FeeFen: fee}, -1)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if ok, err = r.apply(engine.WithdrawApprove{ID: id}, -1); err != nil {
				return err
			} else if ok {
				r.mem[i].fees += fee
				r.day.WithdrawnFen += avail - fee
				r.withdrawals++
				r.withdrawnTotal += avail - fee
				r.feesTotal += fee
			}
		}
	}
	// Period close.
	if (d+1)%sc.PeriodDays == 0 {
		if _, err := r.apply(engine.PeriodClose{Period: "d" + strconv.Itoa(d)}, -1); err != nil {
			return err
		}
	}
	pool := r.e.Pool()
	r.day.Members = int64(len(r.mem))
	r.day.Agents = int64(len(r.agents))
	r.day.Bosses = r.bosses
	r.day.PoolFen = pool.PoolFen
	r.day.SupplyUpt = pool.SupplyUpt
	r.day.Holders = r.holders
	r.days = append(r.days, r.day)
	return nil
}

// fenwick sums the pool contributions by member index.
type fenwick struct {
	t     []int64
	total int64
}

func newFenwick(n int) fenwick { return fenwick{t: make([]int64, n+1)} }

func (f *fenwick) add(i int, v int64) {
	f.total += v
	for i++; i < len(f.t); i += i & -i {
		f.t[i] += v
	}
}

// prefix returns the sum over indexes 0..i.
func (f *fenwick) prefix(i int) int64 {
	var s int64
	for i++; i > 0; i -= i & -i {
		s += f.t[i]
	}
	return s
}
