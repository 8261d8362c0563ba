package sim

import (
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// Static SVG copies of the main charts, for documents and slides. Floats
// here are presentation only.

var palette = []string{"#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4"}

type svgSeries struct {
	name string
	ys   []float64
}

const svgW, svgH, padL, padR, padT, padB = 800.0, 400.0, 80.0, 20.0, 50.0, 60.0

func svgHead(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", svgW, svgH, svgW, svgH)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="#fff"/><text x="%g" y="22" font-size="15" text-anchor="middle">%s</text>`+"\n", svgW/2, html.EscapeString(title))
}

func niceNum(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%.3gB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.4g", v)
}

// yAxis draws horizontal grid lines and labels, and returns the mapping.
func yAxis(b *strings.Builder, lo, hi float64) func(float64) float64 {
	if hi <= lo {
		hi = lo + 1
	}
	y := func(v float64) float64 { return padT + (svgH-padT-padB)*(1-(v-lo)/(hi-lo)) }
	for i := 0; i <= 5; i++ {
		v := lo + (hi-lo)*float64(i)/5
		fmt.Fprintf(b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e5e5e5"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`+"\n",
			padL, svgW-padR, y(v), y(v), padL-6, y(v)+4, niceNum(v))
	}
	return y
}

func legend(b *strings.Builder, names []string) {
	x := padL
	for i, n := range names {
		fmt.Fprintf(b, `<rect x="%g" y="32" width="12" height="8" fill="%s"/><text x="%g" y="40">%s</text>`+"\n", x, palette[i%len(palette)], x+16, html.EscapeString(n))
		x += 24 + 7*float64(len([]rune(n)))
	}
}

func lineSVG(title, xLabel string, series []svgSeries) string {
	var b strings.Builder
	svgHead(&b, title)
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, s := range series {
		n = max(n, len(s.ys))
		for _, v := range s.ys {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if n == 0 {
		lo, hi = 0, 1
	}
	lo = math.Min(lo, 0)
	y := yAxis(&b, lo, hi)
	x := func(i int) float64 { return padL + (svgW-padL-padR)*float64(i)/float64(max(n-1, 1)) }
	for i := 0; i <= 4; i++ {
		k := i * max(n-1, 0) / 4
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%d</text>`+"\n", x(k), svgH-padB+16, k)
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", (svgW+padL)/2, svgH-padB+36, html.EscapeString(xLabel))
	var names []string
	for si, s := range series {
		names = append(names, s.name)
		var pts strings.Builder
		for i, v := range s.ys {
			fmt.Fprintf(&pts, "%.1f,%.1f ", x(i), y(v))
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", palette[si%len(palette)], strings.TrimSpace(pts.String()))
	}
	legend(&b, names)
	b.WriteString("</svg>\n")
	return b.String()
}

// barSVG draws groups of bars: one bar per series at each label.
func barSVG(title string, labels []string, series []svgSeries) string {
	var b strings.Builder
	svgHead(&b, title)
	lo, hi := 0.0, 0.0
	for _, s := range series {
		for _, v := range s.ys {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	y := yAxis(&b, lo, hi)
	slot := (svgW - padL - padR) / float64(max(len(labels), 1))
	bw := slot * 0.8 / float64(max(len(series), 1))
	var names []string
	for si, s := range series {
		names = append(names, s.name)
		for i, v := range s.ys {
			x := padL + slot*float64(i) + slot*0.1 + bw*float64(si)
			top, bot := y(math.Max(v, 0)), y(math.Min(v, 0))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, top, bw, bot-top, palette[si%len(palette)])
		}
	}
	for i, l := range labels {
		x := padL + slot*(float64(i)+0.5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="end" transform="rotate(-30 %.1f %g)">%s</text>`+"\n", x, svgH-padB+14, x, svgH-padB+14, html.EscapeString(l))
	}
	legend(&b, names)
	b.WriteString("</svg>\n")
	return b.String()
}

// WriteCharts writes SVG copies of the main charts into dir: one line per
// plan where runs are compared.
func WriteCharts(dir string, runs ...*Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ds := make([]runData, len(runs))
	for i, r := range runs {
		ds[i] = newRunData(r)
	}
	over := func(f func(d *runData) []float64) []svgSeries {
		var ss []svgSeries
		for i := range ds {
			ss = append(ss, svgSeries{ds[i].Plan, f(&ds[i])})
		}
		return ss
	}
	files := map[string]string{
		"price.svg":   lineSVG("Points price (¥ per point)", "day", over(func(d *runData) []float64 { return d.Price })),
		"pool.svg":    lineSVG("Points pool (¥)", "day", over(func(d *runData) []float64 { return d.Pool })),
		"supply.svg":  lineSVG("Points supply (points)", "day", over(func(d *runData) []float64 { return d.Supply })),
		"members.svg": lineSVG("Members", "day", over(func(d *runData) []float64 { return toF(d.Members) })),
	}
	var hLabels, cLabels []string
	for _, h := range runs[0].Summary.NetHistogram {
		hLabels = append(hLabels, h.Label)
	}
	for _, c := range runs[0].Summary.Cohorts {
		cLabels = append(cLabels, fmt.Sprintf("d%d–%d", c.FromDay, c.ToDay))
	}
	var hist, cohortMedian, cohortLost []svgSeries
	for _, r := range runs {
		var hv, cm, cl []float64
		for _, h := range r.Summary.NetHistogram {
			hv = append(hv, float64(h.Members))
		}
		for _, c := range r.Summary.Cohorts {
			cm = append(cm, float64(c.MedianNetFen)/100)
			cl = append(cl, float64(c.LostBP)/100)
		}
		hist = append(hist, svgSeries{r.PlanName, hv})
		cohortMedian = append(cohortMedian, svgSeries{r.PlanName, cm})
		cohortLost = append(cohortLost, svgSeries{r.PlanName, cl})
	}
	files["net_distribution.svg"] = barSVG("Members by net result (¥)", hLabels, hist)
	files["cohort_median_net.svg"] = barSVG("Median net result by join cohort (¥)", cLabels, cohortMedian)
	files["cohort_lost_share.svg"] = barSVG("Members who lost money by join cohort (%)", cLabels, cohortLost)
	for i := range ds {
		suffix := ""
		if len(ds) > 1 {
			suffix = fmt.Sprintf("_%d", i+1)
		}
		var pay []svgSeries
		for _, k := range ds[i].PayoutKinds {
			pay = append(pay, svgSeries{k, cumulative(ds[i].Payouts[k])})
		}
		files["payouts"+suffix+".svg"] = lineSVG("Cumulative payouts by kind (¥): "+ds[i].Plan, "day", pay)
		var sl []string
		var sv []float64
		for _, s := range ds[i].Spending {
			sl = append(sl, s.Name)
			sv = append(sv, s.Value)
		}
		files["spending"+suffix+".svg"] = barSVG("Where members' spending went (¥): "+ds[i].Plan, sl, []svgSeries{{"¥", sv}})
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("sim: chart: %w", err)
		}
	}
	return nil
}

func toF(v []int64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func cumulative(v []float64) []float64 {
	out := make([]float64, len(v))
	s := 0.0
	for i, x := range v {
		s += x
		out[i] = s
	}
	return out
}
