package engine

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
)

// population is an engine with n members who each joined under a referrer
// and bought the gift package, and the heap bytes it holds per member.
type population struct {
	e         *Engine
	ids       []string // member ids by index, as a server holds them
	n         int
	perMember float64
	rng       *rand.Rand
	seq       int
}

// buildPopulation grows a referral tree as real networks grow: a new member
// is referred by an existing one chosen by preferential attachment (a
// member who refers more is more likely to refer again), so a few members
// bring thousands and most bring none. With deep set, each member refers
// the next: a chain n deep.
func buildPopulation(p *plan.Plan, n int, deep bool) *population {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	e := New(p, Options{SkipOrderIDs: true})
	rng := rand.New(rand.NewPCG(7, 11))
	// endpoints holds one entry per member plus one per referral it made:
	// sampling it uniformly is preferential attachment.
	endpoints := make([]int32, 0, 2*n)
	for i := 0; i < n; i++ {
		id := "u" + strconv.Itoa(i)
		c := Join{ID: id}
		if i > 0 {
			var ref int32
			if deep {
				ref = int32(i - 1)
			} else {
				ref = endpoints[rng.IntN(len(endpoints))]
			}
			c.Referrer, c.HasReferrer = "u"+strconv.Itoa(int(ref)), true
			endpoints = append(endpoints, ref)
		}
		if _, err := e.Apply(c); err != nil {
			panic(err)
		}
		if _, err := e.Apply(Order{ID: "g" + id, Member: id, Profile: "gift", AmountFen: 100000, Region: "110101", HasRegion: true}); err != nil {
			panic(err)
		}
		endpoints = append(endpoints, int32(i))
	}
	endpoints = nil
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = e.Member(int32(i)).ID
	}
	return &population{e: e, ids: ids, n: n, rng: rng, perMember: float64(after.HeapAlloc-before.HeapAlloc) / float64(n)}
}

var (
	popOnce  sync.Once
	popLarge *population
)

// mixCommand returns the next command of the default plan's mix: per 1000
// commands 400 gift and 500 retail orders and 100 sells, and a period close
// once per million commands (a platform closes daily). pick chooses the
// buyer or seller.
func (p *population) mixCommand(pick func() int) Command {
	p.seq++
	k := p.seq % 1000
	m := p.ids[pick()]
	id := "b" + strconv.Itoa(p.seq)
	switch {
	case p.seq%1_000_000 == 0:
		return PeriodClose{Period: id}
	case k%10 == 9:
		return Sell{Member: m, All: k%20 == 19, Upt: 1_000_000}
	case k%10 < 4:
		return Order{ID: id, Member: m, Profile: "gift", AmountFen: 100000, Region: "110101", HasRegion: true}
	default:
		return Order{ID: id, Member: m, Profile: "retail", AmountFen: 29900, Region: "310104", HasRegion: true}
	}
}

func (p *population) run(b *testing.B, pick func() int) {
	b.ReportAllocs()
	orders := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := p.mixCommand(pick)
		if _, err := p.e.Apply(cmd); err != nil && !errors.Is(err, ErrRejected) {
			b.Fatal(err)
		} else if _, ok := cmd.(Order); ok && err == nil {
			orders++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(p.perMember, "B/member")
}

// BenchmarkSettle1M settles the default plan's mix over 1,000,000 members.
//
//	go test -run '^$' -bench Settle1M -benchtime 2000000x ./internal/engine/
func BenchmarkSettle1M(b *testing.B) {
	popOnce.Do(func() { popLarge = buildPopulation(plan.Default(), 1_000_000, false) })
	p := popLarge
	p.run(b, func() int { return p.rng.IntN(p.n) })
}

// BenchmarkDeepChain settles the same mix by the members at the bottom of
// a chain 100,000 deep: compare its ns/op with BenchmarkSettle1M's.
//
//	go test -run '^$' -bench DeepChain -benchtime 20000x ./internal/engine/
func BenchmarkDeepChain(b *testing.B) {
	p := buildPopulation(plan.Default(), 100_000, true)
	p.run(b, func() int { return p.n - 1 - p.rng.IntN(10) })
}

// BenchmarkDeepChainNoTeamRules is BenchmarkDeepChain under the default
// plan less its team_size and team_sales_fen conditions: then no rule needs
// every ancestor, and an order costs the same at any depth.
//
//	go test -run '^$' -bench DeepChainNoTeamRules -benchtime 1000000x ./internal/engine/
func BenchmarkDeepChainNoTeamRules(b *testing.B) {
	pl := plan.Default()
	for i := range pl.Levels {
		if c := pl.Levels[i].Conditions; c != nil {
			c.TeamSize, c.TeamSalesFen = 0, 0
		}
	}
	p := buildPopulation(pl, 100_000, true)
	p.run(b, func() int { return p.n - 1 - p.rng.IntN(10) })
}
