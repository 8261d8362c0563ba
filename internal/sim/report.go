package sim

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"slices"
	"strings"
)

// ECharts 5 (Apache-2.0, assets/LICENSE-echarts), inlined into every report
// so that it opens offline.
//
//go:embed assets/echarts.min.js
var echartsJS string

//go:embed assets/report.js
var reportJS string

//go:embed assets/report.css
var reportCSS string

// reportData is what the page's script draws. Floats here are for
// presentation only (yuan, points and percentages on chart axes); the
// settlement and summary.json stay integer.
type reportData struct {
	Runs []runData `json:"runs"`
}

type runData struct {
	Plan        string               `json:"plan"`
	Summary     *Summary             `json:"summary"`
	Day         []int                `json:"day"`
	Members     []int64              `json:"members"`
	Agents      []int64              `json:"agents"`
	Bosses      []int64              `json:"bosses"`
	Price       []float64            `json:"price"`  // yuan per point
	Pool        []float64            `json:"pool"`   // yuan
	Supply      []float64            `json:"supply"` // points
	Payouts     map[string][]float64 `json:"payouts"`
	PayoutKinds []string             `json:"payout_kinds"`
	Lorenz      []float64            `json:"lorenz"` // cumulative % of rewards at each % of members, poorest first
	Spending    []nameValue          `json:"spending"`
}

type nameValue struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// spendingLabels are the spending buckets' names in the report.
var spendingLabels = map[string]string{
	"cost": "goods cost 成本", "platform_profit": "platform profit 平台", "points_pool": "points pool 积分池",
	"chain": "chain rewards 链动奖", "team": "level differential 级差", "distribution": "distribution 直推/间推",
	"region": "regional agents 区域", "service_point": "service points 服务点", "dividend_pool": "dividend pool 分红池",
	"shareholder_pool": "shareholder pool 股东池", "other": "other",
}

func newRunData(r *Run) runData {
	d := runData{Plan: r.PlanName, Summary: &r.Summary, Payouts: map[string][]float64{}}
	d.PayoutKinds = append(append([]string{}, RewardKindNames[:]...), "points_cashed")
	for i := range r.Days {
		day := &r.Days[i]
		d.Day = append(d.Day, day.Day)
		d.Members = append(d.Members, day.Members)
		d.Agents = append(d.Agents, day.Agents)
		d.Bosses = append(d.Bosses, day.Bosses)
		price := 0.0
		if day.SupplyUpt > 0 {
			price = float64(day.PoolFen) / 100 / (float64(day.SupplyUpt) / 1e6)
		}
		d.Price = append(d.Price, price)
		d.Pool = append(d.Pool, float64(day.PoolFen)/100)
		d.Supply = append(d.Supply, float64(day.SupplyUpt)/1e6)
		for k, v := range day.Payouts {
			d.Payouts[RewardKindNames[k]] = append(d.Payouts[RewardKindNames[k]], float64(v)/100)
		}
		d.Payouts["points_cashed"] = append(d.Payouts["points_cashed"], float64(day.CashedFen)/100)
	}
	rw := make([]int64, len(r.Members))
	var total int64
	for i := range r.Members {
		rw[i] = r.Members[i].RewardsFen()
		total += rw[i]
	}
	slices.Sort(rw)
	d.Lorenz = make([]float64, 101)
	if total > 0 && len(rw) > 0 {
		var cum int64
		j := 0
		for p := 1; p <= 100; p++ {
			for end := p * len(rw) / 100; j < end; j++ {
				cum += rw[j]
			}
			d.Lorenz[p] = 100 * float64(cum) / float64(total)
		}
	}
	for _, name := range SpendingOrder {
		if v := r.Summary.Spending[name]; v > 0 {
			d.Spending = append(d.Spending, nameValue{spendingLabels[name], float64(v) / 100})
		}
	}
	return d
}

// WriteReport writes the self-contained HTML report of one run, or of
// several runs of the same scenario side by side.
func WriteReport(w io.Writer, runs ...*Run) error {
	if len(runs) == 0 {
		return fmt.Errorf("sim: report of no run")
	}
	data := reportData{}
	for _, r := range runs {
		data.Runs = append(data.Runs, newRunData(r))
	}
	blob, err := json.Marshal(data) // escapes <, > and &: safe inside <script>
	if err != nil {
		return fmt.Errorf("sim: report data: %w", err)
	}
	sc := runs[0].Scenario
	title := "greenmall sim: " + sc.Name
	var plans []string
	for _, r := range runs {
		plans = append(plans, html.EscapeString(r.PlanName))
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>\n%s</style>\n</head>\n", html.EscapeString(title), reportCSS)
	fmt.Fprintf(&b, "<body class=\"runs-%d\">\n<header><h1>%s</h1>\n<p>Plan%s: <b>%s</b> · seed %d · %d days · one engine run per plan, the same population and orders.</p>\n",
		len(runs), html.EscapeString(title), plural(len(runs)), strings.Join(plans, "</b> vs <b>"), sc.Seed, sc.Days)
	b.WriteString("<p class=\"note\">Money in yuan. A member's <i>net result</i> = rewards + points cashed + points still held (at the final sell price) + the goods bought valued at the plan's cost bucket − withdrawal fees − what it paid. Shares are of the members who bought anything. This is a simulation of one assumed behaviour, not a forecast.</p>\n")
	b.WriteString("<div id=\"errors\" hidden></div>\n</header>\n<main id=\"report\"></main>\n")
	fmt.Fprintf(&b, "<script>\n%s\n</script>\n", echartsJS)
	fmt.Fprintf(&b, "<script>\nconst DATA = %s;\n%s\n</script>\n</body>\n</html>\n", blob, reportJS)
	_, err = io.WriteString(w, b.String())
	return err
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}
