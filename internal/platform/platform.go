// Package platform is the platform server's state machine: members'
// accounts, the catalogue, orders, service points, withdrawals and plan
// versions around the settlement engine. Like the engine it is pure and
// deterministic: time and random values come in on the commands, so the
// journal replays to the same state. It knows nothing of HTTP or SQL.
package platform

import (
	"errors"
	"fmt"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/plan"
)

// Error codes: stable, for API clients.
const (
	CodeInvalid      = "invalid_argument"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"       // the state does not allow it now
	CodeInsufficient = "insufficient"   // not enough balance, points or stock
	CodeRule         = "rule_violation" // the reward plan's rules refuse it
	CodeForbidden    = "forbidden"
)

// Error is a rejected command: nothing changed.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func fail(code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// ruleErr turns an engine rejection into an Error.
func ruleErr(err error) error {
	if errors.Is(err, engine.ErrRejected) {
		return &Error{Code: CodeRule, Msg: err.Error()}
	}
	return err
}

// Order statuses.
const (
	StatusPending   = "pending_payment"
	StatusPaid      = "paid"
	StatusShipped   = "shipped"
	StatusCompleted = "completed" // received or picked up; settles after the return window
	StatusSettled   = "settled"
	StatusCancelled = "cancelled"
	StatusRefunded  = "refunded"
)

// Withdrawal statuses.
const (
	WdRequested = "requested"
	WdApproved  = "approved"
	WdRejected  = "rejected"
	WdPaid      = "paid"
)

// Member is a member's account on the platform; its money, points, role
// and placement live in the engine.
type Member struct {
	ID           string
	Phone        string
	Name         string
	PasswordHash string
	Code         string // own invite code
	JoinedAt     int64
	Banned       bool
	BanReason    string
	StaffOf      []string // service points where the member verifies pickups
}

// Operator is an operator's account.
type Operator struct {
	ID           string
	Login        string
	Name         string
	Role         string
	PasswordHash string
	CreatedAt    int64
}

// Product is a catalogue entry.
type Product struct {
	ID        string
	Name      string
	PriceFen  int64
	Stock     int64 // in the warehouse; service points hold their own
	Profile   string
	Images    []string
	Gift      bool
	Active    bool
	Desc      string
	UpdatedAt int64
}

// Order is a member's order.
type Order struct {
	ID          string
	Member      string
	Lines       []Line
	AmountFen   int64
	Address     *Address
	Pickup      string
	PickupCode  string
	Status      string
	PayMethod   string
	GatewayTxn  string
	Carrier     string
	Tracking    string
	Reason      string // of a cancel or refund
	CreatedAt   int64
	PaidAt      int64
	ShippedAt   int64
	CompletedAt int64
	SettledAt   int64
	ClosedAt    int64 // cancelled or refunded
}

// Line is an order line with the price and profile at the time of order.
type Line struct {
	Product  string `json:"product"`
	Name     string `json:"name"`
	PriceFen int64  `json:"price_fen"`
	Qty      int64  `json:"qty"`
	Profile  string `json:"profile"`
}

// ServicePoint is a pickup point (服务点).
type ServicePoint struct {
	ID        string
	Name      string
	Owner     string
	Region    string
	Address   string
	Staff     []string
	Stock     map[string]int64 // product → units held here
	CreatedAt int64
}

// Withdrawal is a payout request.
type Withdrawal struct {
	ID          string
	Member      string
	AmountFen   int64
	FeeFen      int64
	Account     string
	Status      string
	Reason      string
	TransferRef string
	RequestedAt int64
	ReviewedAt  int64
	ReviewedBy  string
	PaidAt      int64
}

// PlanVersion is one version of the plan.
type PlanVersion struct {
	Version int
	At      int64
	Actor   string
	Note    string
	Plan    *plan.Plan
}

// AreaAgent is a regional agent's area.
type AreaAgent struct {
	Tier, Code, Member string
	At                 int64
}

// Platform is the whole state. Methods are not safe for concurrent use:
// the server's sequencer owns it.
type Platform struct {
	eng *engine.Engine

	members      map[string]*Member
	memberIDs    []string // join order
	byPhone      map[string]string
	byCode       map[string]string
	operators    map[string]*Operator
	byLogin      map[string]string
	products     map[string]*Product
	productIDs   []string
	orders       map[string]*Order
	orderIDs     []string
	points       map[string]*ServicePoint
	pointIDs     []string
	withdrawals  map[string]*Withdrawal
	wdIDs        []string
	areas        []AreaAgent
	plans        []PlanVersion
	gatewayTxns  map[string]string // gateway transaction → order
	topUpIntents map[string]string // paid top-up intent → gateway transaction
	periods      []string          // closed, in order

	regions Regions

	due  []string // completed orders awaiting settlement, in completion order
	seqs struct{ member, operator, product, order, point, withdrawal int64 }
	// settled counts the orders settled so far and their amount (metrics).
	settled struct{ orders, fen int64 }

	now   int64  // the command being applied: its time and actor
	actor string // and who sent it
	fx    Effects
}

// New returns an empty platform under plan p (valid).
func New(p *plan.Plan) *Platform {
	return &Platform{
		eng:          engine.New(p, engine.Options{SkipOrderIDs: true, TrackChanges: true}),
		members:      map[string]*Member{},
		byPhone:      map[string]string{},
		byCode:       map[string]string{},
		operators:    map[string]*Operator{},
		byLogin:      map[string]string{},
		products:     map[string]*Product{},
		orders:       map[string]*Order{},
		points:       map[string]*ServicePoint{},
		withdrawals:  map[string]*Withdrawal{},
		gatewayTxns:  map[string]string{},
		topUpIntents: map[string]string{},
		plans:        []PlanVersion{{Version: 1, Actor: "sys", Note: "initial plan", Plan: p}},
	}
}

// Engine returns the settlement engine, for reading.
func (p *Platform) Engine() *engine.Engine { return p.eng }

// Plan returns the plan in force.
func (p *Platform) Plan() *plan.Plan { return p.eng.Plan() }

// Effects is what applied commands changed, for the read models: which
// entities to rewrite and which rows to append.
type Effects struct {
	Members     map[string]bool
	AllMembers  bool
	Operators   map[string]bool
	Products    map[string]bool
	Orders      map[string]bool
	Points      map[string]bool
	Withdrawals map[string]bool
	Areas       bool
	Plans       bool
	Accounts    map[ledger.Account]bool // platform and member balances
	Lines       []LedgerLine
	Prices      []PricePoint
	Periods     []string
}

// LedgerLine is one posting as the read model keeps it.
type LedgerLine struct {
	Seq     int64 // journal sequence number of the command
	N       int   // line number within the command
	At      int64
	Account string
	Member  string // "" for platform accounts
	Amount  int64
	Reason  string
	Ref     string // the order, withdrawal or period behind it
}

// PricePoint is the pool after a command that moved it.
type PricePoint struct {
	Seq       int64
	At        int64
	PoolFen   int64
	SupplyUpt int64
}

func (fx *Effects) mark(m *map[string]bool, id string) {
	if *m == nil {
		*m = map[string]bool{}
	}
	(*m)[id] = true
}

// TakeEffects returns what commands changed since the last call.
func (p *Platform) TakeEffects() Effects {
	fx := p.fx
	p.fx = Effects{}
	return fx
}

// Apply applies one command sent at time at (unix ms) by actor, as the
// seq-th command of the journal. A rejected command returns an *Error and
// changes nothing. The result is the command's answer: the id of what it
// created, or nil.
func (p *Platform) Apply(seq int64, at int64, actor string, c Cmd) (any, error) {
	p.now, p.actor = at, actor
	before := len(p.fx.Lines)
	pool := p.eng.Pool()
	res, err := p.apply(c)
	if err != nil {
		return nil, err
	}
	for i := before; i < len(p.fx.Lines); i++ {
		p.fx.Lines[i].Seq, p.fx.Lines[i].N, p.fx.Lines[i].At = seq, i-before, at
	}
	if after := p.eng.Pool(); after != pool {
		p.fx.Prices = append(p.fx.Prices, PricePoint{Seq: seq, At: at, PoolFen: after.PoolFen, SupplyUpt: after.SupplyUpt})
	}
	if p.eng.TakeChanges(func(i int32) { p.fx.mark(&p.fx.Members, p.eng.MemberID(i)) }) {
		p.fx.AllMembers = true
	}
	return res, nil
}

// engineApply applies an engine command and records its postings.
func (p *Platform) engineApply(c engine.Command, ref string) error {
	res, err := p.eng.Apply(c)
	if err != nil {
		return ruleErr(err)
	}
	for _, po := range res.Tx.Postings {
		l := LedgerLine{Account: p.eng.AccountName(po.Account), Amount: po.Amount, Reason: po.Reason.String(), Ref: ref}
		if po.Account.Member >= 0 {
			l.Member = p.eng.MemberID(po.Account.Member)
		}
		if p.fx.Accounts == nil {
			p.fx.Accounts = map[ledger.Account]bool{}
		}
		p.fx.Accounts[po.Account] = true
		p.fx.Lines = append(p.fx.Lines, l)
	}
	return nil
}

func (p *Platform) apply(c Cmd) (any, error) {
	switch c := c.(type) {
	case OperatorCreate:
		return p.operatorCreate(c)
	case Register:
		return p.register(c)
	case MemberUpdate:
		return p.memberUpdate(c)
	case MemberBan:
		return p.memberBan(c)
	case SetLevel:
		if _, err := p.member(c.Member); err != nil {
			return nil, err
		}
		return nil, p.engineApply(engine.SetLevel{Member: c.Member, Level: c.Level}, "")
	case SetShares:
		if _, err := p.member(c.Member); err != nil {
			return nil, err
		}
		return nil, p.engineApply(engine.SetShares{Member: c.Member, Shares: c.Shares}, "")
	case ProductPut:
		return p.productPut(c)
	case ServicePointCreate:
		return p.servicePointCreate(c)
	case StaffSet:
		return nil, p.staffSet(c)
	case StockAllot:
		return nil, p.stockAllot(c)
	case RegionAgent:
		return nil, p.regionAgent(c)
	case BigRegionSet:
		return p.bigRegionSet(c)
	case PlanSet:
		return p.planSet(c)
	case OrderCreate:
		return p.orderCreate(c)
	case OrderPay:
		return nil, p.orderPay(c)
	case OrderShip:
		return nil, p.orderShip(c)
	case OrderReceive:
		return nil, p.orderReceive(c)
	case OrderPickup:
		if err := p.orderPickup(c); err != nil {
			return nil, err
		}
		return map[string]any{"id": c.Order, "status": p.orders[c.Order].Status}, nil
	case OrderCancel:
		return nil, p.orderCancel(c)
	case OrderRefund:
		return nil, p.orderRefund(c)
	case Tick:
		return p.tick()
	case PeriodClose:
		return nil, p.periodClose(c)
	case Sell:
		return p.sell(c)
	case WalletTopUp:
		return nil, p.walletTopUp(c)
	case WithdrawRequest:
		return p.withdrawRequest(c)
	case WithdrawReview:
		return nil, p.withdrawReview(c)
	case WithdrawPaid:
		return nil, p.withdrawPaid(c)
	}
	return nil, fail(CodeInvalid, "unknown command %T", c)
}
