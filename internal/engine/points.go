package engine

import (
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
)

// issueUnits returns the µpt an order whose gift value is g fen buys at the
// price before the order (§4), and false when it would not fit in 64 bits.
func (e *Engine) issueUnits(g int64) (int64, bool) {
	if g == 0 {
		return 0, true
	}
	if e.supply > 0 {
		return money.MulDivOK(g, e.supply, e.accounts[ledger.PoolPoints])
	}
	return money.MulDivOK(g, e.refSupply, e.refPool)
}

// issue credits u µpt to x for an order of amount A, opening a round if x
// holds none, and files x in the exit heap.
func (e *Engine) issue(x int32, A, u int64) {
	e.post(ledger.Platform(ledger.PointsIssued), -u, ledger.PointsIssue)
	e.post(e.memberAcct(x, ledger.Points), u, ledger.PointsIssue)
	e.supply += u
	m := &e.members[x]
	m.roundC += A
	m.roundO += u
	e.heapSet(x)
}

func (e *Engine) sell(c Sell) error {
	x, err := e.lookup("sell", c.Member)
	if err != nil {
		return err
	}
	m := &e.members[x]
	q := c.Upt
	if c.All {
		q = m.points
	}
	if q <= 0 {
		return reject("sell %s: nothing to sell (%d µpt)", c.Member, q)
	}
	if q > m.points {
		return reject("sell %s: sells %d µpt but holds %d µpt", c.Member, q, m.points)
	}
	e.sellUnits(x, q, e.rules.p.Points.SellFeeBP, ledger.Sell)
	if m.points == 0 {
		e.closeRound(x)
	}
	e.cascade()
	return nil
}

// sellUnits sells q µpt of x's holding at the pool price less fee (bp);
// the fee stays in the pool.
func (e *Engine) sellUnits(x int32, q, fee int64, r ledger.Reason) {
	P, S := e.accounts[ledger.PoolPoints], e.supply
	payout, _ := money.MulDiv3(q, P, money.BP-fee, S, money.BP) // ≤ P: fits
	e.post(e.memberAcct(x, ledger.Points), -q, r)
	e.post(ledger.Platform(ledger.PointsIssued), q, r)
	e.post(ledger.Platform(ledger.PoolPoints), -payout, r)
	e.post(e.memberAcct(x, ledger.Available), payout, r)
	e.supply -= q
	if e.supply == 0 {
		e.refPool, e.refSupply = P, S
	}
}

func (e *Engine) closeRound(x int32) {
	m := &e.members[x]
	m.roundC, m.roundO = 0, 0
	if m.heapPos >= 0 {
		e.heapRemove(int(m.heapPos))
	}
}

// cascade forces out, one at a time, the member with the lowest trigger
// price C/O while it meets the exit condition (§4 "Cascade"). Every exit
// raises the price, so the heap top is the only member that can qualify.
func (e *Engine) cascade() {
	mult := e.rules.p.Points.ExitMultipleBP
	if mult == 0 {
		return
	}
	for len(e.exitHeap) > 0 {
		x := e.exitHeap[0].x
		m := &e.members[x]
		P, S := e.accounts[ledger.PoolPoints], e.supply
		if money.Mul3(m.roundO, P, money.BP).Cmp(money.Mul3(mult, m.roundC, S)) < 0 {
			return
		}
		e.sellUnits(x, m.points, e.rules.p.Points.ExitFeeBP, ledger.Exit)
		m.exits++
		e.closeRound(x)
	}
}

// The exit heap is a binary min-heap of members with an open round, by
// trigger price C/O, ties by join order; heapPos indexes into it. Entries
// carry their key, so a sift reads only the heap, not the members.
type heapEntry struct {
	c, o int64
	x    int32
}

func (e *Engine) heapLess(i, j int) bool {
	a, b := &e.exitHeap[i], &e.exitHeap[j]
	// C_a/O_a < C_b/O_b  ⇔  C_a·O_b < C_b·O_a
	if money.Less128(a.c, b.o, b.c, a.o) {
		return true
	}
	if money.Less128(b.c, a.o, a.c, b.o) {
		return false
	}
	return a.x < b.x
}

func (e *Engine) heapSwap(i, j int) {
	h := e.exitHeap
	h[i], h[j] = h[j], h[i]
	e.members[h[i].x].heapPos = int32(i)
	e.members[h[j].x].heapPos = int32(j)
}

func (e *Engine) heapUp(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !e.heapLess(i, p) {
			return
		}
		e.heapSwap(i, p)
		i = p
	}
}

func (e *Engine) heapDown(i int) bool {
	start := i
	n := len(e.exitHeap)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && e.heapLess(r, l) {
			c = r
		}
		if !e.heapLess(c, i) {
			break
		}
		e.heapSwap(i, c)
		i = c
	}
	return i > start
}

// heapSet files x under its current round, or re-files it after the round
// changed.
func (e *Engine) heapSet(x int32) {
	m := &e.members[x]
	ent := heapEntry{c: m.roundC, o: m.roundO, x: x}
	if m.heapPos < 0 {
		e.exitHeap = append(e.exitHeap, ent)
		i := len(e.exitHeap) - 1
		m.heapPos = int32(i)
		e.heapUp(i)
		return
	}
	i := int(m.heapPos)
	e.exitHeap[i] = ent
	if !e.heapDown(i) {
		e.heapUp(i)
	}
}

func (e *Engine) heapRemove(i int) {
	n := len(e.exitHeap) - 1
	x := e.exitHeap[i].x
	if i != n {
		e.heapSwap(i, n)
	}
	e.exitHeap = e.exitHeap[:n]
	e.members[x].heapPos = -1
	if i != n && !e.heapDown(i) {
		e.heapUp(i)
	}
}
