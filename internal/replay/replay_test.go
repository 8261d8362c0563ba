package replay

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func parseJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	return v
}

// TestSeedGolden replays the business model's worked example
// (shared/spec/golden) and compares the output as parsed JSON; a rerun must
// print the same bytes.
func TestSeedGolden(t *testing.T) {
	script, err := os.ReadFile("testdata/golden/seed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/golden/seed.out.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Run(nil, "", script)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !reflect.DeepEqual(parseJSON(t, got), parseJSON(t, want)) {
		t.Fatalf("seed replay differs from seed.out.json")
	}
	again, err := Run(nil, "", script)
	if err != nil || !bytes.Equal(got, again) {
		t.Fatalf("second run printed different bytes (err %v)", err)
	}
}

// TestGoldenCopyCurrent checks the vendored golden files against the spec
// beside the repository, when it is there.
func TestGoldenCopyCurrent(t *testing.T) {
	for _, name := range []string{"seed.jsonl", "seed.out.json"} {
		spec, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "spec", "golden", name))
		if err != nil {
			t.Skipf("shared spec not beside the repository: %v", err)
		}
		ours, err := os.ReadFile(filepath.Join("testdata", "golden", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(spec, ours) {
			t.Errorf("testdata/golden/%s differs from shared/spec/golden/%s: copy it again", name, name)
		}
	}
}

// TestReplayExample is replay.md's example, with its exact output.
func TestReplayExample(t *testing.T) {
	script := []byte(`{"op": "join", "id": "m1"}
{"op": "order", "id": "o1", "member": "m1", "profile": "gift", "amount_fen": 100000}
{"op": "join", "id": "m2", "referrer": "m1"}
{"op": "order", "id": "o2", "member": "m2", "profile": "gift", "amount_fen": 100000}
{"op": "join", "id": "m3", "referrer": "m1"}
{"op": "order", "id": "o3", "member": "m3", "profile": "gift", "amount_fen": 100000}
{"op": "sell", "member": "m2", "upt": 50000000}
{"op": "sell", "member": "m3", "upt": 200000000}
`)
	want := `{"accounts": {"external:payments": -300000, "m1:available": 16000, "m1:frozen": 4000,
               "m1:points": 210000000, "m2:available": 7469, "m2:points": 97000000,
               "m3:points": 124950000, "platform:cost": 60000, "platform:profit": 118000,
               "points:issued": -431950000, "pool:dividend": 12000, "pool:points": 82531},
  "errors": [{"error": "x", "line": 8}],
  "members": {
    "m1": {"exits": 0, "level": "", "parent": null, "peer_up": null, "referrer": null,
           "role": "agent", "round_c_fen": 100000, "round_o_upt": 210000000, "slot": 0,
           "team": null, "unlocked": false},
    "m2": {"exits": 0, "level": "", "parent": "m1", "peer_up": null, "referrer": "m1",
           "role": "agent", "round_c_fen": 100000, "round_o_upt": 147000000, "slot": 1,
           "team": null, "unlocked": false},
    "m3": {"exits": 0, "level": "", "parent": "m1", "peer_up": null, "referrer": "m1",
           "role": "agent", "round_c_fen": 100000, "round_o_upt": 124950000, "slot": 2,
           "team": null, "unlocked": false}
  },
  "points": {"holdings": {"m1": 210000000, "m2": 97000000, "m3": 124950000},
             "pool_fen": 82531, "ref_pool_fen": 100, "ref_supply_upt": 1000000,
             "supply_upt": 431950000}}`
	got, err := Run(nil, "", script)
	if err != nil {
		t.Fatal(err)
	}
	g := parseJSON(t, got).(map[string]any)
	w := parseJSON(t, []byte(want)).(map[string]any)
	// Of errors only the line numbers are compared.
	for _, m := range []map[string]any{g, w} {
		for _, e := range m["errors"].([]any) {
			delete(e.(map[string]any), "error")
		}
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("got %s", got)
	}
}

func TestUnreadable(t *testing.T) {
	tests := []struct {
		name, script string
	}{
		{"not JSON", "{\"op\": \"join\", \"id\": \"a\"}\n{op: join}\n"},
		{"array", "[1, 2]\n"},
		{"string", "\"join\"\n"},
		{"NaN", "{\"op\": \"order\", \"amount_fen\": NaN}\n"},
		{"two values", "{\"op\": \"join\", \"id\": \"a\"} {}\n"},
		{"truncated", "{\"op\": \"join\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := Run(nil, "", []byte(tt.script)); err == nil {
				t.Fatalf("want an error, got output %s", out)
			}
		})
	}
	if _, err := Run([]byte("points: {start_price_fen: 0}\n"), "p.yaml", nil); err == nil {
		t.Fatal("an invalid plan file must make the replay fail")
	}
}

// TestRejectedFields covers the field checks done before the engine: each
// line is rejected, by its physical line number, blank lines counted.
func TestRejectedFields(t *testing.T) {
	script := `{"op": "join", "id": "a"}

{"id": "b"}
{"op": "dance"}
{"op": "join", "id": 7}
{"op": "join", "id": ""}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": 100000.0}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": 1e5}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": "100000"}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": true}
{"op": "order", "id": "o1", "member": "a", "profile": "gift"}
{"op": "sell", "member": "a"}
{"op": "sell", "member": "a", "upt": 1, "all": true}
{"op": "sell", "member": "a", "all": false}
{"op": "period_close", "period": -1}
{"op": "period_close", "period": ""}
{"op": "period_close", "period": 1.5}
{"op": "plan", "plan": 3}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": 100000, "region": 110101}
{"op": "order", "id": "o1", "member": "a", "profile": "gift", "amount_fen": 100000, "region": null, "service_point": null, "extra": 1}
`
	out, err := Run(nil, "", []byte(script))
	if err != nil {
		t.Fatal(err)
	}
	var o Output
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, e := range o.Errors {
		lines = append(lines, e.Line)
	}
	want := []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	if !reflect.DeepEqual(lines, want) {
		t.Fatalf("rejected lines %v, want %v", lines, want)
	}
	if o.Members["a"].Role != "agent" {
		t.Fatalf("line 20 should have settled and activated a: %+v", o.Members["a"])
	}
}

func FuzzParseScript(f *testing.F) {
	f.Add([]byte(`{"op": "join", "id": "m1"}` + "\n" + `{"op": "order", "id": "o1", "member": "m1", "profile": "gift", "amount_fen": 100000}`))
	f.Add([]byte(`{"op": "sell", "member": "m1", "all": true}`))
	f.Add([]byte(`{"op": "period_close", "period": 7}` + "\n\n" + `{"op": "plan", "plan": {"chain": {"dead_line_policy": "swap"}}}`))
	f.Add([]byte(`{"op": "withdraw", "id": "w", "member": "m", "amount_fen": 1}`))
	seed, err := os.ReadFile("testdata/sections/chain_splits.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, script []byte) {
		lines, err := ParseScript(script)
		if err != nil {
			return
		}
		for _, l := range lines {
			if (l.Cmd == nil) == (l.Err == nil) {
				t.Fatalf("line %d: want exactly one of a command or an error", l.Num)
			}
		}
		out, err := Run(nil, "", script)
		if err != nil {
			t.Fatalf("a parsed script failed to run: %v", err)
		}
		var o Output
		if err := json.Unmarshal(out, &o); err != nil {
			t.Fatalf("invalid output JSON: %v", err)
		}
		var fen, upt int64
		for name, b := range o.Accounts {
			if (strings.HasSuffix(name, ":points") && name != "pool:points") || name == "points:issued" {
				upt += b
			} else {
				fen += b
			}
			if b < 0 && name != "external:payments" && name != "points:issued" {
				t.Fatalf("%s is negative: %d", name, b)
			}
		}
		if fen != 0 || upt != 0 {
			t.Fatalf("accounts do not balance: fen %d, µpt %d", fen, upt)
		}
	})
}
