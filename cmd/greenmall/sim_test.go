package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSimCommand(t *testing.T) {
	dir := t.TempDir()
	sc := writeFile(t, dir, "sc.yaml", "name: t\nseed: 3\ndays: 40\npopulation: {founders: 3, total: 300, midpoint_day: 20, slump: {from_day: 30, factor: 0.1}}\n")
	other := writeFile(t, dir, "other.yaml", "points: {exit_multiple_bp: 20000}\n")
	out := filepath.Join(dir, "out")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sim", "--scenario", sc, "--out", out, "--compare", other}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 || stderr.Len() != 0 {
		t.Errorf("not quiet off a terminal: %q %q", stdout.String(), stderr.String())
	}
	for _, f := range []string{"summary.json", "timeseries.csv", "members.csv", "report.html", "charts/price.svg",
		"compare/summary.json", "compare/timeseries.csv", "compare/members.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	var s struct {
		Plan    string `json:"plan"`
		Members int64  `json:"members"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "compare", "summary.json"))
	if err := json.Unmarshal(b, &s); err != nil || s.Plan != "other" || s.Members < 100 {
		t.Errorf("compare summary: %+v %v", s, err)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"sim", "--out", out}, "usage"},
		{"missing scenario", []string{"sim", "--scenario", filepath.Join(dir, "nope.yaml"), "--out", out}, "nope.yaml"},
		{"bad plan", []string{"sim", "--scenario", sc, "--out", out, "--plan", sc}, "sc.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}
