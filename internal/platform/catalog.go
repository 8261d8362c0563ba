package platform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/plan"
)

// Regions checks area codes. The server passes China's divisions; nil
// accepts any code of 2, 4, 6 or 9 digits (the engine's own check).
type Regions interface {
	Valid(code string) bool
}

// SetRegions sets the region checker. Replays must use the same one as the
// server did.
func (p *Platform) SetRegions(r Regions) { p.regions = r }

func (p *Platform) validRegion(code string) bool {
	return engine.ValidRegionCode(code) && (p.regions == nil || p.regions.Valid(code))
}

func (p *Platform) productPut(c ProductPut) (any, error) {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return nil, fail(CodeInvalid, "product name must be 1 to 200 bytes")
	case c.PriceFen < 1 || c.PriceFen > engine.MaxAmountFen:
		return nil, fail(CodeInvalid, "price %d fen is outside 1..10^12", c.PriceFen)
	case c.Stock < 0 || c.Stock > 1e9:
		return nil, fail(CodeInvalid, "stock %d is outside 0..10^9", c.Stock)
	case len(c.Images) > 20:
		return nil, fail(CodeInvalid, "at most 20 images")
	}
	for _, u := range c.Images {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "/") {
			return nil, fail(CodeInvalid, "image %q is not an http(s) URL or a path", u)
		}
	}
	if _, ok := p.Plan().Profiles[c.Profile]; !ok {
		return nil, fail(CodeInvalid, "profile %q is not in the plan", c.Profile)
	}
	id := c.ID
	if id == "" {
		id = fmt.Sprintf("p%d", p.seqs.product+1)
		p.seqs.product++
		p.productIDs = append(p.productIDs, id)
	} else if _, ok := p.products[id]; !ok {
		return nil, fail(CodeNotFound, "product %q not found", id)
	}
	p.products[id] = &Product{ID: id, Name: c.Name, PriceFen: c.PriceFen, Stock: c.Stock, Profile: c.Profile,
		Images: slices.Clone(c.Images), Gift: c.Gift, Active: c.Active, Desc: c.Desc, UpdatedAt: p.now}
	p.fx.mark(&p.fx.Products, id)
	return map[string]string{"id": id}, nil
}

func (p *Platform) servicePointCreate(c ServicePointCreate) (any, error) {
	if strings.TrimSpace(c.Name) == "" {
		return nil, fail(CodeInvalid, "service point name is required")
	}
	if _, err := p.member(c.Owner); err != nil {
		return nil, err
	}
	if !p.validRegion(c.Region) {
		return nil, fail(CodeInvalid, "region %q is not a known area code", c.Region)
	}
	id := fmt.Sprintf("sp%d", p.seqs.point+1)
	if err := p.engineApply(engine.ServicePoint{ID: id, Owner: c.Owner, Region: c.Region}, id); err != nil {
		return nil, err
	}
	p.seqs.point++
	p.points[id] = &ServicePoint{ID: id, Name: c.Name, Owner: c.Owner, Region: c.Region, Address: c.Address,
		Stock: map[string]int64{}, CreatedAt: p.now}
	p.pointIDs = append(p.pointIDs, id)
	p.fx.mark(&p.fx.Points, id)
	return map[string]string{"id": id}, nil
}

func (p *Platform) point(id string) (*ServicePoint, error) {
	sp, ok := p.points[id]
	if !ok {
		return nil, fail(CodeNotFound, "service point %q not found", id)
	}
	return sp, nil
}

func (p *Platform) staffSet(c StaffSet) error {
	sp, err := p.point(c.ServicePoint)
	if err != nil {
		return err
	}
	m, err := p.member(c.Member)
	if err != nil {
		return err
	}
	has := slices.Contains(sp.Staff, m.ID)
	switch {
	case c.Remove && !has:
		return fail(CodeNotFound, "member %s is not staff of %s", m.ID, sp.ID)
	case !c.Remove && has:
		return fail(CodeConflict, "member %s is already staff of %s", m.ID, sp.ID)
	case c.Remove:
		sp.Staff = slices.DeleteFunc(sp.Staff, func(s string) bool { return s == m.ID })
		m.StaffOf = slices.DeleteFunc(m.StaffOf, func(s string) bool { return s == sp.ID })
	default:
		sp.Staff = append(sp.Staff, m.ID)
		m.StaffOf = append(m.StaffOf, sp.ID)
	}
	p.fx.mark(&p.fx.Points, sp.ID)
	p.fx.mark(&p.fx.Members, m.ID)
	return nil
}

func (p *Platform) stockAllot(c StockAllot) error {
	sp, err := p.point(c.ServicePoint)
	if err != nil {
		return err
	}
	pr, ok := p.products[c.Product]
	if !ok {
		return fail(CodeNotFound, "product %q not found", c.Product)
	}
	switch {
	case c.Qty == 0 || c.Qty > 1e9 || c.Qty < -1e9:
		return fail(CodeInvalid, "quantity %d is outside ±1..10^9", c.Qty)
	case c.Qty > pr.Stock:
		return fail(CodeInsufficient, "product %s has %d in stock, %d asked", pr.ID, pr.Stock, c.Qty)
	case -c.Qty > sp.Stock[pr.ID]:
		return fail(CodeInsufficient, "service point %s holds %d of %s, %d to return", sp.ID, sp.Stock[pr.ID], pr.ID, -c.Qty)
	}
	pr.Stock -= c.Qty
	sp.Stock[pr.ID] += c.Qty
	if sp.Stock[pr.ID] == 0 {
		delete(sp.Stock, pr.ID)
	}
	p.fx.mark(&p.fx.Points, sp.ID)
	p.fx.mark(&p.fx.Products, pr.ID)
	return nil
}

func (p *Platform) regionAgent(c RegionAgent) error {
	if _, err := p.member(c.Member); err != nil {
		return err
	}
	if c.Tier != "bigregion" && !p.validRegion(c.Code) {
		return fail(CodeInvalid, "region %q is not a known area code", c.Code)
	}
	if err := p.engineApply(engine.RegionAgent{Member: c.Member, Tier: c.Tier, Code: c.Code}, ""); err != nil {
		return err
	}
	p.areas = append(p.areas, AreaAgent{Tier: c.Tier, Code: c.Code, Member: c.Member, At: p.now})
	p.fx.Areas = true
	return nil
}

// setPlan makes q the plan for later settlements, as a new version.
func (p *Platform) setPlan(q *plan.Plan, note string) (any, error) {
	// Products and unsettled orders must keep their profiles.
	for _, id := range p.productIDs {
		if pr := p.products[id]; q.Profiles[pr.Profile] == nil {
			return nil, fail(CodeConflict, "product %s uses profile %q, which the new plan lacks", id, pr.Profile)
		}
	}
	for _, id := range p.due {
		for _, l := range p.orders[id].Lines {
			if q.Profiles[l.Profile] == nil {
				return nil, fail(CodeConflict, "order %s awaits settlement under profile %q, which the new plan lacks", id, l.Profile)
			}
		}
	}
	if err := p.engineApply(engine.SetPlan{Plan: q}, ""); err != nil {
		return nil, err
	}
	v := PlanVersion{Version: len(p.plans) + 1, At: p.now, Actor: p.actor, Note: note, Plan: q}
	p.plans = append(p.plans, v)
	p.fx.Plans = true
	return map[string]int{"version": v.Version}, nil
}

func (p *Platform) planSet(c PlanSet) (any, error) {
	q, err := plan.Parse(c.Document, "plan.json")
	if err != nil {
		return nil, fail(CodeInvalid, "%v", err)
	}
	return p.setPlan(q, c.Note)
}

func (p *Platform) bigRegionSet(c BigRegionSet) (any, error) {
	name := strings.TrimSpace(c.Name)
	if name == "" {
		return nil, fail(CodeInvalid, "big region name is required")
	}
	for _, code := range c.Provinces {
		if len(code) != 2 || !p.validRegion(code) {
			return nil, fail(CodeInvalid, "%q is not a province code", code)
		}
	}
	q := p.Plan().Clone()
	if q.Regions.BigRegions == nil {
		q.Regions.BigRegions = map[string][]string{}
	}
	if len(c.Provinces) == 0 {
		delete(q.Regions.BigRegions, name)
	} else {
		q.Regions.BigRegions[name] = slices.Clone(c.Provinces)
	}
	if err := q.Validate(); err != nil {
		return nil, fail(CodeInvalid, "%v", err)
	}
	return p.setPlan(q, "big region "+name)
}

// Product returns a product.
func (p *Platform) Product(id string) (*Product, bool) {
	pr, ok := p.products[id]
	return pr, ok
}

// ProductIDs returns the products' ids in creation order.
func (p *Platform) ProductIDs() []string { return p.productIDs }

// ServicePoint returns a service point.
func (p *Platform) ServicePoint(id string) (*ServicePoint, bool) {
	sp, ok := p.points[id]
	return sp, ok
}

// ServicePointIDs returns the service points' ids in creation order.
func (p *Platform) ServicePointIDs() []string { return p.pointIDs }

// Areas returns the regional agents' areas in assignment order.
func (p *Platform) Areas() []AreaAgent { return p.areas }

// Plans returns every plan version, oldest first.
func (p *Platform) Plans() []PlanVersion { return p.plans }

// PlanJSON returns a plan version's document.
func PlanJSON(v PlanVersion) json.RawMessage {
	b, _ := json.Marshal(v.Plan) // a plan always encodes
	return b
}
