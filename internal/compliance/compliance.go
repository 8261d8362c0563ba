// Package compliance reviews a reward plan against the criteria of China's
// 《禁止传销条例》 (Regulations on Prohibition of Pyramid Selling, State
// Council Order No. 444, 2005), article 7, and their usual judicial reading,
// and measures with a short simulation how far the plan's payouts depend on
// new members' money. It is a lint for plan designers, not legal advice.
package compliance

import (
	"fmt"
	"slices"

	"github.com/greenmall/greenmall/internal/plan"
)

// Severity grades a finding.
type Severity string

const (
	High   Severity = "high"   // the plan has the feature the rule names
	Medium Severity = "medium" // the feature is present in a weaker or indirect form
	Low    Severity = "low"    // worth knowing; not by itself what the rule names
)

var severityRank = map[Severity]int{High: 0, Medium: 1, Low: 2}

// Finding is one feature of the plan that a criterion names.
type Finding struct {
	ID          string   `json:"id"`
	Severity    Severity `json:"severity"`
	Criterion   string   `json:"criterion"` // 入门费, 拉人头, 团队计酬, 返利承诺
	Title       string   `json:"title"`
	Rule        string   `json:"rule"`     // the legal source
	Settings    []string `json:"settings"` // the plan settings behind it
	Explanation string   `json:"explanation"`
}

// Sources cited by the findings.
const (
	ruleArt7_1 = "《禁止传销条例》第七条第（一）项（拉人头：以发展人员的数量为依据计算和给付报酬）"
	ruleArt7_2 = "《禁止传销条例》第七条第（二）项（入门费：交纳费用或以认购商品等方式变相交纳费用，取得加入或发展他人的资格）"
	ruleArt7_3 = "《禁止传销条例》第七条第（三）项（团队计酬：以下线的销售业绩为依据计算和给付上线报酬）"
	ruleCrim   = "《刑法》第二百二十四条之一（组织、领导传销活动罪）"
	ruleOp2013 = "两高一部《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》（公通字〔2013〕37号）"
	ruleDSA24  = "《直销管理条例》第二十四条（报酬只能按直销员本人直接向消费者销售产品的收入计算）"
	ruleFund   = "《防范和处置非法集资条例》第二条（以许诺还本付息或者给予其他投资回报等方式吸收资金）"
)

func setting(path string, v any) string { return fmt.Sprintf("%s = %v", path, v) }

// Check reviews the plan's settings. p must be valid.
func Check(p *plan.Plan) []Finding {
	var fs []Finding
	add := func(f Finding) { fs = append(fs, f) }

	var activating, chainProfiles, pointsProfiles, levelProfiles, levelPeerProfiles, distProfiles []string
	var activatingChain []string
	for _, name := range p.ProfileNames {
		pr := p.Profiles[name]
		if pr.ActivatesAgent {
			activating = append(activating, name)
			if pr.ChainBudgetBP > 0 {
				activatingChain = append(activatingChain, name)
			}
		}
		if pr.ChainBudgetBP > 0 {
			chainProfiles = append(chainProfiles, name)
		}
		if pr.PointsBP > 0 {
			pointsProfiles = append(pointsProfiles, name)
		}
		if pr.LevelBudgetBP > 0 {
			levelProfiles = append(levelProfiles, name)
		}
		if pr.LevelPeerBP > 0 {
			levelPeerProfiles = append(levelPeerProfiles, name)
		}
		if pr.DistributionDirectBP > 0 || pr.DistributionIndirectBP > 0 {
			distProfiles = append(distProfiles, name)
		}
	}
	ch := p.Chain
	chainPays := len(chainProfiles) > 0 && ch.DirectBP+ch.SeepointBP > 0

	// 入门费: rewards (and recruiting) require the gift package.
	if len(activating) > 0 && (chainPays || len(distProfiles) > 0 || p.InviteRequiresActive) {
		f := Finding{ID: "entry_fee", Criterion: "入门费", Severity: Medium, Rule: ruleArt7_2 + "；" + ruleCrim,
			Title: "Qualification bought with a purchase: only members who bought the package earn rewards"}
		for _, name := range activating {
			pr := p.Profiles[name]
			f.Settings = append(f.Settings, setting("profiles."+name+".activates_agent", true),
				setting("profiles."+name+".cost_bp", fmt.Sprintf("%d (the goods are %s of the price)", pr.CostBP, pct(pr.CostBP))))
		}
		f.Explanation = "A member becomes active (an agent) only by buying " + list(activating) + "."
		if chainPays {
			f.Severity = High
			f.Settings = append(f.Settings, setting("chain.direct_bp", ch.DirectBP), setting("chain.seepoint_bp", ch.SeepointBP))
			f.Explanation += " Direct and see-point rewards are paid only to active members, so the purchase is what buys the right to be paid for the members one brings."
		}
		if len(distProfiles) > 0 {
			f.Explanation += " The two-tier distribution pays only active referrers."
		}
		if p.InviteRequiresActive {
			f.Settings = append(f.Settings, setting("invite_requires_active", true))
			f.Explanation += " With invite_requires_active only active members may invite: the right to recruit is bought too."
		}
		add(f)
	}

	// 拉人头: rewards driven by recruiting numbers.
	if len(activatingChain) > 0 && ch.DirectBP > 0 {
		add(Finding{ID: "headcount_direct", Criterion: "拉人头", Severity: High, Rule: ruleArt7_1 + "；" + ruleCrim,
			Title: "A fixed reward for each recruit who buys the package",
			Settings: []string{setting("chain.direct_bp", ch.DirectBP),
				setting("profiles."+activatingChain[0]+".activates_agent", true),
				setting("profiles."+activatingChain[0]+".chain.budget_bp", p.Profiles[activatingChain[0]].ChainBudgetBP)},
			Explanation: fmt.Sprintf("Every recruit's activating package pays the referrer %s of its price (¥%s on a ¥1000 package): the reward counts heads that paid to join.",
				pct(ch.DirectBP), yuanOn1000(ch.DirectBP))})
	}
	if len(chainProfiles) > 0 && ch.SeepointBP > 0 && ch.BossThreshold >= 1 {
		add(Finding{ID: "headcount_boss", Criterion: "拉人头", Severity: High, Rule: ruleArt7_1 + "；" + ruleOp2013 + "第五条",
			Title: "Boss promotion by the number of recruits",
			Settings: []string{setting("chain.boss_threshold", ch.BossThreshold), setting("chain.seepoint_bp", ch.SeepointBP),
				setting("chain.peer_rate_bp", ch.PeerRateBP)},
			Explanation: fmt.Sprintf("A member becomes a boss (老板) when its %s placed recruit arrives, and only then earns see-point rewards (%s of every chain order in its team) and breaks away from its upline: promotion counts recruits, not sales.",
				ordinal(ch.BossThreshold), pct(ch.SeepointBP))})
	}
	var headLevels, headSettings []string
	for _, lv := range p.Levels {
		c := lv.Conditions
		if c == nil || (c.DirectActive == 0 && c.TeamSize == 0 && c.DirectAtLevel == nil) {
			continue
		}
		headLevels = append(headLevels, lv.Code)
		if c.DirectActive > 0 {
			headSettings = append(headSettings, setting("levels."+lv.Code+".conditions.direct_active", c.DirectActive))
		}
		if c.TeamSize > 0 {
			headSettings = append(headSettings, setting("levels."+lv.Code+".conditions.team_size", c.TeamSize))
		}
		if c.DirectAtLevel != nil {
			headSettings = append(headSettings, setting("levels."+lv.Code+".conditions.direct_at_level", fmt.Sprintf("{level: %s, count: %d}", c.DirectAtLevel.Level, c.DirectAtLevel.Count)))
		}
	}
	if len(headLevels) > 0 {
		sev := Low
		if levelsPay(p, levelProfiles) {
			sev = High
		}
		add(Finding{ID: "headcount_levels", Criterion: "拉人头", Severity: sev, Rule: ruleArt7_1,
			Title:       "Team levels reached by counting recruits",
			Settings:    headSettings,
			Explanation: "Levels " + list(headLevels) + " are reached by numbers of active direct referrals, active team members or recruits at a level; the levels carry the level differential and the chain dividend. Active means having bought the package, so these count paying heads."})
	}

	// 团队计酬: rewards from sales far below the earner.
	if len(chainProfiles) > 0 && ch.SeepointBP > 0 {
		sev, depth := High, "unlimited"
		if ch.BossThreshold == 1 && ch.DeadLinePolicy != "spillover" {
			sev, depth = Low, "1 (the placement parent)"
		}
		add(Finding{ID: "team_seepoint", Criterion: "团队计酬", Severity: sev, Rule: ruleArt7_3 + "；" + ruleOp2013 + "第一条（层级在三级以上）",
			Title: "See-point reward (见点奖) on orders at any depth of the team",
			Settings: []string{setting("chain.seepoint_bp", ch.SeepointBP), setting("chain.boss_threshold", ch.BossThreshold),
				setting("chain.dead_line_policy", ch.DeadLinePolicy)},
			Explanation: fmt.Sprintf("Slots 1..%d of every member are contribution slots left to the upline boss, so a boss earns %s of the chain orders of its whole contribution tree: depth %s.",
				ch.BossThreshold-1, pct(ch.SeepointBP), depth)})
	}
	if levelsPay(p, levelProfiles) {
		var ss []string
		for _, lv := range p.Levels {
			if lv.DiffBP > 0 {
				ss = append(ss, setting("levels."+lv.Code+".diff_bp", lv.DiffBP))
			}
		}
		for _, name := range levelProfiles {
			ss = append(ss, setting("profiles."+name+".level.budget_bp", p.Profiles[name].LevelBudgetBP))
		}
		add(Finding{ID: "team_level_diff", Criterion: "团队计酬", Severity: High, Rule: ruleArt7_3 + "；" + ruleDSA24,
			Title: "Level differential (级差) with no depth cap", Settings: ss,
			Explanation: "The differential walks every referral ancestor of the buyer, however far up, and pays the first at each higher level: members are paid on the sales of downlines more than three levels below them. The plan has no depth limit setting."})
	}
	if len(levelPeerProfiles) > 0 && len(p.Levels) > 0 {
		var ss []string
		for _, name := range levelPeerProfiles {
			ss = append(ss, setting("profiles."+name+".level.peer_bp", p.Profiles[name].LevelPeerBP))
		}
		add(Finding{ID: "team_level_peer", Criterion: "团队计酬", Severity: High, Rule: ruleArt7_3,
			Title: "Level peer reward (同级奖) at any distance", Settings: ss,
			Explanation: "The level peer goes to the nearest ancestor above the top payee at the same level, with no limit on how far above."})
	}
	if len(chainProfiles) > 0 && ch.PeerRateBP > 0 && ch.SeepointBP+ch.DirectBP > 0 {
		add(Finding{ID: "team_chain_peer", Criterion: "团队计酬", Severity: Medium, Rule: ruleArt7_3,
			Title:       "Chain peer reward (平级奖): the former boss earns on the new boss's team",
			Settings:    []string{setting("chain.peer_rate_bp", ch.PeerRateBP)},
			Explanation: fmt.Sprintf("A boss's peer upline gets %s of everything the boss earns, i.e. of the sales of the boss's whole team, one boss-level further up.", pct(ch.PeerRateBP))})
	}
	if len(chainProfiles) > 0 && ch.FreezeBP > 0 && ch.UnlockTeamOrders > 0 {
		add(Finding{ID: "team_unlock", Criterion: "团队计酬", Severity: Medium, Rule: ruleArt7_3,
			Title:       "Chain fund released by the downline's orders",
			Settings:    []string{setting("chain.freeze_bp", ch.FreezeBP), setting("chain.unlock_team_orders", ch.UnlockTeamOrders)},
			Explanation: fmt.Sprintf("%s of chain rewards stay frozen until the two contribution lines hold %d chain orders: being paid depends on the team's sales.", pct(ch.FreezeBP), ch.UnlockTeamOrders)})
	}
	var salesLevels []string
	for _, lv := range p.Levels {
		if lv.Conditions != nil && lv.Conditions.TeamSalesFen > 0 {
			salesLevels = append(salesLevels, setting("levels."+lv.Code+".conditions.team_sales_fen", lv.Conditions.TeamSalesFen))
		}
	}
	if len(salesLevels) > 0 && levelsPay(p, levelProfiles) {
		add(Finding{ID: "team_sales_levels", Criterion: "团队计酬", Severity: Medium, Rule: ruleArt7_3,
			Title: "Levels reached by the whole downline's sales", Settings: salesLevels,
			Explanation: "Team sales count every order in the referral subtree at any depth; the level they unlock is paid on later orders."})
	}
	if divLevels := dividendLevels(p); len(divLevels) > 0 {
		add(Finding{ID: "team_dividend", Criterion: "团队计酬", Severity: Medium, Rule: ruleArt7_3,
			Title: "Chain dividend shared by rank", Settings: divLevels,
			Explanation: "The dividend pool, filled by every order, is shared among the members at each level; the levels are reached through the team's numbers."})
	}
	if len(distProfiles) > 0 {
		var ss []string
		for _, name := range distProfiles {
			pr := p.Profiles[name]
			ss = append(ss, setting("profiles."+name+".distribution.direct_bp", pr.DistributionDirectBP),
				setting("profiles."+name+".distribution.indirect_bp", pr.DistributionIndirectBP))
		}
		add(Finding{ID: "team_distribution", Criterion: "团队计酬", Severity: Low, Rule: ruleDSA24,
			Title: "Two-tier distribution (直推/间推)", Settings: ss,
			Explanation: "Referrers are paid on their referrals' and their referrals' referrals' purchases: two levels, within the three-level reading, but pay on others' purchases rather than on one's own sales."})
	}

	// 返利承诺: a return promised on a points position.
	if len(pointsProfiles) > 0 && p.Points.ExitMultipleBP > 0 {
		add(Finding{ID: "return_exit_multiple", Criterion: "返利承诺", Severity: High, Rule: ruleCrim + "（返利依据）；" + ruleFund,
			Title: "Forced exit at a multiple reads as a promised return",
			Settings: []string{setting("points.exit_multiple_bp", p.Points.ExitMultipleBP), setting("points.exit_fee_bp", p.Points.ExitFeeBP),
				setting("points.gift_ratio_bp", p.Points.GiftRatioBP)},
			Explanation: fmt.Sprintf("A member is sold out when its points are worth %s× what it paid for the orders that issued them: the plan is presented as returning a multiple of a purchase, paid from the pool that later purchases fill.",
				multiple(p.Points.ExitMultipleBP))})
	}
	if len(pointsProfiles) > 0 && p.Points.GiftRatioBP < 10000 && p.Points.SellFeeBP > 0 {
		var ss []string
		for _, name := range pointsProfiles {
			ss = append(ss, setting("profiles."+name+".points_bp", p.Profiles[name].PointsBP))
		}
		ss = append(ss, setting("points.gift_ratio_bp", p.Points.GiftRatioBP), setting("points.sell_fee_bp", p.Points.SellFeeBP))
		add(Finding{ID: "return_rising_price", Criterion: "返利承诺", Severity: High, Rule: ruleOp2013 + "第三条（掩饰计酬、返利真实来源）；" + ruleFund,
			Title: "A points price that only rises while money comes in", Settings: ss,
			Explanation: fmt.Sprintf("Each order adds to the pool more than the points it issues are worth (gift ratio %s) and each sell leaves %s of its value in the pool, so the price never falls: the rise is paid by new purchases, not by any earnings.",
				pct(p.Points.GiftRatioBP), pct(p.Points.SellFeeBP))})
	}
	slices.SortStableFunc(fs, func(a, b Finding) int { return severityRank[a.Severity] - severityRank[b.Severity] })
	return fs
}

// levelsPay reports whether the level differential can pay anything.
func levelsPay(p *plan.Plan, levelProfiles []string) bool {
	if len(levelProfiles) == 0 {
		return false
	}
	for _, lv := range p.Levels {
		if lv.DiffBP > 0 {
			return true
		}
	}
	return false
}

func dividendLevels(p *plan.Plan) []string {
	fills := false
	for _, name := range p.ProfileNames {
		if p.Profiles[name].DividendBP > 0 {
			fills = true
		}
	}
	if !fills {
		return nil
	}
	var ss []string
	for _, lv := range p.Levels {
		if lv.DividendShareBP > 0 {
			ss = append(ss, setting("levels."+lv.Code+".dividend_share_bp", lv.DividendShareBP))
		}
	}
	return ss
}

func pct(bp int64) string {
	if bp%100 == 0 {
		return fmt.Sprintf("%d %%", bp/100)
	}
	return fmt.Sprintf("%d.%02d %%", bp/100, bp%100)
}

func multiple(bp int64) string {
	if bp%10000 == 0 {
		return fmt.Sprint(bp / 10000)
	}
	return fmt.Sprintf("%d.%04d", bp/10000, bp%10000)
}

func yuanOn1000(bp int64) string { return fmt.Sprint(bp / 10) }

func ordinal(n int64) string {
	switch n {
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	}
	return fmt.Sprintf("%dth", n)
}

func list(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += "«" + n + "»"
	}
	return s
}
