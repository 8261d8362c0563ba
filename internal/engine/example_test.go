package engine

import (
	"fmt"
	"testing"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

func mustApply(t *testing.T, e *Engine, c Command) *ledger.Tx {
	t.Helper()
	res, err := e.Apply(c)
	if err != nil {
		t.Fatalf("%#v: %v", c, err)
	}
	return res.Tx
}

func gift(id, member string) Order {
	return Order{ID: id, Member: member, Profile: "gift", AmountFen: 100000}
}

func (e *Engine) mustMember(t *testing.T, id string) MemberView {
	t.Helper()
	i, ok := e.MemberIndex(id)
	if !ok {
		t.Fatalf("no member %s", id)
	}
	return e.Member(i)
}

// TestBusinessModelExample walks the business model's worked example (the
// golden seed, shared/spec/golden/README.md) with the numbers spelled out.
func TestBusinessModelExample(t *testing.T) {
	e := New(plan.Default(), Options{KeepTransactions: true})
	join := func(i int) {
		c := Join{ID: fmt.Sprintf("m%d", i)}
		if i > 1 {
			c.Referrer, c.HasReferrer = fmt.Sprintf("m%d", (i+1)/3), true
		}
		mustApply(t, e, c)
	}

	// Three ¥1000 gift orders. Each puts part(100000, 3000) = 30000 fen in
	// the pool; 70 % of it, 21000 fen, buys points at the price before.
	//   1st: S = 0, so the reference price ¥1: 21000 × 10^6 / 100 = 210 points.
	//   2nd: 21000 × 210e6 / 30000 = 147 points.
	//   3rd: 21000 × 357e6 / 60000 = 124.95 points.
	wantUnits := []int64{210_000_000, 147_000_000, 124_950_000}
	wantPrice := []string{"1.4286", "1.6807", "1.8674"}
	for i := 1; i <= 3; i++ {
		join(i)
		mustApply(t, e, gift(fmt.Sprintf("o-m%d", i), fmt.Sprintf("m%d", i)))
		m := e.mustMember(t, fmt.Sprintf("m%d", i))
		if m.PointsUpt != wantUnits[i-1] {
			t.Fatalf("order %d issued %d µpt, want %d", i, m.PointsUpt, wantUnits[i-1])
		}
		pool := e.Pool()
		if got := money.FormatYuanPerPoint(pool.PoolFen, pool.SupplyUpt); got != wantPrice[i-1] {
			t.Fatalf("price after order %d = ¥%s, want ¥%s", i, got, wantPrice[i-1])
		}
	}
	if p := e.Pool().PoolFen; p != 90000 {
		t.Fatalf("pool = %d fen, want 90000 (¥900)", p)
	}

	// Continue the ternary tree until m1's 210 points are worth 3 × ¥1000.
	// The exit is checked after every settlement: the first order after
	// which 210e6 × P / S ≥ 300000 forces m1 out at the 20 % exit fee.
	worth := func(h int64) int64 {
		p := e.Pool()
		v, _ := money.MulDiv3(h, p.PoolFen, 1, p.SupplyUpt, 1)
		return v
	}
	var exitTx *ledger.Tx
	i := 4
	for ; ; i++ {
		before := e.Pool()
		if worth(210_000_000) >= 300000 {
			t.Fatalf("m1 should have been forced out already")
		}
		join(i)
		tx := mustApply(t, e, gift(fmt.Sprintf("o-m%d", i), fmt.Sprintf("m%d", i)))
		if e.mustMember(t, "m1").Exits == 1 {
			exitTx = tx
			// Before: P = 88920000, S = 62248282782 (golden README, line 5930).
			if before.PoolFen != 88920000 || before.SupplyUpt != 62248282782 {
				t.Fatalf("before the exit P=%d S=%d", before.PoolFen, before.SupplyUpt)
			}
			break
		}
		if i > 4000 {
			t.Fatal("m1 never exited")
		}
	}
	if i != 2965 {
		t.Fatalf("m1 exited at order %d, want the 2965th", i)
	}
	// After the 2965th order P = 88950000, S = 62262983793: m1's points are
	// worth floor(210e6 × 88950000 / 62262983793) = 300009 ≥ 300000. It is
	// paid 80 %: floor(210e6 × 88950000 × 8000 / (62262983793 × 10000)) = 240007.
	var payout int64
	for _, p := range exitTx.Postings {
		if p.Reason == ledger.Exit && p.Account.Kind == ledger.Available {
			payout = p.Amount
		}
	}
	if payout != 240007 {
		t.Fatalf("m1's exit paid %d fen, want 240007", payout)
	}
	m1 := e.mustMember(t, "m1")
	if m1.PointsUpt != 0 || m1.RoundCFen != 0 || m1.RoundOUpt != 0 {
		t.Fatalf("m1's round should be closed: %+v", m1)
	}
	if p := e.Pool(); p.PoolFen != 88709993 || p.SupplyUpt != 62052983793 {
		t.Fatalf("after the exit P=%d S=%d, want 88709993 and 62052983793", p.PoolFen, p.SupplyUpt)
	}

	// A voluntary sell of 100 points by m2 pays 80 % of their worth; the
	// 20 % fee stays in the pool, so the price rises (1429.58 → 1430.05 fen).
	before := e.Pool()
	w := worth(100_000_000)
	m2 := e.mustMember(t, "m2")
	mustApply(t, e, Sell{Member: "m2", Upt: 100_000_000})
	got := e.mustMember(t, "m2").Available - m2.Available
	if got != 114366 || got != money.Part(w, 8000) {
		t.Fatalf("sell paid %d, want 114366 = 80 %% of %d", got, w)
	}
	after := e.Pool()
	if after.PoolFen != before.PoolFen-got {
		t.Fatalf("the fee should stay in the pool")
	}
	if !money.Less128(before.PoolFen, after.SupplyUpt, after.PoolFen, before.SupplyUpt) {
		t.Fatalf("price did not rise: %d/%d → %d/%d", before.PoolFen, before.SupplyUpt, after.PoolFen, after.SupplyUpt)
	}
	if m := e.mustMember(t, "m2"); m.RoundCFen != 100000 || m.RoundOUpt != 147_000_000 {
		t.Fatalf("a partial sell must leave the round alone: %+v", m)
	}
	// m3 sells everything: 142947 fen, and its round closes.
	m3 := e.mustMember(t, "m3")
	mustApply(t, e, Sell{Member: "m3", All: true})
	if m := e.mustMember(t, "m3"); m.Available-m3.Available != 142947 || m.RoundOUpt != 0 || m.RoundCFen != 0 || m.Exits != 0 {
		t.Fatalf("m3 after selling all 124950000 µpt: paid %d, want 142947; %+v", m.Available-m3.Available, m)
	}

	// The transaction list: one balanced transaction per order and sell
	// (joins move nothing), numbered by accepted command.
	txs := e.Transactions()
	if len(txs) != 2965+2 {
		t.Fatalf("%d transactions, want 2967", len(txs))
	}
	for i, tx := range txs {
		if err := tx.Check(); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
		if i > 0 && tx.Seq <= txs[i-1].Seq {
			t.Fatalf("transactions out of order at %d", i)
		}
	}
	if last := txs[len(txs)-1]; last.Seq != 2*2965+2 {
		t.Fatalf("last transaction is command %d, want %d", last.Seq, 2*2965+2)
	}
}
