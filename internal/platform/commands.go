package platform

import (
	"encoding/json"
	"fmt"
)

// Cmd is one command of the platform's state machine. Commands are
// journaled as JSON (Envelope) and replayed in order on start.
type Cmd interface {
	Kind() string
}

// Envelope is a command as the journal keeps it.
type Envelope struct {
	Type  string          `json:"type"`
	At    int64           `json:"at"`    // unix milliseconds, set by the sequencer
	Actor string          `json:"actor"` // "op:<id>", "m:<id>", "sys" or "gateway"
	Data  json.RawMessage `json:"data"`
}

// Seal wraps a command into an envelope.
func Seal(c Cmd, at int64, actor string) (Envelope, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return Envelope{}, fmt.Errorf("encode %s: %w", c.Kind(), err)
	}
	return Envelope{Type: c.Kind(), At: at, Actor: actor, Data: data}, nil
}

// Open decodes the command inside an envelope.
func (env Envelope) Open() (Cmd, error) {
	mk, ok := kinds[env.Type]
	if !ok {
		return nil, fmt.Errorf("unknown command type %q", env.Type)
	}
	c, err := mk(env.Data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", env.Type, err)
	}
	return c, nil
}

// Operator roles.
const (
	RoleSuper      = "super"
	RoleFinance    = "finance"
	RoleOperations = "operations"
)

type (
	// OperatorCreate adds an operator account.
	OperatorCreate struct {
		Login        string `json:"login"`
		Name         string `json:"name"`
		Role         string `json:"role"`
		PasswordHash string `json:"password_hash"`
	}
	// Register adds a member, invited by the holder of InvitedBy (an invite
	// code). Code is the new member's own invite code, drawn at the edge.
	Register struct {
		Phone        string `json:"phone"`
		Name         string `json:"name"`
		PasswordHash string `json:"password_hash"`
		InvitedBy    string `json:"invited_by"`
		Code         string `json:"code"`
	}
	// MemberUpdate changes a member's profile or password.
	MemberUpdate struct {
		Member       string `json:"member"`
		Name         string `json:"name,omitempty"`
		PasswordHash string `json:"password_hash,omitempty"`
	}
	// MemberBan bans or unbans a member.
	MemberBan struct {
		Member string `json:"member"`
		Banned bool   `json:"banned"`
		Reason string `json:"reason"`
	}
	// SetLevel sets a member's level ("" removes it).
	SetLevel struct {
		Member string `json:"member"`
		Level  string `json:"level"`
	}
	// SetShares sets a member's shareholder shares.
	SetShares struct {
		Member string `json:"member"`
		Shares int64  `json:"shares"`
	}
	// ProductPut creates (empty ID) or replaces a product.
	ProductPut struct {
		ID       string   `json:"id,omitempty"`
		Name     string   `json:"name"`
		PriceFen int64    `json:"price_fen"`
		Stock    int64    `json:"stock"`
		Profile  string   `json:"profile"`
		Images   []string `json:"images"`
		Gift     bool     `json:"gift"`
		Active   bool     `json:"active"`
		Desc     string   `json:"desc"`
	}
	// ServicePointCreate opens a pickup service point owned by a member.
	ServicePointCreate struct {
		Name    string `json:"name"`
		Owner   string `json:"owner"`
		Region  string `json:"region"`
		Address string `json:"address"`
	}
	// StaffSet adds (or removes) a member as staff of a service point.
	StaffSet struct {
		ServicePoint string `json:"service_point"`
		Member       string `json:"member"`
		Remove       bool   `json:"remove"`
	}
	// StockAllot moves product stock to (or, negative, back from) a
	// service point (配货).
	StockAllot struct {
		ServicePoint string `json:"service_point"`
		Product      string `json:"product"`
		Qty          int64  `json:"qty"`
	}
	// RegionAgent assigns an area of a tier to a member.
	RegionAgent struct {
		Member string `json:"member"`
		Tier   string `json:"tier"`
		Code   string `json:"code"`
	}
	// BigRegionSet defines (or, with no provinces, removes) a big region,
	// as a new plan version.
	BigRegionSet struct {
		Name      string   `json:"name"`
		Provinces []string `json:"provinces"`
	}
	// PlanSet replaces the plan with a new version, for later settlements.
	PlanSet struct {
		Document json.RawMessage `json:"document"` // the plan as JSON
		Note     string          `json:"note"`
	}
	// OrderCreate places an order, shipped to Address or picked up at
	// Pickup. PickupCode is drawn at the edge.
	OrderCreate struct {
		Member     string   `json:"member"`
		Items      []Item   `json:"items"`
		Address    *Address `json:"address,omitempty"`
		Pickup     string   `json:"pickup,omitempty"`
		PickupCode string   `json:"pickup_code,omitempty"`
	}
	// OrderPay pays an order from the wallet, or records a gateway's
	// verified payment.
	OrderPay struct {
		Order      string `json:"order"`
		Method     string `json:"method"` // "wallet" or "gateway"
		GatewayTxn string `json:"gateway_txn,omitempty"`
		AmountFen  int64  `json:"amount_fen,omitempty"` // gateway: what it says was paid
	}
	// OrderShip marks a paid shipping order as shipped.
	OrderShip struct {
		Order    string `json:"order"`
		Carrier  string `json:"carrier"`
		Tracking string `json:"tracking"`
	}
	// OrderReceive confirms receipt of a shipped order.
	OrderReceive struct {
		Order string `json:"order"`
	}
	// OrderPickup verifies a pickup code at the service point (核销).
	OrderPickup struct {
		Order string `json:"order"`
		Code  string `json:"code"`
		Staff string `json:"staff"` // the member verifying
	}
	// OrderCancel cancels an unpaid order.
	OrderCancel struct {
		Order  string `json:"order"`
		Reason string `json:"reason"`
	}
	// OrderRefund refunds a paid order before it settles.
	OrderRefund struct {
		Order  string `json:"order"`
		Reason string `json:"reason"`
	}
	// Tick settles the completed orders whose return window has passed.
	Tick struct{}
	// PeriodClose closes a settlement period.
	PeriodClose struct {
		Period string `json:"period"`
	}
	// Sell sells points (µpt), or the whole holding.
	Sell struct {
		Member string `json:"member"`
		Upt    int64  `json:"upt"`
		All    bool   `json:"all"`
	}
	// WalletTopUp records a gateway's verified payment into a member's
	// wallet (余额充值).
	WalletTopUp struct {
		Member     string `json:"member"`
		AmountFen  int64  `json:"amount_fen"`
		GatewayTxn string `json:"gateway_txn"`
		// Intent is the member's top-up request the gateway paid; one
		// intent is paid once, whatever the transaction.
		Intent string `json:"intent,omitempty"`
	}
	// WithdrawRequest asks for a payout from the available balance.
	WithdrawRequest struct {
		Member    string `json:"member"`
		AmountFen int64  `json:"amount_fen"`
		Account   string `json:"account"` // where to pay: bank card or Alipay account, as the member gave it
	}
	// WithdrawReview approves or rejects a requested withdrawal.
	WithdrawReview struct {
		ID      string `json:"id"`
		Approve bool   `json:"approve"`
		Reason  string `json:"reason"`
	}
	// WithdrawPaid records the transfer of an approved withdrawal.
	WithdrawPaid struct {
		ID          string `json:"id"`
		TransferRef string `json:"transfer_ref"`
	}
)

// Item is one line of an order.
type Item struct {
	Product string `json:"product"`
	Qty     int64  `json:"qty"`
}

// Address is a shipping address.
type Address struct {
	Region string `json:"region"` // a street or district code
	Detail string `json:"detail"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
}

// kinds decodes each command type's data.
var kinds = map[string]func(data []byte) (Cmd, error){}

func def[T Cmd]() {
	var zero T
	kinds[zero.Kind()] = func(data []byte) (Cmd, error) {
		var v T
		err := json.Unmarshal(data, &v)
		return v, err
	}
}

func init() {
	def[OperatorCreate]()
	def[Register]()
	def[MemberUpdate]()
	def[MemberBan]()
	def[SetLevel]()
	def[SetShares]()
	def[ProductPut]()
	def[ServicePointCreate]()
	def[StaffSet]()
	def[StockAllot]()
	def[RegionAgent]()
	def[BigRegionSet]()
	def[PlanSet]()
	def[OrderCreate]()
	def[OrderPay]()
	def[OrderShip]()
	def[OrderReceive]()
	def[OrderPickup]()
	def[OrderCancel]()
	def[OrderRefund]()
	def[Tick]()
	def[PeriodClose]()
	def[Sell]()
	def[WalletTopUp]()
	def[WithdrawRequest]()
	def[WithdrawReview]()
	def[WithdrawPaid]()
}

func (OperatorCreate) Kind() string     { return "operator.create" }
func (Register) Kind() string           { return "member.register" }
func (MemberUpdate) Kind() string       { return "member.update" }
func (MemberBan) Kind() string          { return "member.ban" }
func (SetLevel) Kind() string           { return "member.set_level" }
func (SetShares) Kind() string          { return "member.set_shares" }
func (ProductPut) Kind() string         { return "product.put" }
func (ServicePointCreate) Kind() string { return "service_point.create" }
func (StaffSet) Kind() string           { return "service_point.staff" }
func (StockAllot) Kind() string         { return "service_point.stock" }
func (RegionAgent) Kind() string        { return "region_agent.assign" }
func (BigRegionSet) Kind() string       { return "plan.big_region" }
func (PlanSet) Kind() string            { return "plan.set" }
func (OrderCreate) Kind() string        { return "order.create" }
func (OrderPay) Kind() string           { return "order.pay" }
func (OrderShip) Kind() string          { return "order.ship" }
func (OrderReceive) Kind() string       { return "order.receive" }
func (OrderPickup) Kind() string        { return "order.pickup" }
func (OrderCancel) Kind() string        { return "order.cancel" }
func (OrderRefund) Kind() string        { return "order.refund" }
func (Tick) Kind() string               { return "settle.tick" }
func (PeriodClose) Kind() string        { return "period.close" }
func (Sell) Kind() string               { return "points.sell" }
func (WithdrawRequest) Kind() string    { return "withdraw.request" }
func (WithdrawReview) Kind() string     { return "withdraw.review" }
func (WithdrawPaid) Kind() string       { return "withdraw.paid" }
func (WalletTopUp) Kind() string        { return "wallet.topup" }
