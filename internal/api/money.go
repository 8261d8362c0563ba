package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// moneyRoutes serves the member's wallet, points, team and withdrawals,
// and the finance console's withdrawal review. Amounts are integer fen,
// points integer µpt; prices are also given as decimal strings computed
// with integer arithmetic.
func (s *Server) moneyRoutes() {
	s.mux.HandleFunc("GET /api/wallet", s.member(s.walletGet))
	s.mux.HandleFunc("GET /api/wallet/ledger", s.member(s.walletLedger))
	s.mux.HandleFunc("GET /api/points", s.member(s.pointsGet))
	s.mux.HandleFunc("GET /api/points/history", s.member(s.pointsHistory))
	s.mux.HandleFunc("POST /api/points/sell/preview", s.member(s.pointsSellPreview))
	s.mux.HandleFunc("POST /api/points/sell", s.member(s.pointsSell))
	s.mux.HandleFunc("GET /api/team", s.member(s.teamGet))
	s.mux.HandleFunc("POST /api/withdrawals", s.member(s.withdrawCreate))
	s.mux.HandleFunc("GET /api/withdrawals", s.member(s.withdrawOwn))
	s.mux.HandleFunc("GET /api/admin/withdrawals", s.operator(s.withdrawAdminList, platform.RoleFinance))
	s.mux.HandleFunc("POST /api/admin/withdrawals/{id}/approve", s.operator(s.withdrawApprove, platform.RoleFinance))
	s.mux.HandleFunc("POST /api/admin/withdrawals/{id}/reject", s.operator(s.withdrawReject, platform.RoleFinance))
	s.mux.HandleFunc("POST /api/admin/withdrawals/{id}/paid", s.operator(s.withdrawPaidPost, platform.RoleFinance))
}

// ---- wallet ----

// chainFund is the 20 % chain fund's unlock progress (reward-plan.md §3.4),
// exactly as the engine checks it at each period close.
type chainFund struct {
	FreezeBP         int64  `json:"freeze_bp"`
	FrozenFen        int64  `json:"frozen_fen"`
	Unlocked         bool   `json:"unlocked"`
	Slot1            string `json:"slot1_child"`
	Slot2            string `json:"slot2_child"`
	SlotsFilled      bool   `json:"slots_filled"`
	TeamOrders       int64  `json:"team_orders"`
	TeamOrdersNeeded int64  `json:"team_orders_needed"`
	ConditionsMet    bool   `json:"conditions_met"`
	Rule             string `json:"rule"`
	RuleZH           string `json:"rule_zh"`
}

func (s *Server) walletGet(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r).Member
	var out map[string]any
	s.Seq.Read(func(p *platform.Platform) {
		v, _ := p.View(id)
		pl := p.Plan()
		c1, c2, orders, _ := p.Engine().UnlockProgress(id)
		filled := c1 != "" && c2 != ""
		cf := chainFund{
			FreezeBP: pl.Chain.FreezeBP, FrozenFen: v.Frozen, Unlocked: v.Unlocked,
			Slot1: c1, Slot2: c2, SlotsFilled: filled, TeamOrders: orders, TeamOrdersNeeded: pl.Chain.UnlockTeamOrders,
			ConditionsMet: filled && orders >= pl.Chain.UnlockTeamOrders,
			Rule: "Until unlocked, freeze_bp of each chain reward (direct, see-point, peer) is frozen. " +
				"The fund unlocks at a period close once both placement slots 1 and 2 are filled and the placement subtrees " +
				"of those two children (each child included) hold together at least team_orders_needed settled chain orders; " +
				"all frozen money then moves to available, and unlocking is permanent.",
			RuleZH: "解锁前，每笔链动奖励（直推、见点、平级）按 freeze_bp 冻结。结算周期关闭时，若 1 号位和 2 号位均已排满，" +
				"且这两个下级的安置团队（含本人）累计结算的链动订单数达到 team_orders_needed，冻结资金全部转入可用余额，解锁永久有效。",
		}
		out = map[string]any{
			"available_fen": v.Available, "frozen_fen": v.Frozen, "withdrawing_fen": v.Withdrawing,
			"chain_fund": cf,
			"withdraw":   map[string]int64{"min_fen": pl.Platform.WithdrawMinFen, "fee_bp": pl.Platform.WithdrawFeeBP},
		}
	})
	writeJSON(w, 200, out)
}

// ledgerLine is a ledger line with its unit.
type ledgerLine struct {
	store.LedgerRow
	Unit string `json:"unit"` // "fen" or "µpt"
}

func (s *Server) walletLedger(w http.ResponseWriter, r *http.Request) {
	page, limit, ok := paging(w, r)
	if !ok {
		return
	}
	offset := (page - 1) * limit
	rows, total, err := s.DB.MemberLedger(r.Context(), principalOf(r).Member, limit, offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lines := make([]ledgerLine, len(rows))
	for i, l := range rows {
		unit := "fen"
		if strings.HasSuffix(l.Account, ":points") {
			unit = "µpt"
		}
		lines[i] = ledgerLine{l, unit}
	}
	writeJSON(w, 200, map[string]any{"total": total, "page": page, "size": limit, "lines": lines})
}

// ---- points ----

// pointsRules states the points rules as they are, with no promise.
var pointsRules = map[string]string{
	"zh": "积分价格 = 积分池余额 ÷ 积分总量。价格可能上涨，也可能长期持平或在卖出、出局后变化，积分不保证升值，收益不作任何保证。" +
		"卖出积分按当前价格计算价值，扣除卖出手续费后计入可用余额（手续费留在积分池）。" +
		"当本轮获得的积分按当前价格计算的价值达到本轮订单金额的出局倍数时，系统按出局手续费强制卖出全部积分（出局），本轮结束。",
	"en": "Price = points pool ÷ points supply. The price can rise, stay flat for a long time, or move after sells and exits; " +
		"points are not guaranteed to rise and no return is guaranteed. A sell pays the value at the current price minus the sell fee " +
		"(the fee stays in the pool) to your available balance. When the points issued in your current round are worth the exit multiple " +
		"of that round's order amounts, all your points are sold automatically at the exit fee (forced exit) and the round ends.",
}

// pointsPrice is the pool price as exact integers and a decimal string.
func pointsPrice(e *engine.Engine) map[string]any {
	num, den := e.PriceFenPerPoint()
	pool := e.Pool()
	return map[string]any{
		"pool_fen": pool.PoolFen, "supply_upt": pool.SupplyUpt, "reference": pool.SupplyUpt == 0,
		"num_fen": num, "den_upt": den, "yuan_per_point": money.FormatYuanPerPoint(num, den),
	}
}

func (s *Server) pointsGet(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r).Member
	var out map[string]any
	s.Seq.Read(func(p *platform.Platform) {
		e := p.Engine()
		v, _ := p.View(id)
		pts := p.Plan().Points
		pool := e.Pool()
		P, S := pool.PoolFen, pool.SupplyUpt
		var value, payout int64
		if S > 0 && v.PointsUpt > 0 {
			value = money.MulDiv(v.PointsUpt, P, S)
			payout, _ = money.MulDiv3(v.PointsUpt, P, money.BP-pts.SellFeeBP, S, money.BP)
		}
		exit := map[string]any{
			"enabled": pts.ExitMultipleBP > 0, "multiple_bp": pts.ExitMultipleBP, "exit_fee_bp": pts.ExitFeeBP,
			"round_c_fen": v.RoundCFen, "round_o_upt": v.RoundOUpt, "exits": v.Exits,
		}
		if v.RoundCFen > 0 && S > 0 {
			// Exit when O × P × 10000 ≥ multiple × C × S (§4): the round's
			// points valued now against multiple × C.
			roundValue := money.MulDiv(v.RoundOUpt, P, S)
			threshold := money.Mul3(pts.ExitMultipleBP, v.RoundCFen, 1).Div64(money.BP)
			th, _ := threshold.Int64()
			exit["round_value_fen"] = roundValue
			exit["threshold_fen"] = th // floor(multiple × C / 10000)
			if pts.ExitMultipleBP > 0 {
				prog, ok := money.Mul3(v.RoundOUpt, P, money.BP*money.BP).Div64(uint64(v.RoundCFen)).Div64(uint64(S)).Div64(uint64(pts.ExitMultipleBP)).Int64()
				if !ok {
					prog = money.BP
				}
				exit["progress_bp"] = prog
			}
		}
		out = map[string]any{
			"price": pointsPrice(e), "holding_upt": v.PointsUpt, "value_fen": value,
			"sell_fee_bp": pts.SellFeeBP, "sell_all_payout_fen": payout,
			"exit": exit, "rules": pointsRules,
		}
	})
	writeJSON(w, 200, out)
}

func (s *Server) pointsHistory(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, 400, platform.CodeInvalid, "limit must be a number from 1 to 1000")
			return
		}
		limit = n
	}
	rows, err := s.DB.PriceHistory(r.Context(), limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type point struct {
		Seq          int64  `json:"seq"`
		At           int64  `json:"at"`
		PoolFen      int64  `json:"pool_fen"`
		SupplyUpt    int64  `json:"supply_upt"`
		YuanPerPoint string `json:"yuan_per_point"` // "-" when the supply is 0
	}
	out := make([]point, len(rows))
	for i, p := range rows {
		out[i] = point{p.Seq, p.At, p.PoolFen, p.SupplyUpt, money.FormatYuanPerPoint(p.PoolFen, p.SupplyUpt)}
	}
	writeJSON(w, 200, map[string]any{"points": out})
}

type sellReq struct {
	Upt int64 `json:"upt"`
	All bool  `json:"all"`
}

func (s *Server) pointsSellPreview(w http.ResponseWriter, r *http.Request) {
	var req sellReq
	if !decode(w, r, &req) {
		return
	}
	id := principalOf(r).Member
	var out map[string]any
	var perr error
	s.Seq.Read(func(p *platform.Platform) {
		perr, out = nil, nil // Read may run this again
		v, _ := p.View(id)
		q := req.Upt
		if req.All {
			q = v.PointsUpt
		}
		// The same refusals as the sell itself.
		if q < 1 || q > v.PointsUpt {
			perr = &platform.Error{Code: platform.CodeInsufficient, Msg: "cannot sell " + strconv.FormatInt(q, 10) +
				" µpt of a holding of " + strconv.FormatInt(v.PointsUpt, 10) + " µpt"}
			return
		}
		pool := p.Engine().Pool()
		fee := p.Plan().Points.SellFeeBP
		// As engine.sellUnits: floor(q × P × (10000 − fee) / (S × 10000)).
		value := money.MulDiv(q, pool.PoolFen, pool.SupplyUpt)
		payout, _ := money.MulDiv3(q, pool.PoolFen, money.BP-fee, pool.SupplyUpt, money.BP)
		out = map[string]any{"upt": q, "value_fen": value, "fee_fen": value - payout, "payout_fen": payout,
			"sell_fee_bp": fee, "price": pointsPrice(p.Engine()),
			"note": "The payout is computed at the price now; other members' orders and sells before yours may change it. " +
				"It does not include a forced exit that your sell might trigger on your remaining points."}
	})
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	writeJSON(w, 200, out)
}

func (s *Server) pointsSell(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	var req sellReq
	if !decode(w, r, &req) {
		return
	}
	p := principalOf(r)
	s.submit(w, r, p.ID, platform.Sell{Member: p.Member, Upt: req.Upt, All: req.All}, 200)
}

// ---- team ----

// maskPhoneMid hides the middle of a phone number: 138****5678.
func maskPhoneMid(phone string) string {
	if len(phone) < 7 {
		return "****"
	}
	return phone[:3] + strings.Repeat("*", len(phone)-7) + phone[len(phone)-4:]
}

type teamCond struct {
	Key   string `json:"key"`
	Need  int64  `json:"need"`
	Have  *int64 `json:"have"` // null when the engine does not keep the figure
	Met   *bool  `json:"met"`  // null when unknown
	Level string `json:"level,omitempty"`
	Note  string `json:"note,omitempty"`
}

type teamLevel struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	ByRule     bool       `json:"reachable_by_rule"`
	Conditions []teamCond `json:"conditions"`
}

func (s *Server) teamGet(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r).Member
	refs, err := s.DB.Referrals(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out map[string]any
	s.Seq.Read(func(p *platform.Platform) {
		e := p.Engine()
		pl := p.Plan()
		v, _ := p.View(id)
		levelIdx := map[string]int{}
		for i, l := range pl.Levels {
			levelIdx[l.Code] = i + 1
		}
		referrals := make([]map[string]any, 0, len(refs))
		for _, ref := range refs {
			rv, ok := p.View(ref.ID)
			if !ok {
				continue
			}
			referrals = append(referrals, map[string]any{"id": ref.ID, "name": ref.Name, "phone": maskPhoneMid(ref.Phone),
				"role": rv.Role.String(), "level": rv.Level, "joined_at": ref.JoinedAt})
		}
		children := []map[string]any{}
		for _, c := range e.PlacementChildren(id) {
			name := ""
			if m, ok := p.MemberByID(c.ID); ok {
				name = m.Name
			}
			children = append(children, map[string]any{"slot": c.Slot, "id": c.ID, "name": name, "role": c.Role.String(), "level": c.Level})
		}
		figures := e.TeamFigures()
		var levels []teamLevel
		for i := levelIdx[v.Level]; i < len(pl.Levels); i++ {
			l := pl.Levels[i]
			tl := teamLevel{Code: l.Code, Name: l.Name, ByRule: l.Conditions != nil, Conditions: []teamCond{}}
			if c := l.Conditions; c != nil {
				add := func(key string, need, have int64, known bool) {
					if need == 0 {
						return
					}
					tc := teamCond{Key: key, Need: need}
					if known {
						met := have >= need
						tc.Have, tc.Met = &have, &met
					} else {
						tc.Note = "not tracked: the engine keeps team figures only while some level's conditions ask for them"
					}
					tl.Conditions = append(tl.Conditions, tc)
				}
				add("self_spend_fen", c.SelfSpendFen, v.SelfSpend, true)
				add("direct_active", c.DirectActive, int64(v.DirectActive), true)
				if d := c.DirectAtLevel; d != nil {
					var n int64
					for _, ref := range referrals {
						if li := levelIdx[ref["level"].(string)]; li > 0 && li >= levelIdx[d.Level] {
							n++
						}
					}
					met := n >= d.Count
					tl.Conditions = append(tl.Conditions, teamCond{Key: "direct_at_level", Level: d.Level, Need: d.Count, Have: &n, Met: &met})
				}
				add("team_sales_fen", c.TeamSalesFen, v.TeamSalesFen, figures)
				add("team_size", c.TeamSize, int64(v.TeamSize), figures)
			}
			levels = append(levels, tl)
		}
		if levels == nil {
			levels = []teamLevel{}
		}
		out = map[string]any{
			"role": v.Role.String(), "level": v.Level, "referrer": v.Referrer,
			"placement": map[string]any{"parent": v.Parent, "slot": v.Slot, "children": children},
			"team_boss": v.Team, "peer_up": v.PeerUp,
			"direct_active": v.DirectActive, "self_spend_fen": v.SelfSpend,
			"team_figures_kept": figures,
			"referrals":         referrals,
			"upgrade":           levels,
		}
		if figures {
			out["team_size"], out["team_sales_fen"] = v.TeamSize, v.TeamSalesFen
		}
	})
	writeJSON(w, 200, out)
}

// ---- withdrawals ----

func (s *Server) withdrawCreate(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	var req struct {
		AmountFen int64  `json:"amount_fen"`
		Account   string `json:"account"`
	}
	if !decode(w, r, &req) {
		return
	}
	p := principalOf(r)
	s.submit(w, r, p.ID, platform.WithdrawRequest{Member: p.Member, AmountFen: req.AmountFen, Account: strings.TrimSpace(req.Account)}, 201)
}

func (s *Server) withdrawList(w http.ResponseWriter, r *http.Request, f store.WithdrawalFilter) {
	page, limit, ok := paging(w, r)
	if !ok {
		return
	}
	offset := (page - 1) * limit
	rows, total, err := s.DB.Withdrawals(r.Context(), f, limit, offset)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]any{"total": total, "page": page, "size": limit, "withdrawals": rows})
}

func (s *Server) withdrawOwn(w http.ResponseWriter, r *http.Request) {
	s.withdrawList(w, r, store.WithdrawalFilter{Member: principalOf(r).Member})
}

func (s *Server) withdrawAdminList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st := q.Get("status")
	switch st {
	case "", platform.WdRequested, platform.WdApproved, platform.WdRejected, platform.WdPaid:
	default:
		writeError(w, 400, platform.CodeInvalid, "status must be requested, approved, rejected or paid")
		return
	}
	s.withdrawList(w, r, store.WithdrawalFilter{Status: st, Member: q.Get("member")})
}

func (s *Server) withdrawApprove(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.WithdrawReview{ID: r.PathValue("id"), Approve: true}, 200)
}

func (s *Server) withdrawReject(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.WithdrawReview{ID: r.PathValue("id"), Reason: strings.TrimSpace(req.Reason)}, 200)
}

func (s *Server) withdrawPaidPost(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	var req struct {
		TransferRef string `json:"transfer_ref"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.WithdrawPaid{ID: r.PathValue("id"), TransferRef: strings.TrimSpace(req.TransferRef)}, 200)
}
