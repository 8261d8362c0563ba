package sim

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
)

// chromium returns the path of a headless-capable Chromium, or skips the
// test when there is none, unless GREENMALL_REQUIRE_CHROMIUM=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GREENMALL_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no chromium on PATH and GREENMALL_REQUIRE_CHROMIUM=1")
	}
	t.Skip("no chromium on PATH (set GREENMALL_REQUIRE_CHROMIUM=1 to fail instead)")
	return ""
}

// pageState is what a headless Chromium saw of a report.
type pageState struct {
	ready, errors string
	charts        int
	canvases      int
	consoleErrors []string
}

var (
	bodyRe    = regexp.MustCompile(`<body[^>]*class="runs-[^>]*>`)
	attrRe    = func(name string) *regexp.Regexp { return regexp.MustCompile(name + `="([^"]*)"`) }
	consoleRe = regexp.MustCompile(`(?i)CONSOLE.*(uncaught|error)|Uncaught `)
)

// loadInChromium opens path headless, lets its scripts run, and returns the
// final DOM's markers and any console errors.
func loadInChromium(t *testing.T, bin, path string) pageState {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--window-size=1400,3000",
		"--virtual-time-budget=5000", "--dump-dom", "file://"+path)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := stdout.String()
	var st pageState
	body := bodyRe.FindString(dom)
	if body == "" {
		t.Fatalf("no report body in the DOM:\n%.2000s", dom)
	}
	if m := attrRe("data-ready").FindStringSubmatch(body); m != nil {
		st.ready = m[1]
	}
	if m := attrRe("data-errors").FindStringSubmatch(body); m != nil {
		st.errors = m[1]
	}
	if m := attrRe("data-charts").FindStringSubmatch(body); m != nil {
		st.charts, _ = strconv.Atoi(m[1])
	}
	st.canvases = strings.Count(dom, "<canvas")
	for _, line := range strings.Split(stderr.String(), "\n") {
		if consoleRe.MatchString(line) {
			st.consoleErrors = append(st.consoleErrors, line)
		}
	}
	return st
}

// TestReportInChromium opens report.html (one plan, and two side by side)
// in headless Chromium: no JavaScript error, and every chart drawn.
func TestReportInChromium(t *testing.T) {
	bin := chromium(t)
	sc := loadScenario(t, "testdata/small.yaml")
	sc.Population.Total, sc.Days = 500, 60
	a, err := Simulate(plan.Default(), "default", sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(loadPlan(t, "testdata/halfchain.plan.yaml"), "halfchain", sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const chartsPerRun = 8
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		runs []*Run
	}{{"single", []*Run{a}}, {"compare", []*Run{a, b}}} {
		t.Run(tc.name, func(t *testing.T) {
			var page bytes.Buffer
			if err := WriteReport(&page, tc.runs...); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.name+".html")
			if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			st := loadInChromium(t, bin, path)
			want := chartsPerRun * len(tc.runs)
			if st.ready != "1" || st.errors != "" || len(st.consoleErrors) > 0 {
				t.Errorf("ready %q, errors %q, console %q", st.ready, st.errors, st.consoleErrors)
			}
			if st.charts != want || st.canvases < want {
				t.Errorf("%d charts initialised, %d canvases; want %d", st.charts, st.canvases, want)
			}
		})
	}
	// The check itself notices a broken page.
	t.Run("broken page is caught", func(t *testing.T) {
		var page bytes.Buffer
		if err := WriteReport(&page, a); err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(page.String(), "headline();", "headline(); undefinedFunction();", 1)
		path := filepath.Join(dir, "broken.html")
		if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		st := loadInChromium(t, bin, path)
		if st.ready == "1" || (st.errors == "" && len(st.consoleErrors) == 0) {
			t.Errorf("a page with a script error passed: %+v", st)
		}
	})
}

func TestReportSelfContained(t *testing.T) {
	sc := loadScenario(t, "testdata/small.yaml")
	sc.Population.Total, sc.Days = 200, 30
	run, err := Simulate(plan.Default(), "default", sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var page bytes.Buffer
	if err := WriteReport(&page, run); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, bad := range []string{"<script src", "<link ", `src="http`, `href="http`} {
		if strings.Contains(html, bad) {
			t.Errorf("report refers outside itself: %q", bad)
		}
	}
	if !strings.Contains(html, "echarts") || !strings.Contains(html, "const DATA = ") {
		t.Error("report lacks ECharts or its data")
	}
	dir := t.TempDir()
	if err := WriteCharts(dir, run); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	if len(files) < 8 {
		t.Errorf("%d SVG charts, want at least 8", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if !bytes.HasPrefix(b, []byte("<svg ")) || !bytes.HasSuffix(b, []byte("</svg>\n")) || bytes.Contains(b, []byte("NaN")) {
			t.Errorf("%s is not a clean SVG document", f)
		}
	}
}
