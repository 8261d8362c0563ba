package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// Operator roles allowed on each group of console endpoints besides super,
// who may do everything; endpoints without roles are for super only.
var (
	rolesAny = []string{platform.RoleFinance, platform.RoleOperations}
	rolesOps = []string{platform.RoleOperations}
	rolesFin = []string{platform.RoleFinance}
)

func (s *Server) operatorRoutes() {
	// Members.
	s.mux.HandleFunc("GET /api/admin/members", s.operator(s.adminMembers, rolesAny...))
	s.mux.HandleFunc("GET /api/admin/members/{id}", s.operator(s.adminMember, rolesAny...))
	s.mux.HandleFunc("POST /api/admin/members/{id}/level", s.operator(s.adminSetLevel, rolesOps...))
	s.mux.HandleFunc("POST /api/admin/members/{id}/shares", s.operator(s.adminSetShares))
	s.mux.HandleFunc("POST /api/admin/members/{id}/ban", s.operator(s.adminBan, rolesOps...))
	// Service points.
	s.mux.HandleFunc("GET /api/admin/service-points", s.operator(s.adminServicePoints, rolesOps...))
	s.mux.HandleFunc("POST /api/admin/service-points", s.operator(s.adminServicePointCreate, rolesOps...))
	s.mux.HandleFunc("POST /api/admin/service-points/{id}/staff", s.operator(s.adminStaff, rolesOps...))
	s.mux.HandleFunc("POST /api/admin/service-points/{id}/stock", s.operator(s.adminStock, rolesOps...))
	// Regional agents and big regions.
	s.mux.HandleFunc("GET /api/admin/region-agents", s.operator(s.adminRegionAgents, rolesOps...))
	s.mux.HandleFunc("POST /api/admin/region-agents", s.operator(s.adminRegionAgent, rolesOps...))
	s.mux.HandleFunc("GET /api/admin/big-regions", s.operator(s.adminBigRegions))
	s.mux.HandleFunc("PUT /api/admin/big-regions/{name}", s.operator(s.adminBigRegionSet))
	// The plan.
	s.mux.HandleFunc("GET /api/admin/plan", s.operator(s.adminPlan, rolesAny...))
	s.mux.HandleFunc("GET /api/admin/plan/versions", s.operator(s.adminPlanVersions, rolesAny...))
	s.mux.HandleFunc("POST /api/admin/plan/validate", s.operator(s.adminPlanValidate, rolesAny...))
	s.mux.HandleFunc("PUT /api/admin/plan", s.operator(s.adminPlanSet))
	// Periods.
	s.mux.HandleFunc("POST /api/admin/periods/close", s.operator(s.adminPeriodClose, rolesFin...))
	s.mux.HandleFunc("GET /api/admin/periods", s.operator(s.adminPeriods, rolesFin...))
	// Overview, audit, operators.
	s.mux.HandleFunc("GET /api/admin/dashboard", s.operator(s.adminDashboard, rolesAny...))
	s.mux.HandleFunc("GET /api/admin/audit", s.operator(s.adminAudit))
	s.mux.HandleFunc("GET /api/admin/operators", s.operator(s.adminOperators))
	s.mux.HandleFunc("POST /api/admin/operators", s.operator(s.adminOperatorCreate))
}

// ---- members ----

func (s *Server) adminMembers(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	items, total, err := s.DB.Members(r.Context(), store.MemberFilter{Q: q.Get("q"), Level: q.Get("level"),
		Role: q.Get("role"), Page: page, Size: size})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]any{"items": items, "total": total, "page": page, "size": size})
}

func (s *Server) adminMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var out map[string]any
	s.Seq.Read(func(p *platform.Platform) {
		m, ok := p.MemberByID(id)
		if !ok {
			return
		}
		v, _ := p.View(id)
		out = map[string]any{
			"id": m.ID, "phone": m.Phone, "name": m.Name, "invite_code": m.Code, "joined_at": m.JoinedAt,
			"banned": m.Banned, "ban_reason": m.BanReason, "staff_of": nonNil(m.StaffOf),
			"role": v.Role.String(), "level": v.Level, "unlocked": v.Unlocked, "exits": v.Exits,
			"available_fen": v.Available, "frozen_fen": v.Frozen, "withdrawing_fen": v.Withdrawing,
			"points_upt": v.PointsUpt, "shares": v.Shares, "self_spend_fen": v.SelfSpend,
			"referrer": v.Referrer, "parent": v.Parent, "slot": v.Slot, "team": v.Team, "peer_up": v.PeerUp,
			"chain_orders": v.ChainOrders, "direct_active": v.DirectActive, "children": v.Children,
			"team_size": v.TeamSize, "team_sales_fen": v.TeamSalesFen,
			"round_c_fen": v.RoundCFen, "round_o_upt": v.RoundOUpt,
		}
	})
	if out == nil {
		writeError(w, 404, platform.CodeNotFound, "member "+strconv.Quote(id)+" not found")
		return
	}
	writeJSON(w, 200, out)
}

func (s *Server) adminSetLevel(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Level string `json:"level"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.SetLevel{Member: r.PathValue("id"), Level: strings.TrimSpace(req.Level)}, 200)
}

func (s *Server) adminSetShares(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Shares *int64 `json:"shares"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Shares == nil {
		writeError(w, 400, platform.CodeInvalid, "shares is required")
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.SetShares{Member: r.PathValue("id"), Shares: *req.Shares}, 200)
}

func (s *Server) adminBan(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Banned *bool  `json:"banned"`
		Reason string `json:"reason"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.Banned == nil {
		writeError(w, 400, platform.CodeInvalid, "banned is required")
		return
	}
	id := r.PathValue("id")
	c := platform.MemberBan{Member: id, Banned: *req.Banned, Reason: strings.TrimSpace(req.Reason)}
	if !s.submitValue(w, r, principalOf(r).ID, c, nil) {
		return
	}
	if c.Banned {
		// A banned member is refused at authentication anyway; revoking
		// the sessions makes it final even after an unban.
		if err := s.DB.RevokePrincipal(r.Context(), "m:"+id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	writeJSON(w, 200, map[string]any{"id": id, "banned": c.Banned})
}

// ---- service points ----

type servicePointOut struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Owner     string           `json:"owner"`
	Region    string           `json:"region"`
	Address   string           `json:"address"`
	Staff     []string         `json:"staff"`
	Stock     map[string]int64 `json:"stock"`
	CreatedAt int64            `json:"created_at"`
}

func (s *Server) adminServicePoints(w http.ResponseWriter, r *http.Request) {
	out := []servicePointOut{}
	s.Seq.Read(func(p *platform.Platform) {
		out = out[:0] // Read may run this again
		for _, id := range p.ServicePointIDs() {
			sp, _ := p.ServicePoint(id)
			stock := make(map[string]int64, len(sp.Stock))
			for k, v := range sp.Stock {
				stock[k] = v
			}
			out = append(out, servicePointOut{ID: sp.ID, Name: sp.Name, Owner: sp.Owner, Region: sp.Region,
				Address: sp.Address, Staff: append([]string{}, sp.Staff...), Stock: stock, CreatedAt: sp.CreatedAt})
		}
	})
	writeJSON(w, 200, map[string]any{"items": out, "total": len(out)})
}

func (s *Server) adminServicePointCreate(w http.ResponseWriter, r *http.Request) {
	var req platform.ServicePointCreate
	if !decode(w, r, &req) {
		return
	}
	req.Name, req.Region, req.Address = strings.TrimSpace(req.Name), strings.TrimSpace(req.Region), strings.TrimSpace(req.Address)
	s.submit(w, r, principalOf(r).ID, req, 201)
}

func (s *Server) adminStaff(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Member string `json:"member"`
		Remove bool   `json:"remove"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.StaffSet{ServicePoint: r.PathValue("id"), Member: req.Member, Remove: req.Remove}, 200)
}

func (s *Server) adminStock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Product string `json:"product"`
		Qty     int64  `json:"qty"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.StockAllot{ServicePoint: r.PathValue("id"), Product: req.Product, Qty: req.Qty}, 200)
}

// ---- regional agents and big regions ----

func (s *Server) adminRegionAgents(w http.ResponseWriter, r *http.Request) {
	type area struct {
		Tier   string `json:"tier"`
		Code   string `json:"code"`
		Member string `json:"member"`
		At     int64  `json:"at"`
	}
	out := []area{}
	s.Seq.Read(func(p *platform.Platform) {
		out = out[:0] // Read may run this again
		for _, a := range p.Areas() {
			out = append(out, area{a.Tier, a.Code, a.Member, a.At})
		}
	})
	writeJSON(w, 200, map[string]any{"items": out, "total": len(out)})
}

func (s *Server) adminRegionAgent(w http.ResponseWriter, r *http.Request) {
	var req platform.RegionAgent
	if !decode(w, r, &req) {
		return
	}
	req.Tier, req.Code = strings.TrimSpace(req.Tier), strings.TrimSpace(req.Code)
	s.submit(w, r, principalOf(r).ID, req, 201)
}

func (s *Server) adminBigRegions(w http.ResponseWriter, r *http.Request) {
	var out map[string][]string
	s.Seq.Read(func(p *platform.Platform) {
		out = make(map[string][]string, len(p.Plan().Regions.BigRegions))
		for k, v := range p.Plan().Regions.BigRegions {
			out[k] = append([]string{}, v...)
		}
	})
	writeJSON(w, 200, map[string]any{"big_regions": out})
}

func (s *Server) adminBigRegionSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Provinces []string `json:"provinces"`
	}
	if !decode(w, r, &req) {
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.BigRegionSet{Name: r.PathValue("name"), Provinces: req.Provinces}, 200)
}

// ---- the plan ----

func (s *Server) adminPlan(w http.ResponseWriter, r *http.Request) {
	var v platform.PlanVersion
	s.Seq.Read(func(p *platform.Platform) {
		vs := p.Plans()
		v = vs[len(vs)-1]
	})
	writeJSON(w, 200, map[string]any{"version": v.Version, "at": v.At, "actor": v.Actor, "note": v.Note,
		"plan": platform.PlanJSON(v)})
}

func (s *Server) adminPlanVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := s.DB.PlanVersions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]any{"items": vs, "total": len(vs)})
}

// adminPlanValidate checks a plan document (YAML or JSON, any content
// type) without changing anything.
func (s *Server) adminPlanValidate(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, 413, platform.CodeInvalid, "plan document is larger than 1 MiB")
		return
	}
	// JSON when it starts with '{', else YAML, whatever the content type.
	if _, err := plan.Parse(data, "plan"); err != nil {
		pe := &plan.Error{Msg: err.Error()}
		errors.As(err, &pe)
		msg := pe.Msg
		if pe.Err != nil {
			msg += ": " + pe.Err.Error()
		}
		writeJSON(w, 200, map[string]any{"valid": false, "error": map[string]string{"path": pe.Path, "message": msg}})
		return
	}
	writeJSON(w, 200, map[string]any{"valid": true})
}

func (s *Server) adminPlanSet(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Document json.RawMessage `json:"document"`
		Note     string          `json:"note"`
	}
	if !decode(w, r, &req) {
		return
	}
	doc := strings.TrimSpace(string(req.Document))
	if !strings.HasPrefix(doc, "{") {
		writeError(w, 400, platform.CodeInvalid, "document must be the plan as a JSON object")
		return
	}
	s.submit(w, r, principalOf(r).ID, platform.PlanSet{Document: json.RawMessage(doc), Note: strings.TrimSpace(req.Note)}, 200)
}

// ---- periods ----

func (s *Server) adminPeriodClose(w http.ResponseWriter, r *http.Request) {
	if !requireIdem(w, r) {
		return
	}
	var req platform.PeriodClose
	if !decode(w, r, &req) {
		return
	}
	req.Period = strings.TrimSpace(req.Period)
	s.submit(w, r, principalOf(r).ID, req, 200)
}

func (s *Server) adminPeriods(w http.ResponseWriter, r *http.Request) {
	var out []string
	s.Seq.Read(func(p *platform.Platform) { out = append([]string{}, p.Periods()...) })
	writeJSON(w, 200, map[string]any{"items": out, "total": len(out)})
}

// ---- dashboard ----

func (s *Server) adminDashboard(w http.ResponseWriter, r *http.Request) {
	orders, err := s.DB.OrdersByStatus(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{}
	s.Seq.Read(func(p *platform.Platform) {
		e := p.Engine()
		var agents, bosses, banned int64
		for _, id := range p.MemberIDs() {
			v, _ := p.View(id)
			switch v.Role.String() {
			case "agent":
				agents++
			case "boss":
				bosses++
			}
			if m, _ := p.MemberByID(id); m.Banned {
				banned++
			}
		}
		var wdCount, wdFen int64
		for _, id := range p.WithdrawalIDs() {
			wd, _ := p.Withdrawal(id)
			if wd.Status == platform.WdRequested || wd.Status == platform.WdApproved {
				wdCount++
				wdFen += wd.AmountFen
			}
		}
		pool := e.Pool()
		num, den := e.PriceFenPerPoint()
		vs := p.Plans()
		out["members"] = len(p.MemberIDs())
		out["agents"] = agents
		out["bosses"] = bosses
		out["banned"] = banned
		out["pool_fen"] = pool.PoolFen
		out["supply_upt"] = pool.SupplyUpt
		out["price"] = map[string]any{"pool_fen": num, "supply_upt": den, "yuan_per_point": money.FormatYuanPerPoint(num, den)}
		out["escrow_fen"] = e.Balance(ledger.Platform(ledger.PlatformEscrow))
		out["platform_profit_fen"] = e.Balance(ledger.Platform(ledger.PlatformProfit))
		out["platform_fees_fen"] = e.Balance(ledger.Platform(ledger.PlatformFees))
		out["withdrawals_pending"] = map[string]int64{"count": wdCount, "amount_fen": wdFen}
		out["plan_version"] = vs[len(vs)-1].Version
		out["periods_closed"] = len(p.Periods())
		out["service_points"] = len(p.ServicePointIDs())
		out["region_agents"] = len(p.Areas())
	})
	byStatus := map[string]store.StatusCount{}
	for _, st := range []string{platform.StatusPending, platform.StatusPaid, platform.StatusShipped, platform.StatusCompleted,
		platform.StatusSettled, platform.StatusCancelled, platform.StatusRefunded} {
		byStatus[st] = orders[st]
	}
	out["orders"] = byStatus
	out["gmv_settled_fen"] = orders[platform.StatusSettled].AmountFen
	writeJSON(w, 200, out)
}

// ---- audit log ----

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	page, size, ok := paging(w, r)
	if !ok {
		return
	}
	actor := strings.TrimSpace(r.URL.Query().Get("actor"))
	if actor != "" && !strings.HasPrefix(actor, "op:") {
		actor = "op:" + actor
	}
	items, total, err := s.DB.Audit(r.Context(), actor, page, size)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range items {
		items[i].Data = redactSecrets(items[i].Data)
	}
	writeJSON(w, 200, map[string]any{"items": items, "total": total, "page": page, "size": size})
}

// redactSecrets drops password hashes from a command's data.
func redactSecrets(data json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return data
	}
	if _, ok := m["password_hash"]; !ok {
		return data
	}
	m["password_hash"] = json.RawMessage(`"[redacted]"`)
	b, err := json.Marshal(m)
	if err != nil {
		return data
	}
	return b
}

// ---- operators ----

func (s *Server) adminOperators(w http.ResponseWriter, r *http.Request) {
	type op struct {
		ID        string `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		Role      string `json:"role"`
		CreatedAt int64  `json:"created_at"`
	}
	out := []op{}
	s.Seq.Read(func(p *platform.Platform) {
		out = out[:0] // Read may run this again
		for _, id := range p.OperatorIDs() {
			o, _ := p.OperatorByID(id)
			out = append(out, op{o.ID, o.Login, o.Name, o.Role, o.CreatedAt})
		}
	})
	writeJSON(w, 200, map[string]any{"items": out, "total": len(out)})
}

func (s *Server) adminOperatorCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Login    string `json:"login"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
	}
	if !decode(w, r, &req) {
		return
	}
	if !validPassword(req.Password) {
		writeError(w, 400, platform.CodeInvalid, "password must be 8 to 128 characters")
		return
	}
	c := platform.OperatorCreate{Login: strings.TrimSpace(req.Login), Name: strings.TrimSpace(req.Name), Role: req.Role,
		PasswordHash: HashPassword(req.Password)}
	s.submit(w, r, principalOf(r).ID, c, 201)
}
