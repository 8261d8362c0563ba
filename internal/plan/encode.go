package plan

import "encoding/json"

// MarshalJSON writes the plan as a plan document (the keys of
// default-plan.yaml plus the platform section), which Parse reads back to
// an equal plan.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type obj = map[string]any
	levels := make([]obj, len(p.Levels))
	for i, l := range p.Levels {
		lv := obj{"code": l.Code, "name": l.Name, "diff_bp": l.DiffBP, "dividend_share_bp": l.DividendShareBP}
		if c := l.Conditions; c != nil {
			co := obj{"self_spend_fen": c.SelfSpendFen, "direct_active": c.DirectActive,
				"team_sales_fen": c.TeamSalesFen, "team_size": c.TeamSize}
			if d := c.DirectAtLevel; d != nil {
				co["direct_at_level"] = obj{"level": d.Level, "count": d.Count}
			}
			lv["conditions"] = co
		}
		levels[i] = lv
	}
	tiers := make([]obj, len(p.Regions.Tiers))
	for i, t := range p.Regions.Tiers {
		tiers[i] = obj{"tier": t.Tier, "rate_bp": t.RateBP}
	}
	big := obj{}
	for name, provinces := range p.Regions.BigRegions {
		big[name] = provinces
	}
	profiles := obj{}
	for name, pr := range p.Profiles {
		po := obj{
			"activates_agent": pr.ActivatesAgent,
			"cost_bp":         pr.CostBP, "points_bp": pr.PointsBP,
			"chain":       obj{"budget_bp": pr.ChainBudgetBP},
			"dividend_bp": pr.DividendBP, "service_point_bp": pr.ServicePointBP,
			"region":         obj{"budget_bp": pr.RegionBudgetBP},
			"level":          obj{"budget_bp": pr.LevelBudgetBP, "peer_bp": pr.LevelPeerBP},
			"shareholder_bp": pr.ShareholderBP,
			"distribution":   obj{"direct_bp": pr.DistributionDirectBP, "indirect_bp": pr.DistributionIndirectBP},
		}
		if pr.GrantsLevel != "" {
			po["grants_level"] = pr.GrantsLevel
		}
		profiles[name] = po
	}
	return json.Marshal(obj{
		"invite_requires_active": p.InviteRequiresActive,
		"points": obj{"start_price_fen": p.Points.StartPriceFen, "gift_ratio_bp": p.Points.GiftRatioBP,
			"sell_fee_bp": p.Points.SellFeeBP, "exit_multiple_bp": p.Points.ExitMultipleBP, "exit_fee_bp": p.Points.ExitFeeBP},
		"chain": obj{"boss_threshold": p.Chain.BossThreshold, "direct_bp": p.Chain.DirectBP,
			"seepoint_bp": p.Chain.SeepointBP, "peer_rate_bp": p.Chain.PeerRateBP, "freeze_bp": p.Chain.FreezeBP,
			"unlock_team_orders": p.Chain.UnlockTeamOrders, "dead_line_policy": p.Chain.DeadLinePolicy},
		"levels":   levels,
		"regions":  obj{"tiers": tiers, "bigregions": big},
		"profiles": profiles,
		"platform": obj{"return_window_days": p.Platform.ReturnWindowDays,
			"withdraw_min_fen": p.Platform.WithdrawMinFen, "withdraw_fee_bp": p.Platform.WithdrawFeeBP},
	})
}
