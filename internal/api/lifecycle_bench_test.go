package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"
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
// GREENMALL_BENCH_CLIENTS sets the number of clients (128 by default);
// GREENMALL_BENCH_CPUPROFILE names a file for a CPU profile of the timed
// part. Each client is one keep-alive connection driven by benchConn.
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
	clients := 128
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
	conns := make([]*benchConn, clients)
	for i := range conns {
		c, err := dialBench(ts.URL)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	createBody := fmt.Appendf(nil, `{"items":[{"product":%q,"qty":1}],"pickup":%q}`, prod, sp)
	payBody := []byte(`{"method":"wallet"}`)

	var next atomic.Int64
	var lat []time.Duration
	var latMu sync.Mutex
	var failed atomic.Int64
	var firstErr atomic.Value
	b.ResetTimer()
	if f := os.Getenv("GREENMALL_BENCH_CPUPROFILE"); f != "" {
		// The timed part only, without the setup's password hashing.
		pf, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	cpu0 := cpuTime()
	commits0, entries0 := ts.obs.commits.Load(), ts.obs.entries.Load()
	start := time.Now()
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(bc *benchConn, tok string) {
			defer wg.Done()
			local := make([]time.Duration, 0, 3*b.N/clients+3)
			var pickBody []byte
			// timed sends one request and reports whether it got want.
			timed := func(path, token, idem string, body []byte, want int) []byte {
				t0 := time.Now()
				st, res, err := bc.do("POST", path, token, idem, body)
				local = append(local, time.Since(t0))
				if err != nil || st != want {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s: %d %v %s", path, st, err, res))
					return nil
				}
				return res
			}
			for next.Add(1) <= int64(b.N) {
				res := timed("/api/orders", tok, "", createBody, 201)
				var o struct {
					ID         string `json:"id"`
					PickupCode string `json:"pickup_code"`
				}
				if res == nil || json.Unmarshal(res, &o) != nil {
					continue
				}
				if timed("/api/orders/"+o.ID+"/pay", tok, "pay-"+o.ID, payBody, 200) == nil {
					continue
				}
				pickBody = fmt.Appendf(pickBody[:0], `{"order":%q,"code":%q}`, o.ID, o.PickupCode)
				timed("/api/staff/pickup", staffTok, "pick-"+o.ID, pickBody, 200)
			}
			latMu.Lock()
			lat = append(lat, local...)
			latMu.Unlock()
		}(conns[c], toks[c])
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	commits, entries := ts.obs.commits.Load()-commits0, ts.obs.entries.Load()-entries0
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d lifecycles failed; the first: %v", f, firstErr.Load())
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
	// What the whole process (server and load generator) spent per order,
	// and how many commands each group commit carried.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/order")
	if commits > 0 {
		b.ReportMetric(float64(entries)/float64(commits), "cmds/commit")
	}
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
