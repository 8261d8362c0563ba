package plan

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"
)

// defaultYAML is a byte-identical copy of the spec's default-plan.yaml; a
// test keeps the two in step.
//
//go:embed default-plan.yaml
var defaultYAML []byte

// defaultPlan parses the embedded default once. Callers get clones, so no
// one can change the default that later plan documents are completed from.
var defaultPlan = sync.OnceValue(func() *Plan {
	v, empty, err := decodeYAML(defaultYAML)
	if err == nil && empty {
		err = fmt.Errorf("document is empty")
	}
	var p *Plan
	if err == nil {
		// The default document gives every key, so it is read onto an
		// empty plan rather than completed from itself.
		p, err = build(v, &Plan{Profiles: map[string]*Profile{}, Platform: DefaultPlatform})
	}
	if err != nil {
		panic(fmt.Sprintf("plan: embedded default-plan.yaml is invalid: %v", err))
	}
	return p
})

// Default returns a fresh copy of the built-in default plan
// (default-plan.yaml). The caller may modify it freely.
func Default() *Plan {
	return defaultPlan().Clone()
}

// Clone returns a deep copy of p: nothing reachable from the copy is shared
// with p. Its Profiles map is never nil.
func (p *Plan) Clone() *Plan {
	q := *p
	q.Levels = slices.Clone(p.Levels)
	for i := range q.Levels {
		if c := q.Levels[i].Conditions; c != nil {
			cc := *c
			if c.DirectAtLevel != nil {
				dal := *c.DirectAtLevel
				cc.DirectAtLevel = &dal
			}
			q.Levels[i].Conditions = &cc
		}
	}
	q.Regions.Tiers = slices.Clone(p.Regions.Tiers)
	if p.Regions.BigRegions != nil {
		q.Regions.BigRegions = make(map[string][]string, len(p.Regions.BigRegions))
		for name, provinces := range p.Regions.BigRegions {
			q.Regions.BigRegions[name] = slices.Clone(provinces)
		}
	}
	q.Profiles = make(map[string]*Profile, len(p.Profiles))
	for name, pr := range p.Profiles {
		if pr != nil {
			c := *pr
			pr = &c
		}
		q.Profiles[name] = pr
	}
	q.ProfileNames = slices.Clone(p.ProfileNames)
	return &q
}

// LevelIndex returns the 0-based position of the level code in p.Levels, or
// -1 when the plan has no such level. Positions order the levels: a higher
// index is a higher level.
func (p *Plan) LevelIndex(code string) int {
	return slices.IndexFunc(p.Levels, func(l Level) bool { return l.Code == code })
}
