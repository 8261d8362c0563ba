package api

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/region"
	"github.com/greenmall/greenmall/internal/store"
)

func (s *Server) shopRoutes() {
	// Public catalogue and pickup points.
	s.mux.HandleFunc("GET /api/products", s.listProducts)
	s.mux.HandleFunc("GET /api/products/{id}", s.getProduct)
	s.mux.HandleFunc("GET /api/service-points", s.listServicePoints)
	// Operator catalogue.
	s.mux.HandleFunc("GET /api/admin/products", s.operator(s.adminProducts, platform.RoleOperations))
	s.mux.HandleFunc("POST /api/admin/products", s.operator(s.createProduct, platform.RoleOperations))
	s.mux.HandleFunc("PUT /api/admin/products/{id}", s.operator(s.updateProduct, platform.RoleOperations))
	// Members' orders.
	s.mux.HandleFunc("POST /api/orders", s.member(s.createOrder))
	s.mux.HandleFunc("GET /api/orders", s.member(s.myOrders))
	s.mux.HandleFunc("GET /api/orders/{id}", s.member(s.myOrder))
	s.mux.HandleFunc("POST /api/orders/{id}/cancel", s.member(s.cancelOrder))
	s.mux.HandleFunc("POST /api/orders/{id}/receive", s.member(s.receiveOrder))
	s.mux.HandleFunc("POST /api/orders/{id}/pay", s.member(s.payOrder))
	// Service-point staff (核销).
	s.mux.HandleFunc("GET /api/staff/orders/{id}", s.member(s.staffOrder))
	s.mux.HandleFunc("POST /api/staff/pickup", s.member(s.staffPickup))
	// Operators' orders.
	s.mux.HandleFunc("GET /api/admin/orders", s.operator(s.adminOrders, platform.RoleOperations, platform.RoleFinance))
	s.mux.HandleFunc("POST /api/admin/orders/{id}/ship", s.operator(s.shipOrder, platform.RoleOperations))
	s.mux.HandleFunc("POST /api/admin/orders/{id}/refund", s.operator(s.refundOrder, platform.RoleFinance))
	s.gatewayRoutes()
}

// ---- catalogue ----

type productOut struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	PriceFen  int64    `json:"price_fen"`
	Stock     int64    `json:"stock"`
	Gift      bool     `json:"gift"`
	Profile   string   `json:"profile"`
	Images    []string `json:"images"`
	Desc      string   `json:"desc"`
	Active    *bool    `json:"active,omitempty"`     // operators only
	UpdatedAt int64    `json:"updated_at,omitempty"` // operators only
}

func productView(pr *platform.Product, admin bool) productOut {
	out := productOut{ID: pr.ID, Name: pr.Name, PriceFen: pr.PriceFen, Stock: pr.Stock, Gift: pr.Gift,
		Profile: pr.Profile, Images: nonNil(pr.Images), Desc: pr.Desc}
	if admin {
		active := pr.Active
		out.Active, out.UpdatedAt = &active, pr.UpdatedAt
	}
	return out
}

func (s *Server) products(all bool) []productOut {
	out := []productOut{}
	s.Seq.Read(func(p *platform.Platform) {
		out = out[:0] // Read may run this again
		for _, id := range p.ProductIDs() {
			if pr, _ := p.Product(id); all || pr.Active {
				out = append(out, productView(pr, all))
			}
		}
	})
	return out
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.products(false))
}

func (s *Server) adminProducts(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.products(true))
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	var out *productOut
	s.Seq.Read(func(p *platform.Platform) {
		if pr, ok := p.Product(r.PathValue("id")); ok && pr.Active {
			v := productView(pr, false)
			out = &v
		}
	})
	if out == nil {
		writeError(w, 404, platform.CodeNotFound, "no such product on sale")
		return
	}
	writeJSON(w, 200, out)
}

// decodeProduct reads a product; its id is the path's (or new), never the body's.
func decodeProduct(w http.ResponseWriter, r *http.Request) (platform.ProductPut, bool) {
	var c platform.ProductPut
	if !decode(w, r, &c) {
		return c, false
	}
	if c.ID != "" {
		writeError(w, 400, platform.CodeInvalid, "a product's id is not sent in the body")
		return c, false
	}
	return c, true
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) {
	if c, ok := decodeProduct(w, r); ok {
		s.submit(w, r, principalOf(r).ID, c, 201)
	}
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) {
	if c, ok := decodeProduct(w, r); ok {
		c.ID = r.PathValue("id")
		s.submit(w, r, principalOf(r).ID, c, 200)
	}
}

func (s *Server) listServicePoints(w http.ResponseWriter, r *http.Request) {
	type spOut struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Region     string `json:"region"`
		RegionName string `json:"region_name"`
		Address    string `json:"address"`
	}
	out := []spOut{}
	s.Seq.Read(func(p *platform.Platform) {
		out = out[:0] // Read may run this again
		for _, id := range p.ServicePointIDs() {
			sp, _ := p.ServicePoint(id)
			out = append(out, spOut{ID: sp.ID, Name: sp.Name, Region: sp.Region, Address: sp.Address})
		}
	})
	for i := range out {
		out[i].RegionName = region.FullName(out[i].Region)
	}
	writeJSON(w, 200, out)
}

// ---- orders ----

// orderOut is an order as the API shows it.
type orderOut struct {
	ID          string            `json:"id"`
	Member      string            `json:"member"`
	Status      string            `json:"status"`
	AmountFen   int64             `json:"amount_fen"`
	Lines       []platform.Line   `json:"lines"`
	Address     *platform.Address `json:"address,omitempty"`
	Region      string            `json:"region,omitempty"`
	Pickup      string            `json:"pickup,omitempty"`
	PickupCode  string            `json:"pickup_code,omitempty"` // the owner's eyes only
	PayMethod   string            `json:"pay_method,omitempty"`
	GatewayTxn  string            `json:"gateway_txn,omitempty"`
	Carrier     string            `json:"carrier,omitempty"`
	Tracking    string            `json:"tracking,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	CreatedAt   int64             `json:"created_at"`
	PaidAt      int64             `json:"paid_at,omitempty"`
	ShippedAt   int64             `json:"shipped_at,omitempty"`
	CompletedAt int64             `json:"completed_at,omitempty"`
	SettledAt   int64             `json:"settled_at,omitempty"`
	ClosedAt    int64             `json:"closed_at,omitempty"`
}

func orderFromPlatform(o *platform.Order) orderOut {
	out := orderOut{ID: o.ID, Member: o.Member, Status: o.Status, AmountFen: o.AmountFen,
		Lines: append([]platform.Line(nil), o.Lines...), Pickup: o.Pickup, PayMethod: o.PayMethod,
		GatewayTxn: o.GatewayTxn, Carrier: o.Carrier, Tracking: o.Tracking, Reason: o.Reason, CreatedAt: o.CreatedAt,
		PaidAt: o.PaidAt, ShippedAt: o.ShippedAt, CompletedAt: o.CompletedAt, SettledAt: o.SettledAt, ClosedAt: o.ClosedAt}
	if o.Address != nil {
		a := *o.Address
		out.Address, out.Region = &a, a.Region
	}
	return out
}

func orderFromRow(row store.OrderRow) (orderOut, error) {
	out := orderOut{ID: row.ID, Member: row.Member, Status: row.Status, AmountFen: row.AmountFen, Region: row.Region,
		Pickup: row.Pickup, PayMethod: row.PayMethod, GatewayTxn: row.GatewayTxn, Carrier: row.Carrier,
		Tracking: row.Tracking, Reason: row.Reason, CreatedAt: row.CreatedAt, PaidAt: row.PaidAt,
		ShippedAt: row.ShippedAt, CompletedAt: row.CompletedAt, SettledAt: row.SettledAt, ClosedAt: row.ClosedAt}
	if err := json.Unmarshal([]byte(row.Lines), &out.Lines); err != nil {
		return out, fmt.Errorf("order %s lines: %w", row.ID, err)
	}
	if row.Address != "" {
		out.Address = &platform.Address{}
		if err := json.Unmarshal([]byte(row.Address), out.Address); err != nil {
			return out, fmt.Errorf("order %s address: %w", row.ID, err)
		}
	}
	return out, nil
}

// ownOrder returns the caller's order id, or false (with 404 written) when
// it does not exist or is someone else's: existence is not revealed.
func (s *Server) ownOrder(w http.ResponseWriter, r *http.Request) (orderOut, bool) {
	return s.findOwnOrder(w, r, false)
}

// findOwnOrder finds the member's own order of the path. With guard, for a
// handler that goes on to a Submit, finding it does not wait for
// durability (see Sequencer.Guard); not finding it always does.
func (s *Server) findOwnOrder(w http.ResponseWriter, r *http.Request, guard bool) (orderOut, bool) {
	id, me := r.PathValue("id"), principalOf(r).Member
	var out orderOut
	find := func(p *platform.Platform) bool {
		o, ok := p.Order(id)
		if !ok || o.Member != me {
			return false
		}
		out = orderFromPlatform(o)
		out.PickupCode = o.PickupCode
		return true
	}
	var found bool
	// A Guard whose pass is final only with guard: otherwise it waits as Read.
	s.Seq.Guard(func(p *platform.Platform) bool { found = find(p); return found && guard })
	if !found {
		writeError(w, 404, platform.CodeNotFound, "no such order")
	}
	return out, found
}

type orderReq struct {
	Items   []platform.Item   `json:"items"`
	Address *platform.Address `json:"address"`
	Pickup  string            `json:"pickup"`
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req orderReq
	if !decode(w, r, &req) {
		return
	}
	me := principalOf(r).Member
	c := platform.OrderCreate{Member: me, Items: req.Items, Address: req.Address, Pickup: strings.TrimSpace(req.Pickup)}
	if c.Pickup != "" {
		c.PickupCode = randomCode(8, "0123456789")
	}
	// The answer is the command's, so a repeated Idempotency-Key gets the
	// first order with its pickup code, not the code drawn now.
	s.submit(w, r, "m:"+me, c, 201)
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request, f store.OrderFilter, withCodes bool) {
	pg, size, ok := paging(w, r)
	if !ok {
		return
	}
	rows, total, err := s.DB.ListOrders(r.Context(), f, size, (pg-1)*size)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]orderOut, len(rows))
	for i, row := range rows {
		if items[i], err = orderFromRow(row); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if withCodes {
		s.Seq.Read(func(p *platform.Platform) {
			for i := range items {
				if o, ok := p.Order(items[i].ID); ok && o.Member == f.Member {
					items[i].PickupCode = o.PickupCode
				}
			}
		})
	}
	writeJSON(w, 200, map[string]any{"items": items, "total": total, "page": pg, "size": size})
}

func (s *Server) myOrders(w http.ResponseWriter, r *http.Request) {
	s.listOrders(w, r, store.OrderFilter{Member: principalOf(r).Member}, true)
}

func (s *Server) adminOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.listOrders(w, r, store.OrderFilter{Member: q.Get("member"), Status: q.Get("status")}, false)
}

func (s *Server) myOrder(w http.ResponseWriter, r *http.Request) {
	if o, ok := s.ownOrder(w, r); ok {
		writeJSON(w, 200, o)
	}
}

// optionalBody decodes a JSON body into v when there is one.
func optionalBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength == 0 {
		return true
	}
	return decode(w, r, v)
}

func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !optionalBody(w, r, &req) {
		return
	}
	o, ok := s.ownOrder(w, r)
	if !ok {
		return
	}
	if !s.submitValue(w, r, principalOf(r).ID, platform.OrderCancel{Order: o.ID, Reason: strings.TrimSpace(req.Reason)}, nil) {
		return
	}
	writeJSON(w, 200, map[string]string{"id": o.ID, "status": platform.StatusCancelled})
}

func (s *Server) receiveOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.ownOrder(w, r)
	if !ok {
		return
	}
	if !s.submitValue(w, r, principalOf(r).ID, platform.OrderReceive{Order: o.ID}, nil) {
		return
	}
	s.myOrder(w, r)
}

func (s *Server) payOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Method string `json:"method"`
	}
	if !decode(w, r, &req) || !requireIdem(w, r) {
		return
	}
	// Paying by wallet answers from the Submit; the gateway answer is built
	// on the order's status, so it reads durably.
	o, ok := s.findOwnOrder(w, r, req.Method == "wallet")
	if !ok {
		return
	}
	switch req.Method {
	case "wallet":
		if !s.submitValue(w, r, principalOf(r).ID, platform.OrderPay{Order: o.ID, Method: "wallet"}, nil) {
			return
		}
		writeJSON(w, 200, map[string]any{"id": o.ID, "method": "wallet", "paid": true})
	case "gateway":
		if o.Status != platform.StatusPending {
			writeError(w, 409, platform.CodeConflict, fmt.Sprintf("order %s is %s, not awaiting payment", o.ID, o.Status))
			return
		}
		s.payTo(w, r, Payment{Order: o.ID, Member: o.Member, AmountFen: o.AmountFen}, 200, map[string]any{"id": o.ID, "method": "gateway"})
	default:
		writeError(w, 400, platform.CodeInvalid, `method must be "wallet" or "gateway"`)
	}
}

// ---- pickup (核销) ----

func (s *Server) staffOrder(w http.ResponseWriter, r *http.Request) {
	id, me, code := r.PathValue("id"), principalOf(r).Member, r.URL.Query().Get("code")
	var out map[string]any
	status := 0
	s.Seq.Read(func(p *platform.Platform) {
		o, ok := p.Order(id)
		if !ok {
			status = 404
			return
		}
		sp, isPickup := p.ServicePoint(o.Pickup)
		if !isPickup || (sp.Owner != me && !slices.Contains(sp.Staff, me)) {
			status = 403
			return
		}
		if subtle.ConstantTimeCompare([]byte(code), []byte(o.PickupCode)) != 1 {
			status = 400
			return
		}
		name := ""
		if m, ok := p.MemberByID(o.Member); ok {
			name = m.Name
		}
		status, out = 200, map[string]any{"id": o.ID, "status": o.Status, "service_point": sp.ID,
			"member": o.Member, "member_name": name, "amount_fen": o.AmountFen,
			"lines": append([]platform.Line(nil), o.Lines...), "ready": o.Status == platform.StatusPaid}
	})
	switch status {
	case 404:
		writeError(w, 404, platform.CodeNotFound, "no such order")
	case 403:
		writeError(w, 403, platform.CodeForbidden, "you are not staff of this order's service point")
	case 400:
		writeError(w, 400, platform.CodeInvalid, "pickup code does not match")
	default:
		writeJSON(w, 200, out)
	}
}

func (s *Server) staffPickup(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Order string `json:"order"`
		Code  string `json:"code"`
	}
	if !decode(w, r, &req) || !requireIdem(w, r) {
		return
	}
	me := principalOf(r).Member
	s.submit(w, r, "m:"+me, platform.OrderPickup{Order: req.Order, Code: strings.TrimSpace(req.Code), Staff: me}, 200)
}

// ---- operators' orders ----

// adminOrder checks that the path's order exists (404 otherwise).
func (s *Server) adminOrder(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	found := false
	s.Seq.Read(func(p *platform.Platform) { _, found = p.Order(id) })
	if !found {
		writeError(w, 404, platform.CodeNotFound, "no such order")
	}
	return id, found
}

func (s *Server) adminOrderOut(w http.ResponseWriter, id string) {
	var out orderOut
	s.Seq.Read(func(p *platform.Platform) {
		o, _ := p.Order(id)
		out = orderFromPlatform(o)
	})
	writeJSON(w, 200, out)
}

func (s *Server) shipOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Carrier  string `json:"carrier"`
		Tracking string `json:"tracking"`
	}
	if !decode(w, r, &req) {
		return
	}
	id, ok := s.adminOrder(w, r)
	if !ok {
		return
	}
	c := platform.OrderShip{Order: id, Carrier: strings.TrimSpace(req.Carrier), Tracking: strings.TrimSpace(req.Tracking)}
	if !s.submitValue(w, r, principalOf(r).ID, c, nil) {
		return
	}
	s.adminOrderOut(w, id)
}

func (s *Server) refundOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &req) || !requireIdem(w, r) {
		return
	}
	id, ok := s.adminOrder(w, r)
	if !ok {
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		writeError(w, 400, platform.CodeInvalid, "a refund needs a reason")
		return
	}
	if !s.submitValue(w, r, principalOf(r).ID, platform.OrderRefund{Order: id, Reason: strings.TrimSpace(req.Reason)}, nil) {
		return
	}
	s.adminOrderOut(w, id)
}
