package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/greenmall/greenmall/internal/compliance"
	"github.com/greenmall/greenmall/internal/sim"
)

// planSubcommands are the subcommands of `greenmall plan`; add more here.
var planSubcommands = []subcommand{
	{name: "check", summary: "plan check [--json] [--strict] [--scenario S.yaml] [--no-sim] PLAN.yaml   validate a plan and review its compliance", run: runPlanCheck},
}

func init() {
	register(subcommand{name: "plan",
		summary: "plan check [--json] [--strict] PLAN.yaml   validate a plan and review it against 《禁止传销条例》",
		run:     runPlan})
}

func planUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: greenmall plan <subcommand> [flags]\n\nsubcommands:")
	for _, c := range planSubcommands {
		fmt.Fprintln(w, "  "+c.summary)
	}
}

func runPlan(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		planUsage(stderr)
		return 2
	}
	for _, c := range planSubcommands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	if a := args[0]; a == "-h" || a == "--help" || a == "help" {
		planUsage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "greenmall plan: unknown subcommand %q\n", args[0])
	planUsage(stderr)
	return 2
}

// runPlanCheck exits 0 after a review, 1 with --strict when a finding is
// high, 2 when the plan is unreadable or invalid or the usage is wrong.
func runPlanCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	strict := fs.Bool("strict", false, "exit 1 when a high finding exists")
	scFile := fs.String("scenario", "", "scenario of the quantifying simulation (default: the built-in one)")
	noSim := fs.Bool("no-sim", false, "skip the quantifying simulation")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: greenmall plan check [--json] [--strict] [--scenario S.yaml] [--no-sim] PLAN.yaml")
		return 2
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall plan check: %v\n", err)
		return 2
	}
	opts := compliance.Options{NoSim: *noSim}
	if *scFile != "" {
		if opts.Scenario, err = sim.LoadScenario(*scFile); err != nil {
			fmt.Fprintf(stderr, "greenmall plan check: %v\n", err)
			return 2
		}
	}
	rev, err := compliance.Run(data, path, opts)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall plan check: %v\n", err)
		return 1
	}
	if *asJSON {
		err = rev.WriteJSON(stdout)
	} else {
		err = rev.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "greenmall plan check: %v\n", err)
		return 1
	}
	switch {
	case !rev.Valid:
		fmt.Fprintf(stderr, "greenmall plan check: %s: invalid plan: %s\n", path, rev.Error)
		return 2
	case *strict && rev.HasHigh():
		return 1
	}
	return 0
}
