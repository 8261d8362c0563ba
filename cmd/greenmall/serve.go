package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/greenmall/greenmall/internal/api"
	"github.com/greenmall/greenmall/internal/journal"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

func init() {
	register(subcommand{"serve", "serve [--addr :8080] [--data DIR | --db postgres://…] [--plan PLAN.yaml]   run the platform server", runServe})
	register(subcommand{"verify", "verify --db DSN|FILE [--plan PLAN.yaml]   replay the journal and check every read model and ledger invariant", runVerify})
}

// openDB opens --db, or the SQLite file in --data.
func openDB(ctx context.Context, dsn, data string) (*store.DB, error) {
	if dsn == "" {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return nil, fmt.Errorf("data folder: %w", err)
		}
		dsn = filepath.Join(data, "greenmall.db")
	}
	return store.Open(ctx, dsn)
}

func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	data := fs.String("data", "greenmall-data", "data folder for the embedded SQLite database")
	dsn := fs.String("db", "", "database: a postgres:// URL, or an SQLite file (default: DATA/greenmall.db)")
	planFile := fs.String("plan", "", "the initial plan of a new platform (YAML); later changes go through the API")
	baseURL := fs.String("base-url", "", "public URL, for invite links (default http://ADDR)")
	periodEvery := fs.Duration("period-check", time.Minute, "how often to check whether a daily period is due")
	tickEvery := fs.Duration("settle-check", 10*time.Second, "how often to settle orders whose return window has passed")
	sandbox := fs.Bool("sandbox-gateway", true, "serve the sandbox payment gateway, which pays without moving money (development; set false in production)")
	window := idemWindowFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *window <= 0 {
		fmt.Fprintln(stderr, "greenmall serve: --idempotency-window must be positive")
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	slog.SetDefault(log)
	p0, _, err := loadPlanFile(*planFile)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall serve: plan: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openDB(ctx, *dsn, *data)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall serve: %v\n", err)
		return 1
	}
	defer db.Close()
	metrics := api.NewMetrics()
	seq, err := journal.Open(ctx, db, journal.Config{Plan: p0, Regions: api.Regions{}, Observer: metrics, IdemWindow: *window})
	if err != nil {
		fmt.Fprintf(stderr, "greenmall serve: recover: %v\n", err)
		return 1
	}
	defer seq.Close()
	if err := firstOperator(ctx, seq, stdout); err != nil {
		fmt.Fprintf(stderr, "greenmall serve: %v\n", err)
		return 1
	}
	if *baseURL == "" {
		*baseURL = "http://" + *addr
	}
	srv := api.New(api.Config{Seq: seq, DB: db, Log: log, BaseURL: *baseURL, GatewaySecret: gatewaySecret(db, *data),
		SandboxGateway: *sandbox, Metrics: metrics})
	if *sandbox {
		log.Warn("the sandbox payment gateway is on: gateway payments and top-ups succeed without moving money; run with --sandbox-gateway=false in production")
	}
	hs := &http.Server{Addr: *addr, Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go schedule(ctx, seq, *tickEvery, *periodEvery)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall serve: %v\n", err)
		return 1
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("greenmall serving", "addr", *addr, "postgres", db.Postgres, "journal_seq", seq.Seq())
	fmt.Fprintf(stdout, "greenmall: serving on http://%s (journal at %d commands)\n", *addr, seq.Seq())
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "greenmall serve: %v\n", err)
			return 1
		}
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(shut) //nolint:errcheck // closing anyway
	return 0
}

// gatewaySecret is the sandbox gateway's signing key: from
// GREENMALL_GATEWAY_SECRET, else a random one kept in the data folder.
func gatewaySecret(db *store.DB, data string) []byte {
	if s := os.Getenv("GREENMALL_GATEWAY_SECRET"); s != "" {
		return []byte(s)
	}
	f := filepath.Join(data, "gateway.key")
	if b, err := os.ReadFile(f); err == nil && len(b) > 0 {
		return b
	}
	b := make([]byte, 32)
	rand.Read(b)
	key := []byte(base64.RawStdEncoding.EncodeToString(b))
	if os.MkdirAll(data, 0o700) == nil {
		os.WriteFile(f, key, 0o600) //nolint:errcheck // a fresh key next time is harmless
	}
	return key
}

// firstOperator creates the super operator of a new platform and prints
// how to log in, once.
func firstOperator(ctx context.Context, seq *journal.Sequencer, stdout io.Writer) error {
	n := 0
	seq.Read(func(p *platform.Platform) { n = p.NumOperators() })
	if n > 0 {
		return nil
	}
	b := make([]byte, 12)
	rand.Read(b)
	pw := base64.RawURLEncoding.EncodeToString(b)
	if _, err := seq.Submit(ctx, "sys", "", platform.OperatorCreate{Login: "admin", Name: "超级管理员", Role: platform.RoleSuper, PasswordHash: api.HashPassword(pw)}); err != nil {
		return fmt.Errorf("create the first operator: %w", err)
	}
	fmt.Fprintf(stdout, "\nFirst start: operator account created. Log in once with\n  login: admin\n  password: %s\n(POST /api/operators/login). This password is not shown again.\n\n", pw)
	return nil
}

// schedule settles due orders and closes each day's period (Asia/Shanghai)
// after it ends.
func schedule(ctx context.Context, seq *journal.Sequencer, tickEvery, periodEvery time.Duration) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	tick := time.NewTicker(tickEvery)
	period := time.NewTicker(periodEvery)
	defer tick.Stop()
	defer period.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			due := false
			seq.Read(func(p *platform.Platform) { due = p.Due(now.UnixMilli()) })
			if due {
				if _, err := seq.Submit(ctx, "sys", "", platform.Tick{}); err != nil {
					slog.Error("settle tick", "err", err)
				}
			}
		case now := <-period.C:
			yesterday := now.In(loc).AddDate(0, 0, -1).Format("2006-01-02")
			closed := false
			seq.Read(func(p *platform.Platform) {
				ps := p.Periods()
				closed = len(ps) > 0 && ps[len(ps)-1] >= yesterday
			})
			if !closed {
				_, err := seq.Submit(ctx, "sys", "period:"+yesterday, platform.PeriodClose{Period: yesterday})
				var pe *platform.Error
				if err != nil && !(errors.As(err, &pe) && strings.Contains(pe.Msg, "already closed")) {
					slog.Error("period close", "period", yesterday, "err", err)
				}
			}
		}
	}
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", "", "database: a postgres:// URL or an SQLite file")
	data := fs.String("data", "greenmall-data", "data folder, when --db is not given")
	planFile := fs.String("plan", "", "the initial plan the server was started with")
	window := idemWindowFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *window <= 0 {
		fmt.Fprintln(stderr, "greenmall verify: --idempotency-window must be positive")
		return 2
	}
	p0, _, err := loadPlanFile(*planFile)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall verify: plan: %v\n", err)
		return 2
	}
	ctx := context.Background()
	db, err := openDB(ctx, *dsn, *data)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall verify: %v\n", err)
		return 2
	}
	defer db.Close()
	rep, err := journal.Verify(ctx, db, p0, api.Regions{}, *window)
	if err != nil {
		fmt.Fprintf(stderr, "greenmall verify: %v\n", err)
		return 1
	}
	for _, d := range rep.Differences {
		fmt.Fprintln(stdout, "DIFFERENCE:", d)
	}
	if len(rep.Differences) > 0 {
		fmt.Fprintf(stdout, "verify FAILED: %d commands, %d ledger lines, %d differences (first %d shown)\n",
			rep.Entries, rep.Lines, len(rep.Differences), len(rep.Differences))
		return 1
	}
	fmt.Fprintf(stdout, "verify OK: %d commands, %d ledger lines; every read model and ledger invariant matches the journal\n", rep.Entries, rep.Lines)
	return 0
}

// idemWindowFlag is how long the server remembers an idempotency key; verify
// takes the same, to tell a key reused after its window from a repeat.
func idemWindowFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("idempotency-window", journal.DefaultIdemWindow,
		"how long a request's Idempotency-Key is remembered after its first use")
}
