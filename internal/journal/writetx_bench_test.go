package journal

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// BenchmarkWriteTx measures the committer's own work: writing the journal
// entries and read-model rows of order lifecycles (create → pay by wallet →
// pickup, 64 members interleaved) in transactions of about 18 commands, as
// the HTTP benchmark's commits carry. The batches are made before the timer
// starts, and the syncs (another goroutine's work in the server) are not
// timed, so the figure is the single writer's cost per settled order.
//
//	go test -run '^$' -bench WriteTx -benchtime 20000x ./internal/journal/
func BenchmarkWriteTx(b *testing.B) {
	dbs := testDBs(b)
	for _, name := range []string{"sqlite", "postgres"} {
		if open, ok := dbs[name]; ok {
			b.Run(name, func(b *testing.B) { benchWriteTx(b, open(b)) })
		}
	}
}

func benchWriteTx(b *testing.B, db *store.DB) {
	ctx := context.Background()
	p := platform.New(benchPlan())
	var seq int64
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	var batch store.Batch
	apply := func(actor, idem string, c platform.Cmd) map[string]any {
		seq++
		at++
		res, err := p.Apply(seq, at, actor, c)
		if err != nil {
			b.Fatalf("%s: %v", c.Kind(), err)
		}
		env, err := platform.Seal(c, at, actor)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := json.Marshal(res)
		batch.Entries = append(batch.Entries, store.Entry{Seq: seq, Env: env, Idem: idem, Result: string(raw)})
		var m map[string]any
		json.Unmarshal(raw, &m) //nolint:errcheck // nil answers leave m nil
		return m
	}
	take := func() *store.Batch {
		fx := p.TakeEffects()
		out := &store.Batch{Entries: batch.Entries, Rows: rowsOf(p, &fx)}
		batch = store.Batch{}
		return out
	}
	const members = 64
	root, prod, sp, ids := benchSetup(members, func(actor string, c platform.Cmd) map[string]any { return apply(actor, "", c) })
	if err := db.Commit(ctx, take()); err != nil {
		b.Fatal(err)
	}

	// Each member runs its lifecycles one step at a time, round robin: a
	// transaction holds 3 applied batches of 6 commands, every member's
	// step landing in a different one, as concurrent clients' do.
	const perBatch, perTx = 6, 3
	order := make([]string, members)
	step := make([]int, members)
	var txs [][]*store.Batch
	var cur []*store.Batch
	settled, m := 0, 0
	for settled < b.N {
		for k := 0; k < perBatch && settled < b.N; k++ {
			i := m % members
			m++
			switch step[i] {
			case 0:
				order[i] = apply("m:"+ids[i], "", platform.OrderCreate{Member: ids[i], Items: []platform.Item{{Product: prod, Qty: 1}}, Pickup: sp, PickupCode: "123456"})["id"].(string)
			case 1:
				apply("m:"+ids[i], "m:"+ids[i]+"|pay-"+order[i], platform.OrderPay{Order: order[i], Method: "wallet"})
			case 2:
				apply("m:"+root, "m:"+root+"|pick-"+order[i], platform.OrderPickup{Order: order[i], Code: "123456", Staff: root})
				settled++
			}
			step[i] = (step[i] + 1) % 3
		}
		cur = append(cur, take())
		if len(cur) == perTx {
			txs = append(txs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		txs = append(txs, cur)
	}

	cmds := 0
	for _, tx := range txs {
		for _, bt := range tx {
			cmds += len(bt.Entries)
		}
	}
	b.ResetTimer()
	for _, tx := range txs {
		wtx, err := db.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, bt := range tx {
			if err := wtx.Add(ctx, bt); err != nil {
				b.Fatal(err)
			}
		}
		if err := wtx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := db.Sync(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(cmds)/float64(len(txs)), "cmds/commit")
}
