package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
)

// BenchmarkOrderLifecycle drives the real HTTP server over loopback with
// many concurrent clients, each running full order lifecycles: create (pickup
// at a service point) → pay by wallet balance → pickup verification by the
// service point's staff, which settles the order (return window 0). It
// reports settled orders per second and the p50/p99 request latency.
//
//	go test -run '^$' -bench OrderLifecycle -benchtime 20000x ./internal/api/
//	GREENMALL_TEST_PG=postgres://postgres@127.0.0.1:5432/test go test -run '^$' -bench OrderLifecycle/postgres -benchtime 20000x ./internal/api/
//
// GREENMALL_BENCH_CLIENTS sets the number of clients (64 by default).
func BenchmarkOrderLifecycle(b *testing.B) {
	kinds := []string{"sqlite"}
	if os.Getenv("GREENMALL_TEST_PG") != "" {
		kinds = append(kinds, "postgres")
	}
	for _, kind := range kinds {
		b.Run(kind, func(b *testing.B) { benchLifecycle(b, kind) })
	}
}

func benchLifecycle(b *testing.B, kind string) {
	ctx := context.Background()
	p := plan.Default()
	p.Platform.ReturnWindowDays = 0
	p.InviteRequiresActive = false
	ts := newBenchServer(b, kind, p)
	clients := 64
	if v := os.Getenv("GREENMALL_BENCH_CLIENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("GREENMALL_BENCH_CLIENTS=%q: want a positive number", v)
		}
		clients = n
	}
	submit := func(actor string, c platform.Cmd) map[string]any {
		res, err := ts.Seq.Submit(ctx, actor, "", c)
		if err != nil {
			b.Fatalf("%s: %v", c.Kind(), err)
		}
		var m map[string]any
		if err := json.Unmarshal(res, &m); err != nil {
			b.Fatalf("%s answer: %v", c.Kind(), err)
		}
		return m
	}
	hash := HashPassword("password1")
	root := submit("sys", platform.Register{Phone: "13000000000", PasswordHash: hash, Code: "ROOT0000"})["id"].(string)
	prod := submit("op:op1", platform.ProductPut{Name: "礼包", PriceFen: 100000, Stock: 1_000_000_000, Profile: "gift", Gift: true, Active: true})["id"].(string)
	sp := submit("op:op1", platform.ServicePointCreate{Name: "店", Owner: root, Region: "110101"})["id"].(string)
	submit("op:op1", platform.StockAllot{ServicePoint: sp, Product: prod, Qty: 500_000_000})
	staffTok := ts.loginMember(b, "13000000000")
	toks := make([]string, clients)
	for i := range toks {
		ph := fmt.Sprintf("1310000%04d", i)
		id := submit("sys", platform.Register{Phone: ph, PasswordHash: hash, Code: fmt.Sprintf("C%07d", i), InvitedBy: "ROOT0000"})["id"].(string)
		submit("gateway", platform.WalletTopUp{Member: id, AmountFen: 100_000_000_000, GatewayTxn: "bench-" + id})
		toks[i] = ts.loginMember(b, ph)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}

	var next atomic.Int64
	var lat []time.Duration
	var latMu sync.Mutex
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(tok string) {
			defer wg.Done()
			local := make([]time.Duration, 0, 3*b.N/clients+3)
			timed := func(method, path, token string, body any, idem string) (int, map[string]any) {
				t0 := time.Now()
				st, m := benchDo(client, ts.URL, method, path, token, body, idem)
				local = append(local, time.Since(t0))
				return st, m
			}
			for next.Add(1) <= int64(b.N) {
				st, o := timed("POST", "/api/orders", tok, map[string]any{"items": []map[string]any{{"product": prod, "qty": 1}}, "pickup": sp}, "")
				if st != 201 {
					failed.Add(1)
					continue
				}
				id, code := o["id"].(string), o["pickup_code"].(string)
				if st, _ := timed("POST", "/api/orders/"+id+"/pay", tok, map[string]any{"method": "wallet"}, "pay-"+id); st != 200 {
					failed.Add(1)
					continue
				}
				if st, _ := timed("POST", "/api/staff/pickup", staffTok, map[string]any{"order": id, "code": code}, "pick-"+id); st != 200 {
					failed.Add(1)
				}
			}
			latMu.Lock()
			lat = append(lat, local...)
			latMu.Unlock()
		}(toks[c])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d lifecycles failed", f)
	}
	slices.Sort(lat)
	pct := func(q float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	settled := 0
	ts.Seq.Read(func(pl *platform.Platform) {
		for _, id := range pl.OrderIDs() {
			if o, _ := pl.Order(id); o.Status == platform.StatusSettled {
				settled++
			}
		}
	})
	if settled < b.N {
		b.Fatalf("%d orders settled, want %d", settled, b.N)
	}
}
