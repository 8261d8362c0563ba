// Package replay runs replay scripts (shared/spec/replay.md): JSON lines of
// commands in, the engine's final state as one JSON object out.
package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/plan"
)

// Line is one non-blank script line: its command, or why it is rejected
// before it reaches the engine (a missing or ill-typed field).
type Line struct {
	Num int // physical, 1-based
	Cmd engine.Command
	Err error
}

// ScriptError says which line makes a script unreadable.
type ScriptError struct {
	Line int
	Err  error
}

func (e *ScriptError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *ScriptError) Unwrap() error { return e.Err }

// ParseScript splits a script into lines and decodes each. It fails only
// when the script is unreadable (a line that is not a JSON object), which
// makes the whole replay fail (details.md, replay rule 1).
func ParseScript(script []byte) ([]Line, error) {
	var lines []Line
	num := 0
	for len(script) > 0 {
		num++
		raw := script
		if i := bytes.IndexByte(script, '\n'); i >= 0 {
			raw, script = script[:i], script[i+1:]
		} else {
			script = nil
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		obj, err := decodeObject(raw)
		if err != nil {
			return nil, &ScriptError{Line: num, Err: err}
		}
		cmd, err := Decode(obj)
		lines = append(lines, Line{Num: num, Cmd: cmd, Err: err})
	}
	return lines, nil
}

// decodeObject parses one line as a single JSON object, numbers kept as
// json.Number so integers are told from 1.0 and 1e5.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("not JSON: more than one value on the line")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return obj, nil
}

// fields reads typed fields out of a command object, remembering the first
// problem so a decoder can read them all and check once.
type fields struct {
	op  string
	obj map[string]any
	err error
}

func (f *fields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf("%s: "+format, append([]any{f.op}, args...)...)
	}
}

// str reads a required string field.
func (f *fields) str(key string) string {
	v, ok := f.obj[key]
	if !ok || v == nil {
		f.fail("missing field %q", key)
		return ""
	}
	s, ok := v.(string)
	if !ok {
		f.fail("field %q must be a string", key)
	}
	return s
}

// id reads a required, non-empty string id.
func (f *fields) id(key string) string {
	s := f.str(key)
	if s == "" && f.err == nil {
		f.fail("field %q must not be empty", key)
	}
	return s
}

// optStr reads an optional string field; null counts as omitted.
func (f *fields) optStr(key string) (string, bool) {
	v, ok := f.obj[key]
	if !ok || v == nil {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		f.fail("field %q must be a string", key)
	}
	return s, true
}

// integer reads a required JSON integer (no fraction, no exponent).
func (f *fields) integer(key string) int64 {
	v, ok := f.obj[key]
	if !ok || v == nil {
		f.fail("missing field %q", key)
		return 0
	}
	n, err := jsonInt(v)
	if err != nil {
		f.fail("field %q: %v", key, err)
	}
	return n
}

func jsonInt(v any) (int64, error) {
	num, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(num), ".eE") {
		return 0, fmt.Errorf("%v is not an integer", v)
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is out of range", num)
	}
	return n, nil
}

// Decode turns one command object into an engine command, or says which
// field is missing or ill-typed.
func Decode(obj map[string]any) (engine.Command, error) {
	op, _ := obj["op"].(string)
	f := &fields{op: op, obj: obj}
	var cmd engine.Command
	switch op {
	case "join":
		c := engine.Join{ID: f.id("id")}
		c.Referrer, c.HasReferrer = f.optStr("referrer")
		cmd = c
	case "order":
		c := engine.Order{ID: f.id("id"), Member: f.id("member"), Profile: f.str("profile"), AmountFen: f.integer("amount_fen")}
		c.Region, c.HasRegion = f.optStr("region")
		c.ServicePoint, c.HasServicePoint = f.optStr("service_point")
		cmd = c
	case "sell":
		c := engine.Sell{Member: f.id("member")}
		upt, hasUpt := obj["upt"]
		all, hasAll := obj["all"]
		switch {
		case hasAll && all != nil && all != true:
			f.fail(`field "all" must be true or null`)
		case hasUpt && hasAll && all != nil:
			f.fail(`give either "upt" or "all", not both`)
		case hasUpt:
			c.Upt = f.integer("upt")
			_ = upt
		case all == true:
			c.All = true
		default:
			f.fail(`missing field "upt" or "all"`)
		}
		cmd = c
	case "service_point":
		cmd = engine.ServicePoint{ID: f.id("id"), Owner: f.id("owner"), Region: f.str("region")}
	case "region_agent":
		cmd = engine.RegionAgent{Member: f.id("member"), Tier: f.str("tier"), Code: f.str("code")}
	case "set_level":
		cmd = engine.SetLevel{Member: f.id("member"), Level: f.str("level")}
	case "set_shares":
		cmd = engine.SetShares{Member: f.id("member"), Shares: f.integer("shares")}
	case "period_close":
		cmd = engine.PeriodClose{Period: f.period()}
	case "withdraw":
		cmd = engine.Withdraw{ID: f.id("id"), Member: f.id("member"), AmountFen: f.integer("amount_fen")}
	case "withdraw_approve":
		cmd = engine.WithdrawApprove{ID: f.id("id")}
	case "withdraw_reject":
		cmd = engine.WithdrawReject{ID: f.id("id")}
	case "plan":
		v, ok := obj["plan"].(map[string]any)
		if !ok {
			f.fail(`field "plan" must be an object`)
			break
		}
		p, err := plan.FromJSONValue(v)
		if err != nil {
			f.fail("%v", err)
			break
		}
		cmd = engine.SetPlan{Plan: p}
	default:
		if _, ok := obj["op"]; !ok {
			return nil, errors.New(`missing field "op"`)
		}
		return nil, fmt.Errorf("unknown op %v", obj["op"])
	}
	if f.err != nil {
		return nil, f.err
	}
	return cmd, nil
}

// period reads a period: a non-empty string, or a non-negative integer
// standing for its decimal string (details 8.1).
func (f *fields) period() string {
	v, ok := f.obj["period"]
	if !ok || v == nil {
		f.fail(`missing field "period"`)
		return ""
	}
	switch p := v.(type) {
	case string:
		if p == "" {
			f.fail(`field "period" must not be empty`)
		}
		return p
	case json.Number:
		n, err := jsonInt(p)
		if err != nil || n < 0 {
			f.fail(`field "period" must be a string or a non-negative integer`)
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	f.fail(`field "period" must be a string or a non-negative integer`)
	return ""
}
