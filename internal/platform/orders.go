package platform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
)

const dayMs = 24 * 3600 * 1000

func (p *Platform) order(id string) (*Order, error) {
	o, ok := p.orders[id]
	if !ok {
		return nil, fail(CodeNotFound, "order %q not found", id)
	}
	return o, nil
}

func (p *Platform) orderCreate(c OrderCreate) (any, error) {
	m, err := p.member(c.Member)
	if err != nil {
		return nil, err
	}
	if m.Banned {
		return nil, fail(CodeForbidden, "member %s is banned", m.ID)
	}
	if len(c.Items) == 0 || len(c.Items) > 50 {
		return nil, fail(CodeInvalid, "an order has 1 to 50 items")
	}
	switch {
	case (c.Address == nil) == (c.Pickup == ""):
		return nil, fail(CodeInvalid, "give either a shipping address or a pickup service point")
	case c.Address != nil:
		a := c.Address
		if !p.validRegion(a.Region) || len(a.Region) < 6 {
			return nil, fail(CodeInvalid, "address region %q is not a known district or street code", a.Region)
		}
		if strings.TrimSpace(a.Detail) == "" || strings.TrimSpace(a.Name) == "" || !ValidPhone(a.Phone) {
			return nil, fail(CodeInvalid, "address needs a street address, a recipient name and an 11-digit mobile number")
		}
	default:
		if _, err := p.point(c.Pickup); err != nil {
			return nil, err
		}
		if len(c.PickupCode) < 6 {
			return nil, fail(CodeInvalid, "pickup code missing")
		}
	}
	need := map[string]int64{}
	lines := make([]Line, len(c.Items))
	var total int64
	for i, it := range c.Items {
		pr, ok := p.products[it.Product]
		if !ok || !pr.Active {
			return nil, fail(CodeNotFound, "product %q is not on sale", it.Product)
		}
		if it.Qty < 1 || it.Qty > 1000 {
			return nil, fail(CodeInvalid, "quantity %d of %s is outside 1..1000", it.Qty, it.Product)
		}
		need[pr.ID] += it.Qty
		if need[pr.ID] > pr.Stock {
			return nil, fail(CodeInsufficient, "product %s has %d in stock", pr.ID, pr.Stock)
		}
		amt := pr.PriceFen * it.Qty
		if amt > engine.MaxAmountFen || total > engine.MaxAmountFen-amt {
			return nil, fail(CodeInvalid, "order amount exceeds 10^12 fen")
		}
		total += amt
		lines[i] = Line{Product: pr.ID, Name: pr.Name, PriceFen: pr.PriceFen, Qty: it.Qty, Profile: pr.Profile}
	}
	for id, n := range need {
		p.products[id].Stock -= n
		p.fx.mark(&p.fx.Products, id)
	}
	p.seqs.order++
	o := &Order{ID: fmt.Sprintf("o%d", p.seqs.order), Member: m.ID, Lines: lines, AmountFen: total,
		Pickup: c.Pickup, PickupCode: c.PickupCode, Status: StatusPending, CreatedAt: p.now}
	if c.Address != nil {
		a := *c.Address
		o.Address = &a
	}
	p.orders[o.ID] = o
	p.orderIDs = append(p.orderIDs, o.ID)
	p.fx.mark(&p.fx.Orders, o.ID)
	res := map[string]any{"id": o.ID, "amount_fen": total, "status": o.Status}
	if o.PickupCode != "" {
		res["pickup_code"] = o.PickupCode
	}
	return res, nil
}

func (p *Platform) orderPay(c OrderPay) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	if c.Method == "gateway" && c.GatewayTxn != "" {
		if prev, seen := p.gatewayTxns[c.GatewayTxn]; seen {
			return fail(CodeConflict, "gateway transaction %s already paid order %s", c.GatewayTxn, prev)
		}
	}
	if o.Status != StatusPending {
		return fail(CodeConflict, "order %s is %s, not awaiting payment", o.ID, o.Status)
	}
	pay := engine.Pay{Order: o.ID, Member: o.Member, AmountFen: o.AmountFen}
	switch c.Method {
	case "wallet":
	case "gateway":
		if c.GatewayTxn == "" {
			return fail(CodeInvalid, "gateway payment without a transaction id")
		}
		if c.AmountFen != o.AmountFen {
			return fail(CodeInvalid, "gateway paid %d fen, order %s costs %d", c.AmountFen, o.ID, o.AmountFen)
		}
	default:
		return fail(CodeInvalid, "payment method %q is not wallet or gateway", c.Method)
	}
	pay.FromWallet = c.Method == "wallet"
	if err := p.engineApply(pay, o.ID); err != nil {
		if pay.FromWallet {
			return fail(CodeInsufficient, "wallet balance is below %d fen", o.AmountFen)
		}
		return err
	}
	o.Status, o.PayMethod, o.PaidAt, o.GatewayTxn = StatusPaid, c.Method, p.now, c.GatewayTxn
	if c.GatewayTxn != "" {
		p.gatewayTxns[c.GatewayTxn] = o.ID
	}
	p.fx.mark(&p.fx.Orders, o.ID)
	return nil
}

func (p *Platform) orderShip(c OrderShip) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	if o.Status != StatusPaid || o.Address == nil {
		return fail(CodeConflict, "order %s is %s: only paid shipping orders ship", o.ID, o.Status)
	}
	if strings.TrimSpace(c.Carrier) == "" || strings.TrimSpace(c.Tracking) == "" {
		return fail(CodeInvalid, "carrier and tracking number are required")
	}
	o.Status, o.Carrier, o.Tracking, o.ShippedAt = StatusShipped, c.Carrier, c.Tracking, p.now
	p.fx.mark(&p.fx.Orders, o.ID)
	return nil
}

func (p *Platform) orderReceive(c OrderReceive) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	if o.Status != StatusShipped {
		return fail(CodeConflict, "order %s is %s, not shipped", o.ID, o.Status)
	}
	return p.complete(o)
}

func (p *Platform) orderPickup(c OrderPickup) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	if o.Pickup == "" {
		return fail(CodeConflict, "order %s is not a pickup order", o.ID)
	}
	sp := p.points[o.Pickup]
	if c.Staff != sp.Owner && !slices.Contains(sp.Staff, c.Staff) {
		return fail(CodeForbidden, "member %s is not staff of service point %s", c.Staff, sp.ID)
	}
	if o.Status != StatusPaid {
		return fail(CodeConflict, "order %s is %s, not paid and awaiting pickup", o.ID, o.Status)
	}
	if c.Code != o.PickupCode {
		return fail(CodeInvalid, "pickup code does not match order %s", o.ID)
	}
	for _, l := range o.Lines {
		if held := sp.Stock[l.Product]; held < p.lineQty(o, l.Product) {
			return fail(CodeInsufficient, "service point %s holds %d of %s", sp.ID, held, l.Product)
		}
	}
	for _, l := range o.Lines {
		sp.Stock[l.Product] -= l.Qty
		if sp.Stock[l.Product] == 0 {
			delete(sp.Stock, l.Product)
		}
	}
	p.fx.mark(&p.fx.Points, sp.ID)
	return p.complete(o)
}

func (p *Platform) lineQty(o *Order, product string) int64 {
	var n int64
	for _, l := range o.Lines {
		if l.Product == product {
			n += l.Qty
		}
	}
	return n
}

// complete marks o received; with no return window it settles at once.
func (p *Platform) complete(o *Order) error {
	o.Status, o.CompletedAt = StatusCompleted, p.now
	p.fx.mark(&p.fx.Orders, o.ID)
	if p.Plan().Platform.ReturnWindowDays == 0 {
		return p.settle(o)
	}
	p.due = append(p.due, o.ID)
	return nil
}

// settle settles every line of o as an engine order paid from escrow.
func (p *Platform) settle(o *Order) error {
	region, hasRegion := "", false
	if o.Address != nil {
		region, hasRegion = o.Address.Region, true
	}
	for i, l := range o.Lines {
		id := o.ID
		if len(o.Lines) > 1 {
			id = fmt.Sprintf("%s-%d", o.ID, i+1)
		}
		cmd := engine.Order{ID: id, Member: o.Member, Profile: l.Profile, AmountFen: l.PriceFen * l.Qty,
			Region: region, HasRegion: hasRegion, Escrowed: true}
		if o.Pickup != "" {
			cmd.ServicePoint, cmd.HasServicePoint = o.Pickup, true
		}
		if err := p.engineApply(cmd, o.ID); err != nil {
			return fmt.Errorf("settle order %s line %d: %w", o.ID, i+1, err)
		}
	}
	o.Status, o.SettledAt = StatusSettled, p.now
	p.settled.orders++
	p.settled.fen += o.AmountFen
	p.fx.mark(&p.fx.Orders, o.ID)
	return nil
}

// Settled returns the number of orders settled so far and their amount.
func (p *Platform) Settled() (orders, fen int64) { return p.settled.orders, p.settled.fen }

// tick settles the orders whose return window has passed, oldest first.
func (p *Platform) tick() (any, error) {
	window := p.Plan().Platform.ReturnWindowDays * dayMs
	n := 0
	for len(p.due) > 0 {
		o := p.orders[p.due[0]]
		if o.Status == StatusCompleted {
			if o.CompletedAt+window > p.now {
				break
			}
			if err := p.settle(o); err != nil {
				// Every check was made when the order was placed and when
				// the plan last changed; an engine refusal here is a bug.
				return nil, err
			}
			n++
		}
		p.due = p.due[1:]
	}
	return map[string]int{"settled": n}, nil
}

// Due reports whether a Tick at time now would settle something.
func (p *Platform) Due(now int64) bool {
	window := p.Plan().Platform.ReturnWindowDays * dayMs
	for _, id := range p.due {
		if o := p.orders[id]; o.Status == StatusCompleted {
			return o.CompletedAt+window <= now
		}
	}
	return false
}

func (p *Platform) orderCancel(c OrderCancel) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	if o.Status != StatusPending {
		return fail(CodeConflict, "order %s is %s: only unpaid orders can be cancelled", o.ID, o.Status)
	}
	p.restock(o)
	o.Status, o.Reason, o.ClosedAt = StatusCancelled, c.Reason, p.now
	p.fx.mark(&p.fx.Orders, o.ID)
	return nil
}

func (p *Platform) restock(o *Order) {
	for _, l := range o.Lines {
		if pr, ok := p.products[l.Product]; ok {
			pr.Stock += l.Qty
			p.fx.mark(&p.fx.Products, pr.ID)
		}
	}
}

func (p *Platform) orderRefund(c OrderRefund) error {
	o, err := p.order(c.Order)
	if err != nil {
		return err
	}
	switch o.Status {
	case StatusPaid, StatusShipped, StatusCompleted:
	default:
		return fail(CodeConflict, "order %s is %s: only paid, unsettled orders can be refunded", o.ID, o.Status)
	}
	if err := p.engineApply(engine.Refund{Order: o.ID, Member: o.Member, AmountFen: o.AmountFen, ToWallet: o.PayMethod == "wallet"}, o.ID); err != nil {
		return err
	}
	// Goods not yet shipped or picked up go back on sale; shipped or
	// picked-up goods come back (or not) outside the system.
	if o.Status == StatusPaid {
		p.restock(o)
	}
	o.Status, o.Reason, o.ClosedAt = StatusRefunded, c.Reason, p.now
	p.fx.mark(&p.fx.Orders, o.ID)
	return nil
}

// Order returns an order.
func (p *Platform) Order(id string) (*Order, bool) {
	o, ok := p.orders[id]
	return o, ok
}

// OrderIDs returns every order's id in creation order.
func (p *Platform) OrderIDs() []string { return p.orderIDs }
