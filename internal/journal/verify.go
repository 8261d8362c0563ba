package journal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// Report is what Verify found.
type Report struct {
	Entries     int64
	Lines       int
	Differences []string // empty when the store matches the journal
}

const maxDiffs = 50

func (r *Report) diff(format string, args ...any) {
	if len(r.Differences) < maxDiffs {
		r.Differences = append(r.Differences, fmt.Sprintf(format, args...))
	}
}

// Verify replays the journal of db from empty and checks every read-model
// table against the replayed state, and the ledger's invariants: every
// command's lines balance per unit, balances are the sums of the lines, no
// member balance is negative, no idempotency key is used twice within the
// window the server remembers keys for (DefaultIdemWindow when zero).
func Verify(ctx context.Context, db *store.DB, p0 *plan.Plan, regions platform.Regions, idemWindow time.Duration) (*Report, error) {
	rep := &Report{}
	var lines []platform.LedgerLine
	var prices []platform.PricePoint
	var periods []string
	if idemWindow <= 0 {
		idemWindow = DefaultIdemWindow
	}
	type use struct{ seq, at int64 }
	keys := map[string]use{} // idempotency key → its latest first use
	p, n, err := Replay(ctx, db, p0, regions, func(e store.Entry, p *platform.Platform) error {
		if e.Idem != "" {
			if first, ok := keys[e.Idem]; ok && e.Env.At-first.at < idemWindow.Milliseconds() {
				rep.diff("journal %d: idempotency key %q already used by entry %d", e.Seq, e.Idem, first.seq)
			} else {
				keys[e.Idem] = use{e.Seq, e.Env.At}
			}
		}
		fx := p.TakeEffects()
		lines = append(lines, fx.Lines...)
		prices = append(prices, fx.Prices...)
		periods = append(periods, fx.Periods...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Entries, rep.Lines = n, len(lines)

	// Entity tables.
	want := map[string]map[string][]any{}
	p.EachRow(func(t platform.Table, row []any) {
		if want[t.Name] == nil {
			want[t.Name] = map[string][]any{}
		}
		want[t.Name][rowKey(t, row)] = row
	})
	for _, t := range platform.EntityTables {
		got, err := db.ReadTable(ctx, t)
		if err != nil {
			return nil, err
		}
		w := want[t.Name]
		seen := map[string]bool{}
		for _, row := range got {
			k := rowKey(t, row)
			seen[k] = true
			wr, ok := w[k]
			if t.Name == platform.BalancesTable.Name && !ok && row[3] == int64(0) {
				continue // a balance back to zero may stay as a zero row
			}
			if !ok {
				rep.diff("%s %s: in the table, not in the journal", t.Name, k)
				continue
			}
			if d := rowDiff(t, wr, row); d != "" {
				rep.diff("%s %s: %s", t.Name, k, d)
			}
		}
		for k := range w {
			if !seen[k] {
				rep.diff("%s %s: in the journal, missing from the table", t.Name, k)
			}
		}
	}

	// Append-only tables, in order.
	gotLines, err := db.ReadTable(ctx, platform.LinesTable)
	if err != nil {
		return nil, err
	}
	if len(gotLines) != len(lines) {
		rep.diff("ledger_lines: %d rows, the journal gives %d", len(gotLines), len(lines))
	}
	for i := 0; i < len(lines) && i < len(gotLines); i++ {
		l := lines[i]
		w := []any{l.Seq, int64(l.N), l.At, l.Account, l.Member, l.Amount, l.Reason, l.Ref}
		if d := rowDiff(platform.LinesTable, w, gotLines[i]); d != "" {
			rep.diff("ledger_lines %d/%d: %s", l.Seq, l.N, d)
		}
	}
	gotPrices, err := db.ReadTable(ctx, platform.PricesTable)
	if err != nil {
		return nil, err
	}
	if len(gotPrices) != len(prices) {
		rep.diff("price_history: %d rows, the journal gives %d", len(gotPrices), len(prices))
	}
	for i := 0; i < len(prices) && i < len(gotPrices); i++ {
		pp := prices[i]
		if d := rowDiff(platform.PricesTable, []any{pp.Seq, pp.At, pp.PoolFen, pp.SupplyUpt}, gotPrices[i]); d != "" {
			rep.diff("price_history %d: %s", pp.Seq, d)
		}
	}
	gotPeriods, err := db.ReadTable(ctx, platform.PeriodsTable)
	if err != nil {
		return nil, err
	}
	wantPeriods := map[string]bool{}
	for _, pe := range periods {
		wantPeriods[pe] = true
	}
	for _, row := range gotPeriods {
		if !wantPeriods[row[0].(string)] {
			rep.diff("periods %s: in the table, not in the journal", row[0])
		}
		delete(wantPeriods, row[0].(string))
	}
	for pe := range wantPeriods {
		rep.diff("periods %s: in the journal, missing from the table", pe)
	}

	// Ledger invariants over the table's lines.
	type unitKey struct {
		seq    int64
		points bool
	}
	sums := map[unitKey]int64{}
	bal := map[string]int64{}
	for _, row := range gotLines {
		acct := row[3].(string)
		amt := row[5].(int64)
		sums[unitKey{row[0].(int64), isPoints(acct, row[4].(string))}] += amt
		bal[acct] += amt
	}
	for k, v := range sums {
		if v != 0 {
			rep.diff("ledger: command %d's %s lines sum to %d, not 0", k.seq, unitName(k.points), v)
		}
	}
	gotBal, err := db.ReadTable(ctx, platform.BalancesTable)
	if err != nil {
		return nil, err
	}
	for _, row := range gotBal {
		acct, b := row[0].(string), row[3].(int64)
		if bal[acct] != b {
			rep.diff("balance %s is %d, its ledger lines sum to %d", acct, b, bal[acct])
		}
		delete(bal, acct)
		if row[1].(string) != "" && b < 0 {
			rep.diff("balance %s is negative: %d", acct, b)
		}
	}
	for acct, v := range bal {
		if v != 0 {
			rep.diff("account %s has lines summing to %d and no balance row", acct, v)
		}
	}
	return rep, nil
}

// isPoints reports whether an account counts µpt: a member's points or the
// points issued (pool:points holds fen).
func isPoints(account, member string) bool {
	return (member != "" && strings.HasSuffix(account, ":points")) || account == "points:issued"
}

func unitName(points bool) string {
	if points {
		return "µpt"
	}
	return "fen"
}

func rowKey(t platform.Table, row []any) string {
	var b strings.Builder
	for i := 0; i < t.Key; i++ {
		if i > 0 {
			b.WriteByte('/')
		}
		fmt.Fprint(&b, row[i])
	}
	return b.String()
}

func rowDiff(t platform.Table, want, got []any) string {
	var d []string
	for i, c := range t.Cols {
		if fmt.Sprint(want[i]) != fmt.Sprint(got[i]) {
			d = append(d, fmt.Sprintf("%s is %v, want %v", c, got[i], want[i]))
		}
	}
	return strings.Join(d, "; ")
}
