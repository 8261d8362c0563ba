package engine

import (
	"errors"
	"testing"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/plan"
)

// The platform server's payment flow: money waits in platform:escrow from
// payment to settlement or refund, and a withdrawal's fee stays with the
// platform.
func TestEscrowAndWithdrawalFee(t *testing.T) {
	e := New(plan.Default(), Options{})
	mustApply(t, e, Join{ID: "a"})
	mustApply(t, e, Pay{Order: "o1", Member: "a", AmountFen: 100000})
	esc := ledger.Platform(ledger.PlatformEscrow)
	ext := ledger.Platform(ledger.ExternalPayments)
	if got := e.Balance(esc); got != 100000 {
		t.Fatalf("escrow after pay = %d, want 100000", got)
	}
	if got := e.Balance(ext); got != -100000 {
		t.Fatalf("external:payments after pay = %d, want -100000", got)
	}
	// Settling more than the escrow holds is refused, with nothing changed.
	if _, err := e.Apply(Order{ID: "o0", Member: "a", Profile: "gift", AmountFen: 100001, Escrowed: true}); !errors.Is(err, ErrRejected) {
		t.Fatalf("order above escrow: err = %v, want rejection", err)
	}
	mustApply(t, e, Order{ID: "o1", Member: "a", Profile: "gift", AmountFen: 100000, Escrowed: true})
	if got := e.Balance(esc); got != 0 {
		t.Fatalf("escrow after settlement = %d, want 0", got)
	}
	if got := e.Balance(ext); got != -100000 {
		t.Fatalf("external:payments after settlement = %d, want -100000 (paid once)", got)
	}

	// A refund to the wallet, then a wallet payment from that balance.
	mustApply(t, e, Pay{Order: "o2", Member: "a", AmountFen: 5000})
	mustApply(t, e, Refund{Order: "o2", Member: "a", AmountFen: 5000, ToWallet: true})
	av := ledger.Account{Member: 0, Kind: ledger.Available}
	before := e.Balance(av)
	if before < 5000 {
		t.Fatalf("available after refund = %d, want ≥ 5000", before)
	}
	if _, err := e.Apply(Pay{Order: "o3", Member: "a", AmountFen: before + 1, FromWallet: true}); !errors.Is(err, ErrRejected) {
		t.Fatalf("wallet pay above balance: err = %v, want rejection", err)
	}
	mustApply(t, e, Pay{Order: "o3", Member: "a", AmountFen: 4000, FromWallet: true})
	if got := e.Balance(av); got != before-4000 {
		t.Fatalf("available after wallet pay = %d, want %d", got, before-4000)
	}
	if _, err := e.Apply(Refund{Order: "o3", Member: "a", AmountFen: 4001}); !errors.Is(err, ErrRejected) {
		t.Fatalf("refund above escrow: err = %v, want rejection", err)
	}

	// Withdrawal with a fee: the member gives up the amount, the outside
	// receives amount − fee, the platform keeps the fee.
	avail := e.Balance(av)
	if _, err := e.Apply(Withdraw{ID: "w0", Member: "a", AmountFen: 100, FeeFen: 100}); !errors.Is(err, ErrRejected) {
		t.Fatalf("fee equal to amount: err = %v, want rejection", err)
	}
	mustApply(t, e, Withdraw{ID: "w1", Member: "a", AmountFen: 1000, FeeFen: 30})
	tx := mustApply(t, e, WithdrawApprove{ID: "w1"})
	if err := tx.Check(); err != nil {
		t.Fatal(err)
	}
	if got := e.Balance(ledger.Platform(ledger.ExternalWithdrawals)); got != 970 {
		t.Fatalf("external:withdrawals = %d, want 970", got)
	}
	if got := e.Balance(ledger.Platform(ledger.PlatformFees)); got != 30 {
		t.Fatalf("platform:fees = %d, want 30", got)
	}
	if got := e.Balance(av); got != avail-1000 {
		t.Fatalf("available = %d, want %d", got, avail-1000)
	}
}

func TestTopUp(t *testing.T) {
	e := New(plan.Default(), Options{})
	mustApply(t, e, Join{ID: "a"})
	if _, err := e.Apply(TopUp{Member: "a", AmountFen: 0}); !errors.Is(err, ErrRejected) {
		t.Fatalf("top up of 0: %v", err)
	}
	tx := mustApply(t, e, TopUp{Member: "a", AmountFen: 2500})
	if err := tx.Check(); err != nil {
		t.Fatal(err)
	}
	if got := e.Balance(ledger.Account{Member: 0, Kind: ledger.Available}); got != 2500 {
		t.Fatalf("available = %d, want 2500", got)
	}
	if got := e.Balance(ledger.Platform(ledger.ExternalPayments)); got != -2500 {
		t.Fatalf("external:payments = %d, want -2500", got)
	}
}
