package replay

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/plan"
)

// Run replays script on an empty state under the plan file planData (YAML
// or JSON; nil for the built-in default) and returns the output JSON of
// replay.md. It fails only when the script or the plan cannot be read.
func Run(planData []byte, planName string, script []byte) ([]byte, error) {
	p := plan.Default()
	if planData != nil {
		var err error
		if p, err = plan.Parse(planData, planName); err != nil {
			return nil, fmt.Errorf("plan %s: %w", planName, err)
		}
	}
	lines, err := ParseScript(script)
	if err != nil {
		return nil, err
	}
	e := engine.New(p, engine.Options{})
	out := Output{Errors: []ErrorLine{}}
	for _, l := range lines {
		err := l.Err
		if err == nil {
			_, err = e.Apply(l.Cmd)
		}
		if err != nil {
			out.Errors = append(out.Errors, ErrorLine{Line: l.Num, Error: err.Error()})
		}
	}
	out.fill(e)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return buf.Bytes(), nil
}

// Output is the final state of replay.md. Struct fields are declared in
// key order and maps are sorted by encoding/json, so every object's keys
// come out sorted.
type Output struct {
	Accounts map[string]int64  `json:"accounts"`
	Errors   []ErrorLine       `json:"errors"`
	Members  map[string]Member `json:"members"`
	Points   Points            `json:"points"`
}

// ErrorLine is one rejected command.
type ErrorLine struct {
	Error string `json:"error"`
	Line  int    `json:"line"`
}

// Member is one member's entry in the output.
type Member struct {
	Exits     int32   `json:"exits"`
	Level     string  `json:"level"`
	Parent    *string `json:"parent"`
	PeerUp    *string `json:"peer_up"`
	Referrer  *string `json:"referrer"`
	Role      string  `json:"role"`
	RoundCFen int64   `json:"round_c_fen"`
	RoundOUpt int64   `json:"round_o_upt"`
	Slot      int32   `json:"slot"`
	Team      *string `json:"team"`
	Unlocked  bool    `json:"unlocked"`
}

// Points is the points pool in the output.
type Points struct {
	Holdings     map[string]int64 `json:"holdings"`
	PoolFen      int64            `json:"pool_fen"`
	RefPoolFen   int64            `json:"ref_pool_fen"`
	RefSupplyUpt int64            `json:"ref_supply_upt"`
	SupplyUpt    int64            `json:"supply_upt"`
}

func optID(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (o *Output) fill(e *engine.Engine) {
	o.Accounts = make(map[string]int64)
	e.EachAccount(func(a ledger.Account, b int64) {
		o.Accounts[e.AccountName(a)] = b
	})
	o.Members = make(map[string]Member, e.NumMembers())
	o.Points.Holdings = make(map[string]int64)
	for i := 0; i < e.NumMembers(); i++ {
		m := e.Member(int32(i))
		o.Members[m.ID] = Member{
			Exits: m.Exits, Level: m.Level, Parent: optID(m.Parent), PeerUp: optID(m.PeerUp),
			Referrer: optID(m.Referrer), Role: m.Role.String(), RoundCFen: m.RoundCFen,
			RoundOUpt: m.RoundOUpt, Slot: m.Slot, Team: optID(m.Team), Unlocked: m.Unlocked,
		}
		if m.PointsUpt > 0 {
			o.Points.Holdings[m.ID] = m.PointsUpt
		}
	}
	pool := e.Pool()
	o.Points.PoolFen, o.Points.SupplyUpt = pool.PoolFen, pool.SupplyUpt
	o.Points.RefPoolFen, o.Points.RefSupplyUpt = pool.RefPoolFen, pool.RefSupplyUpt
}
