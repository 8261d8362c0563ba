package journal

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// BenchmarkSequencerLifecycle runs full order lifecycles (create → pay by
// wallet → pickup, which settles) straight into the sequencer from many
// goroutines, without HTTP: the capacity of the write path alone (state
// machine, group commit, read models).
//
//	go test -run '^$' -bench SequencerLifecycle -benchtime 20000x ./internal/journal/
func BenchmarkSequencerLifecycle(b *testing.B) {
	dbs := testDBs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if open, ok := dbs[name]; ok {
			b.Run(name, func(b *testing.B) { benchSequencer(b, open(b)) })
		}
	}
}

func benchSequencer(b *testing.B, db *store.DB) {
	ctx := context.Background()
	s, err := Open(ctx, db, Config{Plan: benchPlan()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	do := func(actor string, c platform.Cmd) map[string]any {
		res, err := s.Submit(ctx, actor, "", c)
		if err != nil {
			b.Fatalf("%s: %v", c.Kind(), err)
		}
		var m map[string]any
		json.Unmarshal(res, &m) //nolint:errcheck // nil answers leave m nil
		return m
	}
	root, prod, sp, members := benchSetup(64, do)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for _, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				o := do("m:"+m, platform.OrderCreate{Member: m, Items: []platform.Item{{Product: prod, Qty: 1}}, Pickup: sp, PickupCode: "123456"})["id"].(string)
				do("m:"+m, platform.OrderPay{Order: o, Method: "wallet"})
				do("m:"+root, platform.OrderPickup{Order: o, Code: "123456", Staff: root})
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
}

// benchPlan is the lifecycle benchmarks' plan: an order settles at pickup,
// and anybody may invite.
func benchPlan() *plan.Plan {
	p := plan.Default()
	p.Platform.ReturnWindowDays = 0
	p.InviteRequiresActive = false
	return p
}

// benchSetup makes, through do, the lifecycle benchmarks' platform: a root
// member who runs a service point stocked with a gift package, and n
// members invited by the root with money in their wallets.
func benchSetup(n int, do func(actor string, c platform.Cmd) map[string]any) (root, prod, sp string, members []string) {
	root = do("sys", platform.Register{Phone: "13000000000", PasswordHash: "h", Code: "ROOT0000"})["id"].(string)
	prod = do("op:op1", platform.ProductPut{Name: "礼包", PriceFen: 100000, Stock: 1_000_000_000, Profile: "gift", Gift: true, Active: true})["id"].(string)
	sp = do("op:op1", platform.ServicePointCreate{Name: "店", Owner: root, Region: "110101"})["id"].(string)
	do("op:op1", platform.StockAllot{ServicePoint: sp, Product: prod, Qty: 500_000_000})
	members = make([]string, n)
	for i := range members {
		members[i] = do("sys", platform.Register{Phone: fmt.Sprintf("1310000%04d", i), PasswordHash: "h",
			Code: fmt.Sprintf("C%07d", i), InvitedBy: "ROOT0000"})["id"].(string)
		do("gateway", platform.WalletTopUp{Member: members[i], AmountFen: 100_000_000_000, GatewayTxn: "bench-" + members[i]})
	}
	return root, prod, sp, members
}
