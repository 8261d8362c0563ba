// Package ledger holds the double-entry bookkeeping of the settlement engine:
// accounts, postings, transactions and their invariants (reward-plan.md §9).
package ledger

import "fmt"

// Kind is the kind of an account. Member accounts carry the member's index;
// platform and external accounts have none.
type Kind uint8

const (
	Available   Kind = iota // <member>:available, fen
	Frozen                  // <member>:frozen, fen (chain fund)
	Withdrawing             // <member>:withdrawing, fen
	Points                  // <member>:points, µpt
	// Platform, pool and external accounts.
	ExternalPayments
	ExternalWithdrawals
	PlatformProfit
	PlatformCost
	PoolPoints
	PoolDividend
	PoolShareholder
	PointsIssued // points:issued, µpt
	// Accounts of the platform server, never touched by replay scripts.
	PlatformEscrow // platform:escrow, paid orders awaiting settlement
	PlatformFees   // platform:fees, withdrawal fees
	NumKinds
)

var kindNames = [NumKinds]string{
	Available:           "available",
	Frozen:              "frozen",
	Withdrawing:         "withdrawing",
	Points:              "points",
	ExternalPayments:    "external:payments",
	ExternalWithdrawals: "external:withdrawals",
	PlatformProfit:      "platform:profit",
	PlatformCost:        "platform:cost",
	PoolPoints:          "pool:points",
	PoolDividend:        "pool:dividend",
	PoolShareholder:     "pool:shareholder",
	PointsIssued:        "points:issued",
	PlatformEscrow:      "platform:escrow",
	PlatformFees:        "platform:fees",
}

// String returns the suffix of a member account or the full platform name.
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsMember reports whether accounts of this kind belong to a member.
func (k Kind) IsMember() bool { return k <= Points }

// IsPoints reports whether the account counts µpt rather than fen.
func (k Kind) IsPoints() bool { return k == Points || k == PointsIssued }

// Account names one account: a member's (Member ≥ 0) or a platform one.
type Account struct {
	Member int32 // member index, or -1 for platform and external accounts
	Kind   Kind
}

// Platform returns the platform or external account of kind k.
func Platform(k Kind) Account { return Account{Member: -1, Kind: k} }

// Name returns the account's name, given the id of its member.
func (a Account) Name(memberID string) string {
	if a.Kind.IsMember() {
		return memberID + ":" + a.Kind.String()
	}
	return a.Kind.String()
}

// Reason says why a posting was made; the member pages and the ledger
// history show it.
type Reason uint8

const (
	Payment Reason = iota
	Cost
	Direct
	Seepoint
	Peer
	DividendPool
	ServicePoint
	Region
	LevelDiff
	LevelPeer
	DistDirect
	DistIndirect
	ShareholderPool
	Profit
	PointsPool
	PointsIssue
	Sell
	Exit
	WithdrawRequest
	WithdrawPaid
	WithdrawReject
	ChainDividend
	ShareholderDividend
	Unlock
	Refund      // a paid order refunded before settlement
	WithdrawFee // the fee kept from a paid-out withdrawal
	TopUp       // money paid into a member's wallet (余额充值)
	NumReasons
)

var reasonNames = [NumReasons]string{
	Payment: "payment", Cost: "cost", Direct: "direct", Seepoint: "seepoint",
	Peer: "peer", DividendPool: "dividend_pool", ServicePoint: "service_point",
	Region: "region", LevelDiff: "level_diff", LevelPeer: "level_peer",
	DistDirect: "dist_direct", DistIndirect: "dist_indirect",
	ShareholderPool: "shareholder_pool", Profit: "profit",
	PointsPool: "points_pool", PointsIssue: "points_issue", Sell: "sell",
	Exit: "exit", WithdrawRequest: "withdraw_request",
	WithdrawPaid: "withdraw_paid", WithdrawReject: "withdraw_reject",
	ChainDividend: "chain_dividend", ShareholderDividend: "shareholder_dividend",
	Unlock: "unlock", Refund: "refund", WithdrawFee: "withdraw_fee", TopUp: "topup",
}

func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Posting is one line of a transaction: a signed amount on one account.
type Posting struct {
	Account Account
	Amount  int64
	Reason  Reason
}

// Tx is one balanced transaction: the postings of one accepted command.
type Tx struct {
	Seq      int64 // the command's number among the accepted ones, from 1
	Postings []Posting
}

// Check reports an error unless the postings sum to zero per unit (fen and
// µpt separately), which is what every transaction must do.
func (t *Tx) Check() error {
	var fen, upt int64
	for _, p := range t.Postings {
		if p.Account.Kind.IsPoints() {
			upt += p.Amount
		} else {
			fen += p.Amount
		}
	}
	if fen != 0 || upt != 0 {
		return fmt.Errorf("ledger: unbalanced transaction: fen %+d, µpt %+d", fen, upt)
	}
	return nil
}

// Clone returns a copy that does not share the postings' storage.
func (t *Tx) Clone() Tx {
	return Tx{Seq: t.Seq, Postings: append([]Posting(nil), t.Postings...)}
}
