package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/platform"
)

// mergeBatches keeps every journal entry in order and the last version of
// a read-model row written by more than one batch.
func TestMergeBatches(t *testing.T) {
	row := func(tbl platform.Table, vals ...any) Row { return Row{Table: tbl, Vals: vals} }
	b1 := &Batch{Entries: []Entry{{Seq: 1}, {Seq: 2}}, Rows: []Row{
		row(platform.MembersTable, "m1", "a"), row(platform.LinesTable, int64(1), int64(0), "x"), row(platform.BalancesTable, "m1:available", int64(5)),
	}}
	b2 := &Batch{Entries: []Entry{{Seq: 3}}, Rows: []Row{
		row(platform.BalancesTable, "m1:available", int64(7)), row(platform.MembersTable, "m10", "c"),
		row(platform.LinesTable, int64(1), int64(1), "y"), row(platform.MembersTable, "m1", "b"),
	}}
	got := mergeBatches([]*Batch{b1, b2})
	var seqs []int64
	for _, e := range got.Entries {
		seqs = append(seqs, e.Seq)
	}
	var rows []string
	for _, r := range got.Rows {
		rows = append(rows, fmt.Sprint(r.Table.Name, r.Vals))
	}
	want := []string{"members[m1 b]", "ledger_lines[1 0 x]", "balances[m1:available 7]", "members[m10 c]", "ledger_lines[1 1 y]"}
	if fmt.Sprint(seqs) != "[1 2 3]" || strings.Join(rows, " ") != strings.Join(want, " ") {
		t.Fatalf("merged entries %v, rows %v; want %v", seqs, rows, want)
	}
	if one := mergeBatches([]*Batch{b1}); one != b1 {
		t.Fatal("a single batch is not passed through")
	}
}
