// Command greenmall runs the greenmall platform's tools: replay (the
// settlement engine on a script), and later serve, sim and verify.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/greenmall/greenmall/internal/replay"
)

// subcommand is one of greenmall's commands. Each lives in its own file and
// registers itself in init, so commands stay independent of each other.
type subcommand struct {
	name    string
	summary string // one usage line, shown by help
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands []subcommand

func register(c subcommand) { commands = append(commands, c) }

func init() {
	register(subcommand{"replay", "replay [--plan PLAN.yaml] SCRIPT.jsonl   replay a script, print the final state as JSON", runReplay})
}

func usage() string {
	s := "usage: greenmall <command> [flags]\n\ncommands:\n"
	for _, c := range commands {
		s += "  " + c.summary + "\n"
	}
	return s
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage())
		return 0
	}
	fmt.Fprintf(stderr, "greenmall: unknown command %q\n%s", args[0], usage())
	return 2
}

func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	planFile := fs.String("plan", "", "plan file (YAML or JSON); the built-in default plan when empty")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: greenmall replay [--plan PLAN.yaml] SCRIPT.jsonl")
		return 2
	}
	var planData []byte
	if *planFile != "" {
		var err error
		if planData, err = os.ReadFile(*planFile); err != nil {
			fmt.Fprintf(stderr, "greenmall replay: %v\n", err)
			return 2
		}
	}
	script, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "greenmall replay: %v\n", err)
		return 2
	}
	out, err := replay.Run(planData, *planFile, script)
	if err != nil {
		if se := (*replay.ScriptError)(nil); errors.As(err, &se) {
			fmt.Fprintf(stderr, "greenmall replay: %s: %v\n", fs.Arg(0), err)
		} else {
			fmt.Fprintf(stderr, "greenmall replay: %v\n", err)
		}
		return 2
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "greenmall replay: %v\n", err)
		return 1
	}
	return 0
}
