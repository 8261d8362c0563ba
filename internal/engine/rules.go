package engine

import "github.com/greenmall/greenmall/internal/plan"

// rules is a plan compiled for settlement: lookups resolved to indexes so the
// hot path does no string work beyond the ids it is given.
type rules struct {
	p          *plan.Plan
	k          int32 // boss threshold
	levels     []levelRule
	levelIdx   map[string]uint8 // code → level number (1-based)
	topDiff    int64            // highest diff_bp
	tiers      []tierRule
	topRegion  int64             // highest tier rate
	bigRegion  map[string]string // province code → big region name
	spillover  bool
	swap       bool
	hasUpgrade bool // some level can be reached by its conditions
	teamRules  bool // some level asks for team_sales_fen or team_size
}

type levelRule struct {
	code                                         string
	diff                                         int64
	share                                        int64
	reach                                        bool // has upgrade conditions
	selfSpend, directActive, teamSales, teamSize int64
	atLevel                                      uint8 // direct_at_level level number, 0 for none
	atCount                                      int64
}

type tierRule struct {
	name   string
	kind   int // index into tierNames
	digits int // 9, 6, 4, 2; 0 for bigregion
	rate   int64
}

var (
	tierNames  = [...]string{"street", "district", "city", "province", "bigregion"}
	tierDigits = map[string]int{"street": 9, "district": 6, "city": 4, "province": 2, "bigregion": 0}
)

func tierKind(name string) int {
	for i, n := range tierNames {
		if n == name {
			return i
		}
	}
	return -1
}

func compile(p *plan.Plan) *rules {
	r := &rules{
		p:         p,
		k:         int32(p.Chain.BossThreshold),
		levelIdx:  make(map[string]uint8, len(p.Levels)),
		bigRegion: make(map[string]string),
		spillover: p.Chain.DeadLinePolicy == "spillover",
		swap:      p.Chain.DeadLinePolicy == "swap",
	}
	for i, l := range p.Levels {
		r.levelIdx[l.Code] = uint8(i + 1)
	}
	for _, l := range p.Levels {
		lr := levelRule{code: l.Code, diff: l.DiffBP, share: l.DividendShareBP}
		if c := l.Conditions; c != nil {
			lr.reach = true
			lr.selfSpend, lr.directActive = c.SelfSpendFen, c.DirectActive
			lr.teamSales, lr.teamSize = c.TeamSalesFen, c.TeamSize
			if c.DirectAtLevel != nil {
				lr.atLevel = r.levelIdx[c.DirectAtLevel.Level]
				lr.atCount = c.DirectAtLevel.Count
			}
			r.hasUpgrade = true
			r.teamRules = r.teamRules || lr.teamSales > 0 || lr.teamSize > 0
		}
		if l.DiffBP > r.topDiff {
			r.topDiff = l.DiffBP
		}
		r.levels = append(r.levels, lr)
	}
	for _, t := range p.Regions.Tiers {
		r.tiers = append(r.tiers, tierRule{name: t.Tier, kind: tierKind(t.Tier), digits: tierDigits[t.Tier], rate: t.RateBP})
		if t.RateBP > r.topRegion {
			r.topRegion = t.RateBP
		}
	}
	for name, provs := range p.Regions.BigRegions {
		for _, pv := range provs {
			r.bigRegion[pv] = name
		}
	}
	return r
}

func (r *rules) hasTier(name string) bool {
	for _, t := range r.tiers {
		if t.name == name {
			return true
		}
	}
	return false
}
