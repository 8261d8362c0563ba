package plan

import (
	"fmt"
	"maps"
	"slices"
)

// MaxBP is 100 % in basis points.
const MaxBP = 10000

// MaxLevels is the most levels a plan may have.
const MaxLevels = 9

// tierNames are the regional tiers, most specific first: the only order in
// which a plan may list them.
var tierNames = []string{"street", "district", "city", "province", "bigregion"}

// Validate checks the value rules of details.md "Plan document" rule 7 and
// the profile bucket sum of section 2, naming the offending key path. Parse
// and FromJSONValue call it; call it on a plan built in Go code. It also
// checks that ProfileNames lists the keys of Profiles, sorted.
func (p *Plan) Validate() error {
	c := &checker{}
	c.points(&p.Points)
	c.chain(&p.Chain)
	c.levels(p.Levels)
	c.regions(&p.Regions)
	c.profiles(p)
	c.platform(&p.Platform)
	if c.err != nil {
		return c.err // not c.err itself when nil: a nil *Error is a non-nil error
	}
	return nil
}

// checker keeps the first rule broken; later checks are no-ops.
type checker struct {
	err *Error
}

func (c *checker) fail(path, format string, args ...any) {
	if c.err == nil {
		c.err = &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	}
}

func (c *checker) min(path string, v, lo int64) {
	if v < lo {
		c.fail(path, "must be >= %d, got %d", lo, v)
	}
}

func (c *checker) bp(path string, v int64) {
	if v < 0 || v > MaxBP {
		c.fail(path, "must be in 0..%d, got %d", MaxBP, v)
	}
}

func (c *checker) points(pt *Points) {
	c.min("points.start_price_fen", pt.StartPriceFen, 1)
	c.bp("points.gift_ratio_bp", pt.GiftRatioBP)
	c.bp("points.sell_fee_bp", pt.SellFeeBP)
	c.min("points.exit_multiple_bp", pt.ExitMultipleBP, 0) // a multiple: no upper bound
	c.bp("points.exit_fee_bp", pt.ExitFeeBP)
}

func (c *checker) chain(ch *Chain) {
	c.min("chain.boss_threshold", ch.BossThreshold, 1)
	c.bp("chain.direct_bp", ch.DirectBP)
	c.bp("chain.seepoint_bp", ch.SeepointBP)
	c.bp("chain.peer_rate_bp", ch.PeerRateBP)
	c.bp("chain.freeze_bp", ch.FreezeBP)
	c.min("chain.unlock_team_orders", ch.UnlockTeamOrders, 0)
	switch ch.DeadLinePolicy {
	case "none", "swap":
	case "spillover":
		// Spillover fills slots 1..3 only, which presumes K = 3.
		if ch.BossThreshold != 3 {
			c.fail("chain.dead_line_policy", "spillover requires chain.boss_threshold 3, got %d", ch.BossThreshold)
		}
	default:
		c.fail("chain.dead_line_policy", "must be none, swap or spillover, got %q", ch.DeadLinePolicy)
	}
}

func (c *checker) levels(levels []Level) {
	if len(levels) > MaxLevels {
		c.fail("levels", "at most %d levels, got %d", MaxLevels, len(levels))
		return
	}
	first := map[string]int{} // level code -> index of its first use
	var shares int64
	for i, l := range levels {
		path := index("levels", i)
		switch j, dup := first[l.Code]; {
		case l.Code == "":
			c.fail(join(path, "code"), "must not be empty")
		case dup:
			c.fail(join(path, "code"), "%q repeated (also levels[%d])", l.Code, j)
		default:
			first[l.Code] = i
		}
		c.bp(join(path, "diff_bp"), l.DiffBP)
		c.bp(join(path, "dividend_share_bp"), l.DividendShareBP)
		shares += l.DividendShareBP // no overflow: at most 9 values each <= MaxBP
	}
	if c.err == nil && shares > MaxBP {
		c.fail("levels", "dividend_share_bp values add up to %d, more than %d", shares, MaxBP)
	}
	for i, l := range levels {
		if l.Conditions == nil {
			continue
		}
		path := join(index("levels", i), "conditions")
		cd := l.Conditions
		c.min(join(path, "self_spend_fen"), cd.SelfSpendFen, 0)
		c.min(join(path, "direct_active"), cd.DirectActive, 0)
		c.min(join(path, "team_sales_fen"), cd.TeamSalesFen, 0)
		c.min(join(path, "team_size"), cd.TeamSize, 0)
		if dal := cd.DirectAtLevel; dal != nil {
			path := join(path, "direct_at_level")
			// Any level of the plan will do, lower, equal or higher.
			if _, ok := first[dal.Level]; !ok {
				c.fail(join(path, "level"), "%q is not a level code of the plan", dal.Level)
			}
			c.min(join(path, "count"), dal.Count, 0)
		}
	}
}

func (c *checker) regions(r *Regions) {
	prev := -1 // rank in tierNames of the previous tier
	for i, t := range r.Tiers {
		path := index("regions.tiers", i)
		rank := slices.Index(tierNames, t.Tier)
		switch {
		case rank < 0:
			c.fail(join(path, "tier"), "must be street, district, city, province or bigregion, got %q", t.Tier)
		case slices.ContainsFunc(r.Tiers[:i], func(u Tier) bool { return u.Tier == t.Tier }):
			c.fail(join(path, "tier"), "%q repeated", t.Tier)
		case rank < prev:
			c.fail(join(path, "tier"), "%q listed after %q: tiers go most specific first (street, district, city, province, bigregion)",
				t.Tier, tierNames[prev])
		}
		prev = max(prev, rank)
		c.bp(join(path, "rate_bp"), t.RateBP)
	}
	owner := map[string]string{} // province code -> its big region
	for _, name := range slices.Sorted(maps.Keys(r.BigRegions)) {
		path := join("regions.bigregions", name)
		if name == "" {
			c.fail(path, "a big region name must not be empty")
		}
		for i, code := range r.BigRegions[name] {
			path := index(path, i)
			if len(code) != 2 || !isDigit(code[0]) || !isDigit(code[1]) {
				c.fail(path, "a province code is 2 digits, got %q", code)
				continue
			}
			if other, ok := owner[code]; ok && other != name {
				c.fail(path, "province %q is also in big region %q", code, other)
			}
			owner[code] = name
		}
	}
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func (c *checker) profiles(p *Plan) {
	names := slices.Sorted(maps.Keys(p.Profiles))
	if !slices.Equal(names, p.ProfileNames) {
		c.fail("", "ProfileNames %q must be the sorted names of Profiles %q", p.ProfileNames, names)
	}
	for _, name := range names {
		path := join("profiles", name)
		pr := p.Profiles[name]
		if name == "" {
			c.fail(path, "a profile name must not be empty")
		}
		if pr == nil {
			c.fail(path, "nil profile")
			continue
		}
		buckets := []struct {
			key string
			bp  int64
		}{
			{"cost_bp", pr.CostBP},
			{"points_bp", pr.PointsBP},
			{"chain.budget_bp", pr.ChainBudgetBP},
			{"dividend_bp", pr.DividendBP},
			{"service_point_bp", pr.ServicePointBP},
			{"region.budget_bp", pr.RegionBudgetBP},
			{"level.budget_bp", pr.LevelBudgetBP},
			{"level.peer_bp", pr.LevelPeerBP},
			{"shareholder_bp", pr.ShareholderBP},
			{"distribution.direct_bp", pr.DistributionDirectBP},
			{"distribution.indirect_bp", pr.DistributionIndirectBP},
		}
		var sum int64
		for _, b := range buckets {
			c.bp(path+"."+b.key, b.bp)
			sum += b.bp // no overflow: 11 values each checked <= MaxBP first
		}
		if c.err == nil && sum > MaxBP {
			c.fail(path, "buckets add up to %d bp, more than %d", sum, MaxBP)
		}
		if pr.GrantsLevel != "" && p.LevelIndex(pr.GrantsLevel) < 0 {
			c.fail(join(path, "grants_level"), "%q is not a level code of the plan", pr.GrantsLevel)
		}
	}
}

func (c *checker) platform(pl *Platform) {
	if pl.ReturnWindowDays < 0 || pl.ReturnWindowDays > 365 {
		c.fail("platform.return_window_days", "must be in 0..365, got %d", pl.ReturnWindowDays)
	}
	c.min("platform.withdraw_min_fen", pl.WithdrawMinFen, 1)
	if pl.WithdrawFeeBP < 0 || pl.WithdrawFeeBP >= MaxBP {
		c.fail("platform.withdraw_fee_bp", "must be in 0..%d, got %d", MaxBP-1, pl.WithdrawFeeBP)
	}
}
