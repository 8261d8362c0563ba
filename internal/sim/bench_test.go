package sim

import (
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
)

// BenchmarkSim1M runs testdata/speed-1m.yaml (1,000,100 members, about
// 10,000,000 orders) under the default plan, outputs excluded:
//
//	go test -run '^$' -bench Sim1M -benchtime 1x -cpu 1 ./internal/sim/
func BenchmarkSim1M(b *testing.B) {
	benchScenario(b, "testdata/speed-1m.yaml", 0)
}

// BenchmarkSim100k is the same population shape at a tenth of the size.
func BenchmarkSim100k(b *testing.B) {
	benchScenario(b, "testdata/speed-1m.yaml", 100_000)
}

func benchScenario(b *testing.B, path string, total int) {
	sc := loadScenario(b, path)
	if total > 0 {
		sc.Population.Total = total
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		run, err := Simulate(plan.Default(), "default", sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start).Seconds()
		b.ReportMetric(float64(run.Summary.Members), "members")
		b.ReportMetric(float64(run.Summary.Orders), "orders")
		b.ReportMetric(float64(run.Summary.Orders)/el, "orders/s")
		b.ReportMetric(el, "s/run")
	}
}
