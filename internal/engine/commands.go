package engine

import "github.com/greenmall/greenmall/internal/plan"

// Command is one input of the state machine (replay.md, "Commands").
type Command interface {
	command()
}

// Join adds a member, with an optional referrer.
type Join struct {
	ID          string
	Referrer    string
	HasReferrer bool
}

// Order settles an order at once (reward-plan.md §8): the caller sends it
// when the order is complete and its return window has passed.
type Order struct {
	ID              string
	Member          string
	Profile         string
	AmountFen       int64
	Region          string
	HasRegion       bool
	ServicePoint    string
	HasServicePoint bool // picked up and verified at ServicePoint
	// Escrowed orders were paid earlier by a Pay: their money comes out of
	// platform:escrow instead of external:payments.
	Escrowed bool
}

// Pay takes an order's payment into platform:escrow until the order settles
// or is refunded: from the member's available balance (FromWallet) or from
// outside (external:payments). The platform server sends it; scripts do not.
type Pay struct {
	Order      string // for messages only: the platform tracks orders
	Member     string
	AmountFen  int64
	FromWallet bool
}

// TopUp pays money from outside into a member's available balance
// (余额充值): the platform server sends it after a verified payment.
type TopUp struct {
	Member    string
	AmountFen int64
}

// Refund returns an escrowed payment: to the member's available balance
// (ToWallet) or back outside.
type Refund struct {
	Order     string
	Member    string
	AmountFen int64
	ToWallet  bool
}

// Sell is a voluntary points sell of Upt µpt, or of the whole holding.
type Sell struct {
	Member string
	Upt    int64
	All    bool
}

// ServicePoint registers a pickup service point (服务点).
type ServicePoint struct {
	ID     string
	Owner  string
	Region string
}

// RegionAgent assigns an area of a tier to a member (区域代理).
type RegionAgent struct {
	Member string
	Tier   string
	Code   string // region code prefix, or a big region's name
}

// SetLevel sets a member's level by operator; "" removes it.
type SetLevel struct {
	Member string
	Level  string
}

// SetShares sets a member's shareholder shares; 0 removes them.
type SetShares struct {
	Member string
	Shares int64
}

// PeriodClose closes a settlement period (结算周期).
type PeriodClose struct {
	Period string
}

// Withdraw requests a withdrawal from the member's available balance.
type Withdraw struct {
	ID        string
	Member    string
	AmountFen int64
	FeeFen    int64 // kept in platform:fees when the withdrawal is paid; 0 in scripts
}

// WithdrawApprove pays a pending withdrawal out.
type WithdrawApprove struct {
	ID string
}

// WithdrawReject returns a pending withdrawal to the member's balance.
type WithdrawReject struct {
	ID string
}

// SetPlan replaces the plan from the next command on.
type SetPlan struct {
	Plan *plan.Plan
}

func (Join) command()            {}
func (Order) command()           {}
func (Sell) command()            {}
func (Pay) command()             {}
func (Refund) command()          {}
func (TopUp) command()           {}
func (ServicePoint) command()    {}
func (RegionAgent) command()     {}
func (SetLevel) command()        {}
func (SetShares) command()       {}
func (PeriodClose) command()     {}
func (Withdraw) command()        {}
func (WithdrawApprove) command() {}
func (WithdrawReject) command()  {}
func (SetPlan) command()         {}
