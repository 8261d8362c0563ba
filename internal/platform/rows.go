package platform

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/ledger"
)

// Table describes one read-model table: its columns, the first Key of which
// are its primary key. Values are int64 or string (booleans as 0/1, lists
// and objects as JSON), so every SQL dialect stores them alike.
type Table struct {
	Name string
	Cols []string
	Key  int
	// Const lists the columns that never change once a row exists. A
	// rewrite leaves them out, so the SQL indexes on them are not touched.
	Const []string
}

// Entity tables, rewritten whole for each changed entity.
var (
	MembersTable = Table{"members", []string{"id", "phone", "name", "code", "referrer", "parent", "slot", "team",
		"peer_up", "role", "level", "unlocked", "exits", "available", "frozen", "withdrawing", "points_upt",
		"shares", "self_spend", "banned", "ban_reason", "staff_of", "joined_at"}, 1,
		[]string{"phone", "code", "referrer", "joined_at"}}
	OperatorsTable = Table{"operators", []string{"id", "login", "name", "role", "created_at"}, 1, nil}
	ProductsTable  = Table{"products", []string{"id", "name", "price_fen", "stock", "profile", "images", "gift",
		"active", "descr", "updated_at"}, 1, nil}
	OrdersTable = Table{"orders", []string{"id", "member", "status", "amount_fen", "lines", "address", "region",
		"pickup", "pay_method", "gateway_txn", "carrier", "tracking", "reason", "created_at", "paid_at",
		"shipped_at", "completed_at", "settled_at", "closed_at"}, 1,
		[]string{"member", "lines", "created_at"}}
	PointsTable = Table{"service_points", []string{"id", "name", "owner", "region", "address", "staff", "stock",
		"created_at"}, 1, nil}
	WithdrawalsTable = Table{"withdrawals", []string{"id", "member", "amount_fen", "fee_fen", "account", "status",
		"reason", "transfer_ref", "requested_at", "reviewed_at", "reviewed_by", "paid_at"}, 1,
		[]string{"member", "amount_fen", "fee_fen", "requested_at"}}
	AreasTable    = Table{"region_agents", []string{"tier", "code", "member", "at"}, 2, nil}
	PlansTable    = Table{"plan_versions", []string{"version", "at", "actor", "note", "document"}, 1, nil}
	BalancesTable = Table{"balances", []string{"account", "member", "kind", "balance"}, 1, nil}
)

// Append-only tables.
var (
	LinesTable   = Table{"ledger_lines", []string{"seq", "n", "at", "account", "member", "amount", "reason", "ref"}, 2, nil}
	PricesTable  = Table{"price_history", []string{"seq", "at", "pool_fen", "supply_upt"}, 1, nil}
	PeriodsTable = Table{"periods", []string{"period"}, 1, nil}
)

// EntityTables lists the tables Rows and EachRow serve.
var EntityTables = []Table{MembersTable, OperatorsTable, ProductsTable, OrdersTable, PointsTable,
	WithdrawalsTable, AreasTable, PlansTable, BalancesTable}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func jsonText(v any) string {
	b, _ := json.Marshal(v) // plain data: always encodes
	return string(b)
}

// MemberRow returns member id's row.
func (p *Platform) MemberRow(id string) []any {
	m := p.members[id]
	v, _ := p.View(id)
	staff := m.StaffOf
	if staff == nil {
		staff = []string{}
	}
	return []any{m.ID, m.Phone, m.Name, m.Code, v.Referrer, v.Parent, int64(v.Slot), v.Team, v.PeerUp,
		v.Role.String(), v.Level, b2i(v.Unlocked), int64(v.Exits), v.Available, v.Frozen, v.Withdrawing,
		v.PointsUpt, v.Shares, v.SelfSpend, b2i(m.Banned), m.BanReason, jsonText(staff), m.JoinedAt}
}

func (p *Platform) operatorRow(id string) []any {
	o := p.operators[id]
	return []any{o.ID, o.Login, o.Name, o.Role, o.CreatedAt}
}

func (p *Platform) productRow(id string) []any {
	pr := p.products[id]
	images := pr.Images
	if images == nil {
		images = []string{}
	}
	return []any{pr.ID, pr.Name, pr.PriceFen, pr.Stock, pr.Profile, jsonText(images), b2i(pr.Gift),
		b2i(pr.Active), pr.Desc, pr.UpdatedAt}
}

func (p *Platform) orderRow(id string) []any {
	o := p.orders[id]
	addr, region := "", ""
	if o.Address != nil {
		addr, region = jsonText(o.Address), o.Address.Region
	} else if sp := p.points[o.Pickup]; sp != nil {
		region = sp.Region
	}
	return []any{o.ID, o.Member, o.Status, o.AmountFen, jsonText(o.Lines), addr, region, o.Pickup, o.PayMethod,
		o.GatewayTxn, o.Carrier, o.Tracking, o.Reason, o.CreatedAt, o.PaidAt, o.ShippedAt, o.CompletedAt,
		o.SettledAt, o.ClosedAt}
}

func (p *Platform) pointRow(id string) []any {
	sp := p.points[id]
	staff := sp.Staff
	if staff == nil {
		staff = []string{}
	}
	return []any{sp.ID, sp.Name, sp.Owner, sp.Region, sp.Address, jsonText(staff), jsonText(sp.Stock), sp.CreatedAt}
}

func (p *Platform) withdrawalRow(id string) []any {
	w := p.withdrawals[id]
	return []any{w.ID, w.Member, w.AmountFen, w.FeeFen, w.Account, w.Status, w.Reason, w.TransferRef,
		w.RequestedAt, w.ReviewedAt, w.ReviewedBy, w.PaidAt}
}

func planRow(v PlanVersion) []any {
	return []any{int64(v.Version), v.At, v.Actor, v.Note, string(PlanJSON(v))}
}

func (p *Platform) balanceRow(a ledger.Account) []any {
	name := p.eng.AccountName(a)
	member, kind := "", name
	if a.Member >= 0 {
		member = p.eng.MemberID(a.Member)
		kind = a.Kind.String()
	} else if i := strings.IndexByte(name, ':'); i >= 0 {
		kind = name
	}
	return []any{name, member, kind, p.eng.Balance(a)}
}

// Changed calls fn with the current row of every entity fx marks changed,
// table by table.
func (p *Platform) Changed(fx *Effects, fn func(t Table, row []any)) {
	if fx.AllMembers {
		for _, id := range p.memberIDs {
			fn(MembersTable, p.MemberRow(id))
		}
	} else {
		for _, id := range sortedKeys(fx.Members) {
			fn(MembersTable, p.MemberRow(id))
		}
	}
	for _, id := range sortedKeys(fx.Operators) {
		fn(OperatorsTable, p.operatorRow(id))
	}
	for _, id := range sortedKeys(fx.Products) {
		fn(ProductsTable, p.productRow(id))
	}
	for _, id := range sortedKeys(fx.Orders) {
		fn(OrdersTable, p.orderRow(id))
	}
	for _, id := range sortedKeys(fx.Points) {
		fn(PointsTable, p.pointRow(id))
	}
	for _, id := range sortedKeys(fx.Withdrawals) {
		fn(WithdrawalsTable, p.withdrawalRow(id))
	}
	if fx.Areas {
		for _, a := range p.areas {
			fn(AreasTable, []any{a.Tier, a.Code, a.Member, a.At})
		}
	}
	if fx.Plans {
		for _, v := range p.plans {
			fn(PlansTable, planRow(v))
		}
	}
	if fx.AllMembers {
		// A period close moves many balances: rewrite them all.
		p.eng.EachAccount(func(a ledger.Account, _ int64) { fn(BalancesTable, p.balanceRow(a)) })
	}
	for a := range fx.Accounts {
		fn(BalancesTable, p.balanceRow(a))
	}
}

// EachRow calls fn with every row of every entity table: what the read
// models must hold. Balances of zero are left out (the tables may keep
// them as zero rows).
func (p *Platform) EachRow(fn func(t Table, row []any)) {
	all := Effects{AllMembers: true, Areas: true, Plans: true}
	for _, id := range p.OperatorIDs() {
		all.mark(&all.Operators, id)
	}
	for _, id := range p.productIDs {
		all.mark(&all.Products, id)
	}
	for _, id := range p.orderIDs {
		all.mark(&all.Orders, id)
	}
	for _, id := range p.pointIDs {
		all.mark(&all.Points, id)
	}
	for _, id := range p.wdIDs {
		all.mark(&all.Withdrawals, id)
	}
	p.Changed(&all, fn)
}

func sortedKeys(m map[string]bool) []string {
	// Sorted, so the write order, and so lock order, is deterministic.
	return slices.Sorted(maps.Keys(m))
}
