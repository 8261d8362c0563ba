package compliance

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/sim"
)

// Disclaimer heads every report.
const Disclaimer = "本报告不构成法律意见。This is not legal advice: it is an automated reading of the plan's settings against published criteria, to help a plan designer see what a regulator or a court would look at. Have a qualified lawyer review any plan before launch."

// Review is the result of `greenmall plan check`.
type Review struct {
	Plan       string    `json:"plan"`
	Valid      bool      `json:"valid"`
	Error      string    `json:"error,omitempty"`
	Disclaimer string    `json:"disclaimer"`
	Findings   []Finding `json:"findings"`
	Counts     Counts    `json:"counts"`
	Dependence *NewMoney `json:"new_money_dependence,omitempty"`
	Sources    []string  `json:"sources"`
	Notes      []string  `json:"notes,omitempty"`
}

// Counts are the findings per severity.
type Counts struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
}

// NewMoney is the quantified dependence on new money, from a short
// simulation of the plan.
type NewMoney struct {
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Members  int64  `json:"members"`
	Days     int    `json:"days"`
	// PointsFromLaterBP: the share of paid-out points money that came from
	// later members' purchases (pro rata to the pool's contributions).
	PointsFromLaterBP int64 `json:"points_payouts_from_later_bp"`
	// RewardsFromLaterBP: the share of rewards paid by members who joined
	// after the earner.
	RewardsFromLaterBP int64 `json:"rewards_from_later_bp"`
	// LostBP: the share of paying members who end with less than they paid
	// (goods valued at the plan's cost bucket).
	LostBP   int64    `json:"lost_money_bp"`
	Severity Severity `json:"severity"`
}

// CheckScenario is the built-in scenario of the quantification: a year of
// 20,000 members whose growth slumps after eight months (sim.DefaultScenario).
func CheckScenario() *sim.Scenario { return sim.DefaultScenario() }

// Options tune a review.
type Options struct {
	Scenario *sim.Scenario // nil: CheckScenario; its profiles are matched to the plan's
	NoSim    bool          // skip the quantification
}

// Run reviews plan data read from a file called name: validation, the
// settings review and the quantification. A plan that does not validate
// gives a Review with Valid false and no findings.
func Run(data []byte, name string, opts Options) (*Review, error) {
	r := &Review{Plan: name, Disclaimer: Disclaimer, Findings: []Finding{}, Sources: sources}
	p, err := plan.Parse(data, name)
	if err != nil {
		r.Error = err.Error()
		return r, nil
	}
	r.Valid = true
	r.Findings = Check(p)
	if !opts.NoSim {
		sc := opts.Scenario
		if sc == nil {
			sc = CheckScenario()
		}
		dep, err := quantify(p, name, sc, r)
		if err != nil {
			return nil, err
		}
		r.Dependence = dep
		if dep != nil {
			r.Findings = append(r.Findings, dependenceFinding(p, dep))
			slices.SortStableFunc(r.Findings, func(a, b Finding) int { return severityRank[a.Severity] - severityRank[b.Severity] })
		}
	}
	for _, f := range r.Findings {
		switch f.Severity {
		case High:
			r.Counts.High++
		case Medium:
			r.Counts.Medium++
		default:
			r.Counts.Low++
		}
	}
	return r, nil
}

var sources = []string{
	"《禁止传销条例》（国务院令第444号，2005年）第七条",
	"《刑法》第二百二十四条之一（《刑法修正案（七）》，2009年）",
	"最高人民法院、最高人民检察院、公安部《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》（公通字〔2013〕37号）第一、三、五条",
	"《直销管理条例》（国务院令第443号，2005年）第二十四条",
	"《防范和处置非法集资条例》（国务院令第737号，2021年）第二条",
}

// quantify runs the scenario under the plan. The scenario's gift and retail
// profiles are replaced by the plan's own when it lacks them: the first
// profile that activates agents (else the one with the largest chain
// budget) and the first that does not.
func quantify(p *plan.Plan, name string, base *sim.Scenario, r *Review) (*NewMoney, error) {
	sc := *base
	if _, ok := p.Profiles[sc.Purchase.GiftProfile]; !ok {
		gift := ""
		for _, n := range p.ProfileNames {
			if p.Profiles[n].ActivatesAgent {
				gift = n
				break
			}
		}
		if gift == "" {
			var best int64 = -1
			for _, n := range p.ProfileNames {
				if b := p.Profiles[n].ChainBudgetBP; b > best {
					gift, best = n, b
				}
			}
		}
		if gift == "" {
			r.Notes = append(r.Notes, "the plan has no profiles: nothing to simulate")
			return nil, nil
		}
		r.Notes = append(r.Notes, fmt.Sprintf("simulated with profile %q as the gift package", gift))
		sc.Purchase.GiftProfile = gift
	}
	if _, ok := p.Profiles[sc.Purchase.RetailProfile]; !ok && sc.Purchase.RetailPerMemberMonth > 0 {
		sc.Purchase.RetailPerMemberMonth = 0
		for _, n := range p.ProfileNames {
			if !p.Profiles[n].ActivatesAgent && n != sc.Purchase.GiftProfile {
				sc.Purchase.RetailProfile, sc.Purchase.RetailPerMemberMonth = n, base.Purchase.RetailPerMemberMonth
				break
			}
		}
	}
	run, err := sim.Simulate(p, name, &sc, sim.Options{})
	if err != nil {
		return nil, fmt.Errorf("compliance: simulation: %w", err)
	}
	s := run.Summary
	return &NewMoney{Scenario: sc.Name, Seed: sc.Seed, Members: s.Members, Days: sc.Days,
		PointsFromLaterBP: s.NewMoney.PointsFromLaterBP, RewardsFromLaterBP: s.NewMoney.RewardsFromLaterBP,
		LostBP: s.Outcome.LostBP}, nil
}

// dependenceFinding grades the quantified dependence on new money: high
// when half or more of the points money or of the rewards came from later
// members, or half or more of the members lose; medium from a quarter.
func dependenceFinding(p *plan.Plan, d *NewMoney) Finding {
	worst := max(d.PointsFromLaterBP, d.RewardsFromLaterBP, d.LostBP)
	sev := Low
	switch {
	case worst >= 5000:
		sev = High
	case worst >= 2500:
		sev = Medium
	}
	d.Severity = sev
	return Finding{ID: "return_new_money", Criterion: "返利承诺", Severity: sev,
		Rule:  ruleOp2013 + "第三条（从参与人员缴纳的费用或购买商品的费用中非法获利）；" + ruleCrim,
		Title: "Payouts depend on new members' money (simulated)",
		Settings: []string{setting("points.exit_multiple_bp", p.Points.ExitMultipleBP), setting("points.gift_ratio_bp", p.Points.GiftRatioBP),
			setting("points.sell_fee_bp", p.Points.SellFeeBP), setting("chain.direct_bp", p.Chain.DirectBP), setting("chain.seepoint_bp", p.Chain.SeepointBP)},
		Explanation: fmt.Sprintf("In a %d-day simulation of %d members (scenario %q, seed %d): %s of the points money paid out came from members who joined after the seller; %s of rewards were paid by members who joined after the earner; %s of the members who bought anything ended with less than they paid.",
			d.Days, d.Members, d.Scenario, d.Seed, pct(d.PointsFromLaterBP), pct(d.RewardsFromLaterBP), pct(d.LostBP))}
}

// HasHigh reports whether any finding is high.
func (r *Review) HasHigh() bool { return r.Counts.High > 0 }

// WriteJSON writes the review as indented JSON.
func (r *Review) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteText writes the review as plain text.
func (r *Review) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "greenmall plan check: %s\n\n%s\n\n", r.Plan, Disclaimer)
	if !r.Valid {
		fmt.Fprintf(&b, "VALIDATION: the plan is invalid: %s\n", r.Error)
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString("VALIDATION: the plan is valid.\n\n")
	fmt.Fprintf(&b, "COMPLIANCE REVIEW against 《禁止传销条例》 article 7 and its judicial reading: %d high, %d medium, %d low.\n",
		r.Counts.High, r.Counts.Medium, r.Counts.Low)
	for i, f := range r.Findings {
		fmt.Fprintf(&b, "\n%d. [%s] %s — %s (%s)\n", i+1, strings.ToUpper(string(f.Severity)), f.Criterion, f.Title, f.ID)
		fmt.Fprintf(&b, "   rule:     %s\n", f.Rule)
		for j, s := range f.Settings {
			label := "          "
			if j == 0 {
				label = "settings: "
			}
			fmt.Fprintf(&b, "   %s%s\n", label, s)
		}
		fmt.Fprintf(&b, "   why:      %s\n", f.Explanation)
	}
	if d := r.Dependence; d != nil {
		fmt.Fprintf(&b, "\nDEPENDENCE ON NEW MONEY (simulation %q, %d members, %d days, seed %d):\n", d.Scenario, d.Members, d.Days, d.Seed)
		fmt.Fprintf(&b, "   points money paid out that came from later members: %s\n", pct(d.PointsFromLaterBP))
		fmt.Fprintf(&b, "   rewards paid by members who joined after the earner: %s\n", pct(d.RewardsFromLaterBP))
		fmt.Fprintf(&b, "   members who end with less than they paid:           %s\n", pct(d.LostBP))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nnote: %s\n", n)
	}
	b.WriteString("\nSources:\n")
	for _, s := range r.Sources {
		fmt.Fprintf(&b, "   %s\n", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
