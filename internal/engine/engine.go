// Package engine is the settlement engine: a deterministic state machine that
// applies the reward plan (shared/spec/reward-plan.md and details.md) to a
// sequence of commands. It does no I/O and reads no clock: the same commands
// always give the same ledger. A command is applied whole or rejected with
// nothing changed: every check runs before the first change.
package engine

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

// MaxAmountFen is the largest order or withdrawal amount (10^12 fen).
const MaxAmountFen = 1_000_000_000_000

// ErrRejected is wrapped by every rejection, so callers can tell a broken
// rule from a bug.
var ErrRejected = errors.New("rejected")

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRejected}, args...)...)
}

// Role is a member's role in the chain plan.
type Role uint8

const (
	RoleMember Role = iota // joined, not active
	RoleAgent              // active (代理)
	RoleBoss               // active, slot K filled (老板)
)

func (r Role) String() string {
	switch r {
	case RoleAgent:
		return "agent"
	case RoleBoss:
		return "boss"
	}
	return "member"
}

const none int32 = -1

// member is one member's state. Members are indexed in join order; links
// are indexes, so the state is a few flat slices rather than a pointer graph.
// The fields an order reads of the buyer and its ancestors come first, to
// share one cache line.
type member struct {
	referrer, team, peerUp int32
	lvAnc                  int32  // cached nearest referral ancestor holding a level
	lvEpoch                uint32 // the lvEpoch lvAnc was found in; 0 = never
	heapPos                int32  // position in the exit heap, -1 when not in it
	role                   Role
	level                  uint8 // 0 = none, else 1-based index into the plan's levels
	unlocked               bool
	directActive           int32
	available, frozen      int64
	points                 int64
	selfSpend              int64

	roundC, roundO int64     // the open points round (§4)
	chainOrders    int32     // chain orders ever settled by the member
	periodOrders   int32     // chain orders settled in the current period
	atLevel        *[9]int32 // direct referrals per level, nil when none

	parent, slot            int32
	nChildren               int32
	child1, child2          int32 // the slot-1 and slot-2 children
	firstChild, nextSibling int32 // placement children, newest first
	exits                   int32
	withdrawing, shares     int64
	id                      string
}

type servicePoint struct {
	owner  int32
	region string
}

type areaKey struct {
	tier string
	code string
}

type withdrawalState uint8

const (
	wdPending withdrawalState = iota
	wdApproved
	wdRejected
)

type withdrawal struct {
	member int32
	amount int64
	fee    int64
	state  withdrawalState
}

// Options tune an engine.
type Options struct {
	// SkipOrderIDs turns off the engine's own check that order ids are
	// unique, for callers (the server) whose store already guarantees it; it
	// saves the memory of one map entry per order.
	SkipOrderIDs bool
	// KeepTransactions keeps a copy of every transaction, for
	// Transactions; off, the caller takes each one from Apply's Result.
	KeepTransactions bool
	// TrackChanges records which members' state changed, for TakeChanges:
	// the server's read models rewrite only those.
	TrackChanges bool
}

// Engine is the settlement state machine. It is not safe for concurrent use:
// one sequencer goroutine owns it.
type Engine struct {
	opts  Options
	rules *rules

	members   []member
	team      []teamNode // beside members, same index
	byID      map[string]int32
	activated []int32 // members in activation order: parents before children

	accounts [ledger.NumKinds]int64 // platform and external balances

	// Points pool (§4): P is accounts[PoolPoints]; S is supply.
	supply     int64
	refPool    int64
	refSupply  int64
	exitHeap   []heapEntry
	levelCount []int64 // members per level number (index 0 unused)

	orders       map[string]struct{}
	servicePts   map[string]servicePoint
	areas        map[areaKey]int32
	tierAgents   [len(tierNames)]int // areas assigned per tier, to skip empty tiers
	withdrawals  map[string]*withdrawal
	periods      map[string]struct{}
	shareTotal   int64
	shareholders map[int32]struct{}

	lvEpoch uint32 // see leveledAbove
	forced  int    // members whose conditions must be checked at the next order below them
	naive   bool   // test only: check every ancestor, walk every ancestor

	seq               int64       // accepted commands so far
	tx                ledger.Tx   // the transaction being built; reused
	kept              []ledger.Tx // with Options.KeepTransactions
	subAll, subPeriod []int64     // period close's subtree counts; reused
	changed           []int32     // with Options.TrackChanges: members changed
	isChanged         []bool      // by member index: listed in changed
	changedAll        bool        // a period close or plan change: everyone may have
}

// New returns an empty engine under plan p, which must be valid.
func New(p *plan.Plan, opts Options) *Engine {
	e := &Engine{
		opts:         opts,
		byID:         make(map[string]int32),
		refPool:      p.Points.StartPriceFen,
		refSupply:    money.UptPerPoint,
		orders:       make(map[string]struct{}),
		servicePts:   make(map[string]servicePoint),
		areas:        make(map[areaKey]int32),
		withdrawals:  make(map[string]*withdrawal),
		periods:      make(map[string]struct{}),
		shareholders: make(map[int32]struct{}),
	}
	e.setRules(compile(p))
	return e
}

// Plan returns the plan in force.
func (e *Engine) Plan() *plan.Plan { return e.rules.p }

// Result is what an accepted command did.
type Result struct {
	// Tx holds the command's postings; empty for commands that move nothing.
	// Its storage is reused by the next Apply: Clone it to keep it.
	Tx *ledger.Tx
}

// Apply applies one command, or rejects it (an error wrapping ErrRejected)
// and changes nothing.
func (e *Engine) Apply(cmd Command) (Result, error) {
	e.tx.Postings = e.tx.Postings[:0]
	var err error
	switch c := cmd.(type) {
	case Join:
		err = e.join(c)
	case Order:
		err = e.order(c)
	case Sell:
		err = e.sell(c)
	case Pay:
		err = e.pay(c)
	case Refund:
		err = e.refund(c)
	case TopUp:
		err = e.topUp(c)
	case ServicePoint:
		err = e.servicePoint(c)
	case RegionAgent:
		err = e.regionAgent(c)
	case SetLevel:
		err = e.setLevelCmd(c)
	case SetShares:
		err = e.setShares(c)
	case PeriodClose:
		err = e.periodClose(c)
	case Withdraw:
		err = e.withdraw(c)
	case WithdrawApprove:
		err = e.withdrawEnd(c.ID, true)
	case WithdrawReject:
		err = e.withdrawEnd(c.ID, false)
	case SetPlan:
		err = e.setPlan(c.Plan)
	default:
		err = reject("unknown command %T", cmd)
	}
	if err != nil {
		e.tx.Postings = e.tx.Postings[:0]
		return Result{}, err
	}
	e.seq++
	e.tx.Seq = e.seq
	if e.opts.KeepTransactions && len(e.tx.Postings) > 0 {
		e.kept = append(e.kept, e.tx.Clone())
	}
	return Result{Tx: &e.tx}, nil
}

// Transactions returns every transaction that moved money or points, in
// order, when the engine keeps them (Options.KeepTransactions).
func (e *Engine) Transactions() []ledger.Tx { return e.kept }

// post moves amount onto account a (and nothing else: callers post both
// sides). Balances are kept here, next to the postings, so they cannot drift.
func (e *Engine) post(a ledger.Account, amount int64, r ledger.Reason) {
	if amount == 0 {
		return
	}
	if a.Member >= 0 {
		e.touch(a.Member)
		m := &e.members[a.Member]
		switch a.Kind {
		case ledger.Available:
			m.available += amount
		case ledger.Frozen:
			m.frozen += amount
		case ledger.Withdrawing:
			m.withdrawing += amount
		case ledger.Points:
			m.points += amount
		}
	} else {
		e.accounts[a.Kind] += amount
	}
	e.tx.Postings = append(e.tx.Postings, ledger.Posting{Account: a, Amount: amount, Reason: r})
}

// touch records that member i's state changed (Options.TrackChanges).
func (e *Engine) touch(i int32) {
	if !e.opts.TrackChanges || i < 0 {
		return
	}
	for int(i) >= len(e.isChanged) {
		e.isChanged = append(e.isChanged, false)
	}
	if !e.isChanged[i] {
		e.isChanged[i] = true
		e.changed = append(e.changed, i)
	}
}

// TakeChanges calls fn for each member whose state changed since the last
// call (balances, role, placement, level, shares, spending, rounds), and
// reports whether a period close or plan change may have changed anyone's.
// It needs Options.TrackChanges.
func (e *Engine) TakeChanges(fn func(i int32)) (all bool) {
	for _, i := range e.changed {
		e.isChanged[i] = false
		fn(i)
	}
	e.changed = e.changed[:0]
	all, e.changedAll = e.changedAll, false
	return all
}

func (e *Engine) memberAcct(m int32, k ledger.Kind) ledger.Account {
	return ledger.Account{Member: m, Kind: k}
}

// lookup returns the index of member id, or a rejection.
func (e *Engine) lookup(what, id string) (int32, error) {
	if i, ok := e.byID[id]; ok {
		return i, nil
	}
	return none, reject("%s: unknown member %q", what, id)
}

func (e *Engine) active(i int32) bool { return i >= 0 && e.members[i].role != RoleMember }

// validMemberID reports why id cannot name a member, or "" (details.md,
// replay input rule 4).
func validMemberID(id string) string {
	switch {
	case id == "":
		return "member id is empty"
	case strings.Contains(id, ":"):
		return "member id contains ':'"
	case id == "platform" || id == "pool" || id == "external" || id == "points":
		return "member id " + id + " is reserved"
	}
	return ""
}

func (e *Engine) join(c Join) error {
	if why := validMemberID(c.ID); why != "" {
		return reject("join %q: %s", c.ID, why)
	}
	if _, dup := e.byID[c.ID]; dup {
		return reject("join %q: member already exists", c.ID)
	}
	ref := none
	if c.HasReferrer {
		if c.Referrer == c.ID {
			return reject("join %q: a member cannot refer itself", c.ID)
		}
		r, ok := e.byID[c.Referrer]
		if !ok {
			return reject("join %q: referrer %q does not exist", c.ID, c.Referrer)
		}
		if e.rules.p.InviteRequiresActive && !e.active(r) {
			return reject("join %q: referrer %q is not active", c.ID, c.Referrer)
		}
		ref = r
	}
	idx := int32(len(e.members))
	e.members = append(e.members, member{
		id: c.ID, referrer: ref, parent: none, team: none, peerUp: none,
		firstChild: none, nextSibling: none, child1: none, child2: none, heapPos: -1,
	})
	e.team = append(e.team, teamNode{ref: ref, wakeS: math.MaxInt64})
	e.byID[c.ID] = idx
	e.touch(idx)
	e.setWake(idx)
	return nil
}

// ValidRegionCode reports whether code has the shape of an administrative
// division code: 2, 4, 6 or 9 digits (province, city, district, street).
func ValidRegionCode(code string) bool {
	switch len(code) {
	case 2, 4, 6, 9:
	default:
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

func (e *Engine) servicePoint(c ServicePoint) error {
	if c.ID == "" {
		return reject("service point: empty id")
	}
	if _, dup := e.servicePts[c.ID]; dup {
		return reject("service point %q: already exists", c.ID)
	}
	owner, err := e.lookup("service point "+c.ID+" owner", c.Owner)
	if err != nil {
		return err
	}
	if !ValidRegionCode(c.Region) {
		return reject("service point %q: region %q is not a 2, 4, 6 or 9 digit code", c.ID, c.Region)
	}
	e.servicePts[c.ID] = servicePoint{owner: owner, region: c.Region}
	return nil
}

func (e *Engine) regionAgent(c RegionAgent) error {
	m, err := e.lookup("region agent", c.Member)
	if err != nil {
		return err
	}
	if !e.rules.hasTier(c.Tier) {
		return reject("region agent %s: tier %q is not in the plan", c.Member, c.Tier)
	}
	if c.Tier == "bigregion" {
		if _, ok := e.rules.p.Regions.BigRegions[c.Code]; !ok {
			return reject("region agent %s: no big region %q in the plan", c.Member, c.Code)
		}
	} else if d := tierDigits[c.Tier]; len(c.Code) != d || !ValidRegionCode(c.Code) {
		return reject("region agent %s: a %s code has %d digits, got %q", c.Member, c.Tier, d, c.Code)
	}
	k := areaKey{c.Tier, c.Code}
	if holder, taken := e.areas[k]; taken {
		return reject("region agent %s: %s %s already has agent %s", c.Member, c.Tier, c.Code, e.members[holder].id)
	}
	e.areas[k] = m
	e.tierAgents[tierKind(c.Tier)]++
	return nil
}

func (e *Engine) setShares(c SetShares) error {
	m, err := e.lookup("set shares", c.Member)
	if err != nil {
		return err
	}
	if c.Shares < 0 {
		return reject("set shares %s: shares %d is negative", c.Member, c.Shares)
	}
	mm := &e.members[m]
	if e.shareTotal-mm.shares > (1<<63-1)-c.Shares {
		return reject("set shares %s: total shares would overflow", c.Member)
	}
	e.shareTotal += c.Shares - mm.shares
	mm.shares = c.Shares
	e.touch(m)
	if c.Shares > 0 {
		e.shareholders[m] = struct{}{}
	} else {
		delete(e.shareholders, m)
	}
	return nil
}

func (e *Engine) setLevelCmd(c SetLevel) error {
	m, err := e.lookup("set level", c.Member)
	if err != nil {
		return err
	}
	var lv uint8
	if c.Level != "" {
		var ok bool
		if lv, ok = e.rules.levelIdx[c.Level]; !ok {
			return reject("set level %s: unknown level %q", c.Member, c.Level)
		}
	}
	e.setLevel(m, lv)
	// The member (if lowered) and its referrer (direct_at_level) may now
	// meet conditions; only the next order through them upgrades them.
	e.recheck(m)
	e.recheck(e.members[m].referrer)
	return nil
}

// setLevel changes a member's level and the counts that depend on it.
func (e *Engine) setLevel(m int32, lv uint8) {
	mm := &e.members[m]
	old := mm.level
	if old == lv {
		return
	}
	e.levelCount[old]--
	e.levelCount[lv]++
	mm.level = lv
	e.touch(m)
	if (old == 0) != (lv == 0) {
		e.lvEpoch++
	}
	if r := mm.referrer; r >= 0 {
		rm := &e.members[r]
		if rm.atLevel == nil {
			rm.atLevel = new([9]int32)
		}
		if old > 0 {
			rm.atLevel[old-1]--
		}
		if lv > 0 {
			rm.atLevel[lv-1]++
		}
	}
}

func (e *Engine) withdraw(c Withdraw) error {
	if c.ID == "" {
		return reject("withdraw: empty id")
	}
	if _, dup := e.withdrawals[c.ID]; dup {
		return reject("withdraw %q: id already used", c.ID)
	}
	m, err := e.lookup("withdraw "+c.ID, c.Member)
	if err != nil {
		return err
	}
	if c.AmountFen < 1 || c.AmountFen > MaxAmountFen {
		return reject("withdraw %q: amount %d fen is outside 1..10^12", c.ID, c.AmountFen)
	}
	if avail := e.members[m].available; c.AmountFen > avail {
		return reject("withdraw %q: %d fen exceeds available %d fen", c.ID, c.AmountFen, avail)
	}
	if c.FeeFen < 0 || c.FeeFen >= c.AmountFen {
		return reject("withdraw %q: fee %d fen is outside 0..amount-1", c.ID, c.FeeFen)
	}
	e.withdrawals[c.ID] = &withdrawal{member: m, amount: c.AmountFen, fee: c.FeeFen}
	e.post(e.memberAcct(m, ledger.Available), -c.AmountFen, ledger.WithdrawRequest)
	e.post(e.memberAcct(m, ledger.Withdrawing), c.AmountFen, ledger.WithdrawRequest)
	return nil
}

func (e *Engine) withdrawEnd(id string, approve bool) error {
	w, ok := e.withdrawals[id]
	if !ok || w.state != wdPending {
		return reject("withdrawal %q is not pending", id)
	}
	e.post(e.memberAcct(w.member, ledger.Withdrawing), -w.amount, ledger.WithdrawPaid)
	if approve {
		w.state = wdApproved
		e.post(ledger.Platform(ledger.ExternalWithdrawals), w.amount-w.fee, ledger.WithdrawPaid)
		e.post(ledger.Platform(ledger.PlatformFees), w.fee, ledger.WithdrawFee)
	} else {
		w.state = wdRejected
		e.tx.Postings[len(e.tx.Postings)-1].Reason = ledger.WithdrawReject
		e.post(e.memberAcct(w.member, ledger.Available), w.amount, ledger.WithdrawReject)
	}
	return nil
}

func (e *Engine) pay(c Pay) error {
	m, err := e.lookup("pay order "+c.Order, c.Member)
	if err != nil {
		return err
	}
	if c.AmountFen < 1 || c.AmountFen > MaxAmountFen {
		return reject("pay order %q: amount %d fen is outside 1..10^12", c.Order, c.AmountFen)
	}
	from := ledger.Platform(ledger.ExternalPayments)
	if c.FromWallet {
		if avail := e.members[m].available; c.AmountFen > avail {
			return reject("pay order %q: %d fen exceeds available %d fen", c.Order, c.AmountFen, avail)
		}
		from = e.memberAcct(m, ledger.Available)
	}
	e.post(from, -c.AmountFen, ledger.Payment)
	e.post(ledger.Platform(ledger.PlatformEscrow), c.AmountFen, ledger.Payment)
	return nil
}

func (e *Engine) refund(c Refund) error {
	m, err := e.lookup("refund order "+c.Order, c.Member)
	if err != nil {
		return err
	}
	if c.AmountFen < 1 || c.AmountFen > e.accounts[ledger.PlatformEscrow] {
		return reject("refund order %q: amount %d fen is not held in escrow", c.Order, c.AmountFen)
	}
	to := ledger.Platform(ledger.ExternalPayments)
	if c.ToWallet {
		to = e.memberAcct(m, ledger.Available)
	}
	e.post(ledger.Platform(ledger.PlatformEscrow), -c.AmountFen, ledger.Refund)
	e.post(to, c.AmountFen, ledger.Refund)
	return nil
}

func (e *Engine) topUp(c TopUp) error {
	m, err := e.lookup("top up", c.Member)
	if err != nil {
		return err
	}
	if c.AmountFen < 1 || c.AmountFen > MaxAmountFen {
		return reject("top up: amount %d fen is outside 1..10^12", c.AmountFen)
	}
	e.post(ledger.Platform(ledger.ExternalPayments), -c.AmountFen, ledger.TopUp)
	e.post(e.memberAcct(m, ledger.Available), c.AmountFen, ledger.TopUp)
	return nil
}
