package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestReplayCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return writeFile(t, dir, name, body) }
	good := write("good.jsonl", `{"op": "join", "id": "m1"}`+"\n"+`{"op": "sell", "member": "m1", "all": true}`+"\n")
	bad := write("bad.jsonl", `{"op": "join", "id": "m1"}`+"\n"+"not json\n")
	plan := write("plan.yaml", "chain:\n  dead_line_policy: spillover\n")
	badPlan := write("bad.yaml", "chain:\n  dead_line_policy: sideways\n")

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a substring; "" for none at all
		stderrIn string
	}{
		{"default plan", []string{"replay", good}, 0, `"line":2`, ""},
		{"plan flag", []string{"replay", "--plan", plan, good}, 0, `"m1"`, ""},
		{"unreadable line", []string{"replay", bad}, 2, "", "bad.jsonl: line 2"},
		{"invalid plan", []string{"replay", "--plan", badPlan, good}, 2, "", "dead_line_policy"},
		{"missing script", []string{"replay", filepath.Join(dir, "nope.jsonl")}, 2, "", "nope.jsonl"},
		{"no script", []string{"replay"}, 2, "", "usage"},
		{"unknown command", []string{"dance"}, 2, "", "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tt.args, &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if tt.stdout == "" && out.Len() > 0 {
				t.Fatalf("want nothing on stdout, got %q", out.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Fatalf("stdout %q lacks %q", out.String(), tt.stdout)
			}
			if !strings.Contains(errb.String(), tt.stderrIn) {
				t.Fatalf("stderr %q lacks %q", errb.String(), tt.stderrIn)
			}
		})
	}
}
