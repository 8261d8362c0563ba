package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanCheckCommand(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string { return writeFile(t, dir, name, body) }
	def := write("default.yaml", "")
	clean := write("clean.yaml", "invite_requires_active: false\nlevels: []\nprofiles:\n  retail: {cost_bp: 7000}\n")
	bad := write("bad.yaml", "chain: {dead_line_policy: sideways}\n")
	small := write("sc.yaml", "days: 60\npopulation: {total: 500, midpoint_day: 25, slump: {from_day: 40, factor: 0.1}}\n")

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"default plan, text", []string{"plan", "check", "--scenario", small, def}, 0, "[HIGH]", ""},
		{"default plan, strict", []string{"plan", "check", "--strict", "--no-sim", def}, 1, "not legal advice", ""},
		{"clean plan, strict", []string{"plan", "check", "--strict", "--no-sim", clean}, 0, "0 high", ""},
		{"invalid plan", []string{"plan", "check", bad}, 2, "invalid", "dead_line_policy"},
		{"missing plan", []string{"plan", "check", filepath.Join(dir, "nope.yaml")}, 2, "", "nope.yaml"},
		{"no plan", []string{"plan", "check"}, 2, "", "usage"},
		{"unknown subcommand", []string{"plan", "fly"}, 2, "", "unknown subcommand"},
		{"no subcommand", []string{"plan"}, 2, "", "check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"plan", "check", "--json", "--strict", "--scenario", small, def}, &stdout, &stderr); code != 1 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		var r struct {
			Valid      bool   `json:"valid"`
			Disclaimer string `json:"disclaimer"`
			Findings   []struct {
				ID       string   `json:"id"`
				Severity string   `json:"severity"`
				Rule     string   `json:"rule"`
				Settings []string `json:"settings"`
			} `json:"findings"`
			Dependence *struct {
				LostBP int64 `json:"lost_money_bp"`
			} `json:"new_money_dependence"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if !r.Valid || !strings.Contains(r.Disclaimer, "not legal advice") || len(r.Findings) < 5 || r.Dependence == nil {
			t.Errorf("%+v", r)
		}
	})
}
