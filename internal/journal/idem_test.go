package journal

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
)

func TestIdemKeysWindow(t *testing.T) {
	k := newIdemKeys(time.Second) // 1,000 ms
	k.add("a", json.RawMessage(`1`), 0)
	k.add("b", json.RawMessage(`2`), 500)
	k.add("a", json.RawMessage(`3`), 600) // a repeat keeps the first answer
	steps := []struct {
		now  int64
		want []string // keys remembered after expire(now)
	}{
		{999, []string{"a", "b"}},
		{1000, []string{"b"}}, // a window after its first use, a is new again
		{1499, []string{"b"}},
		{1500, nil},
	}
	for _, st := range steps {
		k.expire(st.now)
		var got []string
		for _, key := range []string{"a", "b"} {
			if _, ok := k.get(key); ok {
				got = append(got, key)
			}
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("at %d: remembered %v, want %v", st.now, got, st.want)
		}
	}
	if r, _ := k.get("b"); r != nil {
		t.Errorf("b after its window: %s", r)
	}
	k.add("a", json.RawMessage(`4`), 2000)
	if r, ok := k.get("a"); !ok || string(r) != "4" {
		t.Errorf("a reused after its window: %s %v", r, ok)
	}
	if len(k.order) != 1 || len(k.first) != 1 {
		t.Errorf("kept %d uses and %d answers, want 1 and 1", len(k.order), len(k.first))
	}
}

// A key's repeat is answered from memory for the window after its first
// use, also across a restart, and is a new request after it; verify accepts
// a reuse after the window and reports one inside it.
func TestIdempotencyWindow(t *testing.T) {
	for name, open := range testDBs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			db := open(t)
			p0 := plan.Default()
			var mu sync.Mutex
			now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			cfg := Config{Plan: p0, Clock: clock, IdemWindow: time.Hour}
			s, err := Open(ctx, db, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s.Close() }()
			root := submit(t, s, "sys", platform.Register{Phone: "13800000000", PasswordHash: "h", Code: "ROOT01"})["id"].(string)
			op := "op:" + submit(t, s, "sys", platform.OperatorCreate{Login: "admin", Role: platform.RoleSuper, PasswordHash: "x"})["id"].(string)
			shares := func() (json.RawMessage, int64) {
				t.Helper()
				res, err := s.Submit(ctx, op, "k", platform.SetShares{Member: root, Shares: 1})
				if err != nil {
					t.Fatal(err)
				}
				return res, s.Seq()
			}
			r1, seq1 := shares()
			advance(30 * time.Minute)
			if r, seq := shares(); seq != seq1 || string(r) != string(r1) {
				t.Fatalf("repeat inside the window: seq %d → %d, %s", seq1, seq, r)
			}
			s.Close()
			if s, err = Open(ctx, db, cfg); err != nil {
				t.Fatal(err)
			}
			if _, seq := shares(); seq != seq1 {
				t.Fatalf("repeat inside the window after a restart: seq %d → %d", seq1, seq)
			}
			advance(31 * time.Minute)
			if _, seq := shares(); seq != seq1+1 {
				t.Fatalf("repeat after the window: seq %d → %d, want a new entry", seq1, seq)
			}
			rep, err := Verify(ctx, db, p0, nil, time.Hour)
			if err != nil || len(rep.Differences) > 0 {
				t.Fatalf("verify with the server's window: %v %q", err, rep.Differences)
			}
			rep, err = Verify(ctx, db, p0, nil, 2*time.Hour)
			if err != nil || !slices.ContainsFunc(rep.Differences, func(d string) bool { return strings.Contains(d, "idempotency key") }) {
				t.Fatalf("verify with a longer window missed the reuse: %v %q", err, rep.Differences)
			}
		})
	}
}
