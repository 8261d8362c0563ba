package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/sim"
)

func init() {
	register(subcommand{name: "sim",
		summary: "sim --plan PLAN.yaml --scenario SCENARIO.yaml --out DIR [--compare OTHER.yaml]   simulate a plan",
		run:     runSim})
}

// loadPlanFile reads and validates a plan file; "" is the default plan.
func loadPlanFile(path string) (*plan.Plan, string, error) {
	if path == "" {
		return plan.Default(), "default", nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	p, err := plan.Parse(data, path)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return p, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws a one-line bar on a terminal.
func progressBar(w io.Writer, label string) func(day, days int) {
	last := -1
	return func(day, days int) {
		pct := 100
		if days > 0 {
			pct = day * 100 / days
		}
		if pct == last {
			return
		}
		last = pct
		const width = 40
		n := pct * width / 100
		fmt.Fprintf(w, "\r%-10s [%s%s] %3d %% day %d/%d", label, strings.Repeat("#", n), strings.Repeat(".", width-n), pct, day, days)
		if day == days {
			fmt.Fprintln(w)
		}
	}
}

func runSim(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file (YAML or JSON); the built-in default plan when empty")
	scFile := fs.String("scenario", "", "scenario file (YAML); see examples/scenario.yaml")
	out := fs.String("out", "", "output directory")
	compare := fs.String("compare", "", "a second plan run on the same population, shown side by side")
	svg := fs.Bool("svg", true, "also write SVG copies of the main charts into OUT/charts")
	quiet := fs.Bool("quiet", false, "no progress bar or timing, even on a terminal")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *scFile == "" || *out == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "usage: greenmall sim --plan PLAN.yaml --scenario SCENARIO.yaml --out DIR [--compare OTHER.yaml]")
		return 2
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "greenmall sim: %v\n", err)
		return code
	}
	sc, err := sim.LoadScenario(*scFile)
	if err != nil {
		return fail(2, err)
	}
	type planRun struct {
		p    *plan.Plan
		name string
		dir  string
	}
	p, name, err := loadPlanFile(*planFile)
	if err != nil {
		return fail(2, err)
	}
	todo := []planRun{{p, name, *out}}
	if *compare != "" {
		p2, name2, err := loadPlanFile(*compare)
		if err != nil {
			return fail(2, err)
		}
		if name2 == name {
			name2 += " (compare)"
		}
		todo = append(todo, planRun{p2, name2, filepath.Join(*out, "compare")})
	}
	tty := !*quiet && isTerminal(stderr)
	var runs []*sim.Run
	for _, t := range todo {
		var opts sim.Options
		if tty {
			opts.Progress = progressBar(stderr, t.name)
		}
		start := time.Now()
		run, err := sim.Simulate(t.p, t.name, sc, opts)
		if err != nil {
			return fail(1, err)
		}
		if tty {
			el := time.Since(start)
			fmt.Fprintf(stderr, "%s: %d members, %d orders in %.2f s (%.0f orders/s)\n", t.name, run.Summary.Members,
				run.Summary.Orders, el.Seconds(), float64(run.Summary.Orders)/el.Seconds())
		}
		if err := run.WriteData(t.dir); err != nil {
			return fail(1, err)
		}
		runs = append(runs, run)
	}
	if err := writeReport(filepath.Join(*out, "report.html"), runs); err != nil {
		return fail(1, err)
	}
	if *svg {
		if err := sim.WriteCharts(filepath.Join(*out, "charts"), runs...); err != nil {
			return fail(1, err)
		}
	}
	if tty {
		fmt.Fprintf(stderr, "wrote %s\n", *out)
	}
	return 0
}

func writeReport(path string, runs []*sim.Run) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := sim.WriteReport(f, runs...); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
