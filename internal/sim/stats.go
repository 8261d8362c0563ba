package sim

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
)

// Summary is summary.json: the run's totals and the statistics the report
// shows. Money is fen, points µpt, shares basis points (10000 = 100 %),
// all integers, so the file is identical on every machine.
type Summary struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Plan     string `json:"plan"`
	Days     int    `json:"days"`

	Members    int64            `json:"members"`
	Agents     int64            `json:"agents"`
	Bosses     int64            `json:"bosses"`
	Levels     map[string]int64 `json:"levels"`
	Orders     int64            `json:"orders"`
	GiftOrders int64            `json:"gift_orders"`
	GMVFen     int64            `json:"gmv_fen"`

	PoolFen           int64  `json:"pool_fen"`
	SupplyUpt         int64  `json:"supply_upt"`
	Holders           int64  `json:"holders"`
	PriceYuanPerPoint string `json:"price_yuan_per_point"`

	// Spending: where each yuan of the members' orders went, by bucket.
	Spending map[string]int64 `json:"spending_fen"`
	// Payouts: rewards credited to members by kind (frozen chain fund
	// included), and the points money paid for sold points.
	Payouts          map[string]int64 `json:"payouts_fen"`
	RewardsFen       int64            `json:"rewards_fen"`
	PointsCashedFen  int64            `json:"points_cashed_fen"`
	Sells            int64            `json:"sells"`
	Exits            int64            `json:"exits"`
	Withdrawals      int64            `json:"withdrawals"`
	WithdrawnFen     int64            `json:"withdrawn_fen"`
	WithdrawalFeeFen int64            `json:"withdrawal_fees_fen"`

	Outcome       Outcome       `json:"outcome"`
	Concentration Concentration `json:"concentration"`
	NewMoney      NewMoney      `json:"new_money"`
	Cohorts       []Cohort      `json:"cohorts"`
	NetHistogram  []Bucket      `json:"net_histogram"`

	Rejected map[string]int64 `json:"rejected"`
	Checks   Checks           `json:"checks"`
}

// Outcome is how the members who bought something came out: net result =
// rewards + points cashed + points still held (at the final sell price,
// fee deducted) + the goods bought, valued at the plan's cost bucket
// (cost_bp: what the goods cost the platform) − withdrawal fees − spending.
// A member "lost money" when its net result is negative.
type Outcome struct {
	Paying       int64            `json:"paying_members"`
	Lost         int64            `json:"lost_money"`
	LostBP       int64            `json:"lost_money_bp"`
	NetTotalFen  int64            `json:"net_total_fen"`
	NetPercentFn map[string]int64 `json:"net_percentiles_fen"`
}

// Concentration is the share of all rewards earned by the top 1 % and
// top 10 % of members, and by the bottom half.
type Concentration struct {
	Earners     int64 `json:"earners"`
	Top1BP      int64 `json:"top1_bp"`
	Top10BP     int64 `json:"top10_bp"`
	BottomHalfB int64 `json:"bottom50_bp"`
}

// NewMoney measures how far payouts depend on later members' money.
type NewMoney struct {
	// RewardsFromLaterBP: the share of the rewards paid on orders that
	// were paid for by a member who joined after the earner.
	RewardsFromLaterBP int64 `json:"rewards_from_later_bp"`
	// PointsFromLaterBP: the share of the points money paid out that came
	// from members who joined after the seller, attributing each payout to
	// the pool's contributors in proportion to what each had paid in.
	PointsFromLaterBP int64 `json:"points_payouts_from_later_bp"`
}

// Cohort is the members who joined in one 30-day window.
type Cohort struct {
	FromDay      int   `json:"from_day"`
	ToDay        int   `json:"to_day"`
	Members      int64 `json:"members"`
	Paying       int64 `json:"paying"`
	SpentFen     int64 `json:"spent_fen"`
	NetFen       int64 `json:"net_fen"`
	MedianNetFen int64 `json:"median_net_fen"`
	LostBP       int64 `json:"lost_money_bp"`
}

// Bucket counts paying members whose net result lies in [From, To).
type Bucket struct {
	Label   string `json:"label"`
	Members int64  `json:"members"`
}

// Checks are the ledger invariants at the end of the run.
type Checks struct {
	UnbalancedTx         int64 `json:"unbalanced_transactions"`
	MoneySumsToZero      bool  `json:"money_sums_to_zero"`
	PointsSumToZero      bool  `json:"points_sum_to_zero"`
	SupplyEqualsHoldings bool  `json:"supply_equals_holdings"`
	NoNegativeMember     bool  `json:"no_negative_member_balance"`
}

// MemberResult is one row of members.csv.
type MemberResult struct {
	ID             string
	JoinDay        int
	Role           string
	Level          string
	Holder         bool
	Recruits       int64
	Orders         int64
	SpentFen       int64
	GoodsFen       int64
	Rewards        [NumRewardKinds]int64
	CashedFen      int64
	PointsUpt      int64
	PointsValueFen int64
	FeesFen        int64
	Exits          int64
	CashNetFen     int64 // money back − money paid
	NetFen         int64 // CashNetFen + the goods at cost
}

// RewardsFen is the member's rewards of every kind.
func (m *MemberResult) RewardsFen() int64 {
	var s int64
	for _, v := range m.Rewards {
		s += v
	}
	return s
}

var spendingBucket = map[ledger.Reason]string{
	ledger.Cost: "cost", ledger.PointsPool: "points_pool",
	ledger.Direct: "chain", ledger.Seepoint: "chain", ledger.Peer: "chain",
	ledger.DividendPool: "dividend_pool", ledger.ServicePoint: "service_point",
	ledger.Region: "region", ledger.LevelDiff: "team", ledger.LevelPeer: "team",
	ledger.DistDirect: "distribution", ledger.DistIndirect: "distribution",
	ledger.ShareholderPool: "shareholder_pool", ledger.Profit: "platform_profit",
}

// SpendingOrder lists the spending buckets in the report's order.
var SpendingOrder = []string{"cost", "platform_profit", "points_pool", "chain", "team", "distribution",
	"region", "service_point", "dividend_pool", "shareholder_pool", "other"}

func bp(part, whole int64) int64 {
	if whole <= 0 || part <= 0 {
		return 0
	}
	return money.MulDiv(part, money.BP, whole)
}

func (r *runner) finish(planName string) *Run {
	e := r.e
	pool := e.Pool()
	fee := r.p.Points.SellFeeBP
	run := &Run{Scenario: r.sc, Plan: r.p, PlanName: planName, Days: r.days}
	run.Members = make([]MemberResult, len(r.mem))
	levels := map[string]int64{}
	for i := range r.mem {
		rec := &r.mem[i]
		v := e.Member(int32(i))
		mr := MemberResult{
			ID: r.ids[i], JoinDay: int(rec.joinDay), Role: v.Role.String(), Level: v.Level,
			Holder: rec.flags&flagHolder != 0, Recruits: int64(rec.recruits), Orders: int64(rec.orders),
			SpentFen: rec.spent, GoodsFen: rec.goods, Rewards: rec.reward, CashedFen: rec.cashed, PointsUpt: rec.points,
			FeesFen: rec.fees, Exits: int64(rec.exits),
		}
		if rec.points > 0 && pool.SupplyUpt > 0 {
			mr.PointsValueFen, _ = money.MulDiv3(rec.points, pool.PoolFen, money.BP-fee, pool.SupplyUpt, money.BP)
		}
		mr.CashNetFen = mr.RewardsFen() + mr.CashedFen + mr.PointsValueFen - mr.FeesFen - mr.SpentFen
		mr.NetFen = mr.CashNetFen + mr.GoodsFen
		run.Members[i] = mr
		if v.Level != "" {
			levels[v.Level]++
		}
	}
	s := Summary{
		Scenario: r.sc.Name, Seed: r.sc.Seed, Plan: planName, Days: r.sc.Days,
		Members: int64(len(r.mem)), Agents: int64(len(r.agents)), Bosses: r.bosses, Levels: levels,
		GiftOrders: r.giftOrders, PoolFen: pool.PoolFen, SupplyUpt: pool.SupplyUpt, Holders: r.holders,
		PriceYuanPerPoint: money.FormatYuanPerPoint(e.PriceFenPerPoint()),
		Spending:          map[string]int64{}, Payouts: map[string]int64{},
		PointsCashedFen: r.cashedTotal, Withdrawals: r.withdrawals, WithdrawnFen: r.withdrawnTotal,
		WithdrawalFeeFen: r.feesTotal, Rejected: r.rejected,
	}
	for _, d := range r.days {
		s.Orders += d.Orders
		s.GMVFen += d.GMVFen
		s.Sells += d.Sells
		s.Exits += d.Exits
		for k, v := range d.Payouts {
			s.Payouts[RewardKindNames[k]] += v
			s.RewardsFen += v
		}
	}
	s.Payouts["points_cashed"] = r.cashedTotal
	var allocated int64
	for reason, v := range r.alloc {
		if v == 0 {
			continue
		}
		name, ok := spendingBucket[ledger.Reason(reason)]
		if !ok {
			name = "other"
		}
		s.Spending[name] += v
		allocated += v
	}
	s.NewMoney = NewMoney{RewardsFromLaterBP: bp(r.rewardsLater, r.rewardsOrders), PointsFromLaterBP: bp(r.cashedLater, r.cashedTotal)}
	s.Outcome, s.NetHistogram = outcome(run.Members)
	s.Concentration = concentration(run.Members)
	s.Cohorts = cohorts(run.Members, r.sc.Days)
	s.Checks = r.checks()
	run.Summary = s
	return run
}

func (r *runner) checks() Checks {
	c := Checks{UnbalancedTx: r.unbal, NoNegativeMember: true}
	var fen, upt, holdings int64
	r.e.EachAccount(func(a ledger.Account, b int64) {
		if a.Kind.IsPoints() {
			upt += b
		} else {
			fen += b
		}
		if a.Member >= 0 {
			if b < 0 {
				c.NoNegativeMember = false
			}
			if a.Kind == ledger.Points {
				holdings += b
			}
		}
	})
	c.MoneySumsToZero, c.PointsSumToZero = fen == 0, upt == 0
	c.SupplyEqualsHoldings = holdings == r.e.Pool().SupplyUpt
	return c
}

// histogramEdges are the net-result buckets' bounds in fen.
var histogramEdges = []int64{-500000, -200000, -100000, -50000, -10000, 0, 10000, 50000, 100000, 500000, 2000000}

// yuan formats fen as yuan: "¥-5000" or "¥12.34".
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	if fen%100 == 0 {
		return "¥" + sign + strconv.FormatInt(fen/100, 10)
	}
	return fmt.Sprintf("¥%s%d.%02d", sign, fen/100, fen%100)
}

func outcome(ms []MemberResult) (Outcome, []Bucket) {
	var o Outcome
	nets := make([]int64, 0, len(ms))
	for i := range ms {
		if ms[i].SpentFen == 0 {
			continue
		}
		nets = append(nets, ms[i].NetFen)
		o.NetTotalFen += ms[i].NetFen
		if ms[i].NetFen < 0 {
			o.Lost++
		}
	}
	o.Paying = int64(len(nets))
	o.LostBP = bp(o.Lost, o.Paying)
	slices.Sort(nets)
	o.NetPercentFn = map[string]int64{}
	if len(nets) > 0 {
		for _, p := range []int{1, 10, 25, 50, 75, 90, 99} {
			o.NetPercentFn["p"+strconv.Itoa(p)] = nets[p*(len(nets)-1)/100]
		}
		o.NetPercentFn["min"], o.NetPercentFn["max"] = nets[0], nets[len(nets)-1]
	}
	buckets := make([]Bucket, len(histogramEdges)+1)
	for i := range buckets {
		switch {
		case i == 0:
			buckets[i].Label = "< " + yuan(histogramEdges[0])
		case i == len(histogramEdges):
			buckets[i].Label = "≥ " + yuan(histogramEdges[i-1])
		default:
			buckets[i].Label = yuan(histogramEdges[i-1]) + " … " + yuan(histogramEdges[i])
		}
	}
	j := 0
	for _, n := range nets { // sorted: walk the edges once
		for j < len(histogramEdges) && n >= histogramEdges[j] {
			j++
		}
		buckets[j].Members++
	}
	return o, buckets
}

func concentration(ms []MemberResult) Concentration {
	rw := make([]int64, len(ms))
	var total int64
	var c Concentration
	for i := range ms {
		rw[i] = ms[i].RewardsFen()
		total += rw[i]
		if rw[i] > 0 {
			c.Earners++
		}
	}
	if len(rw) == 0 {
		return c
	}
	slices.Sort(rw)
	n := len(rw)
	top := func(k int) int64 {
		var s int64
		for _, v := range rw[n-k:] {
			s += v
		}
		return s
	}
	c.Top1BP = bp(top((n+99)/100), total)
	c.Top10BP = bp(top((n+9)/10), total)
	var bottom int64
	for _, v := range rw[:n/2] {
		bottom += v
	}
	c.BottomHalfB = bp(bottom, total)
	return c
}

func cohorts(ms []MemberResult, days int) []Cohort {
	const width = 30
	// Days 0..days in windows of 30; a short last window joins the one before.
	cs := make([]Cohort, max(1, (days+1)/width))
	nets := make([][]int64, len(cs))
	for i := range cs {
		cs[i].FromDay, cs[i].ToDay = i*width, (i+1)*width-1
	}
	cs[len(cs)-1].ToDay = days
	for i := range ms {
		m := &ms[i]
		k := min(m.JoinDay/width, len(cs)-1)
		c := &cs[k]
		c.Members++
		if m.SpentFen == 0 {
			continue
		}
		c.Paying++
		c.SpentFen += m.SpentFen
		c.NetFen += m.NetFen
		nets[k] = append(nets[k], m.NetFen)
	}
	for k := range cs {
		if len(nets[k]) == 0 {
			continue
		}
		slices.Sort(nets[k])
		cs[k].MedianNetFen = nets[k][(len(nets[k])-1)/2]
		var lost int64
		for _, n := range nets[k] {
			if n < 0 {
				lost++
			}
		}
		cs[k].LostBP = bp(lost, cs[k].Paying)
	}
	return cs
}
