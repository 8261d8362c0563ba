package engine

import "github.com/greenmall/greenmall/internal/ledger"

// MemberView is a read-only copy of one member's state.
type MemberView struct {
	ID           string
	Index        int32
	Referrer     string // "" when none
	Parent       string // "" when not placed
	Slot         int32
	Team         string
	PeerUp       string
	Role         Role
	Level        string
	Unlocked     bool
	Exits        int32
	RoundCFen    int64
	RoundOUpt    int64
	Available    int64
	Frozen       int64
	Withdrawing  int64
	PointsUpt    int64
	Shares       int64
	SelfSpend    int64
	ChainOrders  int32
	DirectActive int32
	Children     int32
	// The referral subtree's figures (self excluded), kept only while some
	// level asks for them (TeamFigures); zero otherwise.
	TeamSize     int32 // active members
	TeamSalesFen int64 // settled amounts
}

// TeamFigures reports whether MemberView's team figures are kept: only when
// some level's conditions ask for team sales or team size.
func (e *Engine) TeamFigures() bool { return e.rules.teamRules && e.rules.hasUpgrade }

// MemberID returns the id of the member with index i.
func (e *Engine) MemberID(i int32) string { return e.members[i].id }

// NumMembers returns how many members have joined.
func (e *Engine) NumMembers() int { return len(e.members) }

// MemberIndex returns the index of member id.
func (e *Engine) MemberIndex(id string) (int32, bool) {
	i, ok := e.byID[id]
	return i, ok
}

func (e *Engine) idOf(i int32) string {
	if i < 0 {
		return ""
	}
	return e.members[i].id
}

// Member returns a view of the member with index i (0 ≤ i < NumMembers).
func (e *Engine) Member(i int32) MemberView {
	m := &e.members[i]
	v := MemberView{
		ID: m.id, Index: i, Referrer: e.idOf(m.referrer), Parent: e.idOf(m.parent),
		Slot: m.slot, Team: e.idOf(m.team), PeerUp: e.idOf(m.peerUp), Role: m.role,
		Unlocked: m.unlocked, Exits: m.exits, RoundCFen: m.roundC, RoundOUpt: m.roundO,
		Available: m.available, Frozen: m.frozen, Withdrawing: m.withdrawing,
		PointsUpt: m.points, Shares: m.shares, SelfSpend: m.selfSpend,
		ChainOrders: m.chainOrders, DirectActive: m.directActive, Children: m.nChildren,
		TeamSize: e.team[i].size, TeamSalesFen: e.team[i].sales,
	}
	if m.level > 0 {
		v.Level = e.rules.levels[m.level-1].code
	}
	return v
}

// AccountName returns the name of account a.
func (e *Engine) AccountName(a ledger.Account) string {
	return a.Name(e.idOf(a.Member))
}

// Balance returns the balance of account a.
func (e *Engine) Balance(a ledger.Account) int64 {
	if a.Member < 0 {
		return e.accounts[a.Kind]
	}
	m := &e.members[a.Member]
	switch a.Kind {
	case ledger.Available:
		return m.available
	case ledger.Frozen:
		return m.frozen
	case ledger.Withdrawing:
		return m.withdrawing
	case ledger.Points:
		return m.points
	}
	return 0
}

var memberKinds = [...]ledger.Kind{ledger.Available, ledger.Frozen, ledger.Withdrawing, ledger.Points}

// EachAccount calls fn for every account with a non-zero balance: platform
// accounts first, then members' in join order.
func (e *Engine) EachAccount(fn func(a ledger.Account, balance int64)) {
	for k := ledger.ExternalPayments; k < ledger.NumKinds; k++ {
		if b := e.accounts[k]; b != 0 {
			fn(ledger.Platform(k), b)
		}
	}
	for i := range e.members {
		for _, k := range memberKinds {
			a := ledger.Account{Member: int32(i), Kind: k}
			if b := e.Balance(a); b != 0 {
				fn(a, b)
			}
		}
	}
}

// Pool is the state of the points pool.
type Pool struct {
	PoolFen, SupplyUpt       int64
	RefPoolFen, RefSupplyUpt int64
}

// Pool returns the points pool's state.
func (e *Engine) Pool() Pool {
	return Pool{e.accounts[ledger.PoolPoints], e.supply, e.refPool, e.refSupply}
}

// PriceFenPerPoint returns the pool price as a fraction num/den fen per point.
func (e *Engine) PriceFenPerPoint() (num, den int64) {
	if e.supply > 0 {
		return e.accounts[ledger.PoolPoints], e.supply
	}
	return e.refPool, e.refSupply
}
