package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/journal"
	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// testServer is the real server over HTTP on a real database.
type testServer struct {
	t     testing.TB
	URL   string
	DB    *store.DB
	Seq   *journal.Sequencer
	Plan  *plan.Plan
	Srv   *Server
	Admin string // a super operator's token
	phone atomic.Int64
}

// forEachDB runs f against SQLite, and PostgreSQL when GREENMALL_TEST_PG
// names a database.
func forEachDB(t *testing.T, f func(t *testing.T, kind string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, "sqlite") })
	if os.Getenv("GREENMALL_TEST_PG") != "" {
		t.Run("postgres", func(t *testing.T) { f(t, "postgres") })
	}
}

// openTestDB opens an empty store of kind ("sqlite" or "postgres"),
// closed when the test ends.
func openTestDB(tb testing.TB, kind string) *store.DB {
	tb.Helper()
	if kind == "postgres" {
		return store.OpenTestPG(tb, os.Getenv("GREENMALL_TEST_PG"))
	}
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "gm.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// newTestServer starts a server with plan p (the default plan with no
// return window when nil) and a super operator "admin".
func newTestServer(t testing.TB, kind string, p *plan.Plan) *testServer {
	return newTestServerClock(t, kind, p, nil)
}

// newTestServerClock is newTestServer with the server's and the journal's
// clock (time.Now when nil).
func newTestServerClock(t testing.TB, kind string, p *plan.Plan, clock func() time.Time) *testServer {
	t.Helper()
	return newTestServerWith(t, kind, p, clock, true)
}

// newTestServerWith is newTestServerClock with the sandbox gateway on or off.
func newTestServerWith(t testing.TB, kind string, p *plan.Plan, clock func() time.Time, sandbox bool) *testServer {
	t.Helper()
	ctx := context.Background()
	db := openTestDB(t, kind)
	if p == nil {
		p = plan.Default()
		p.Platform.ReturnWindowDays = 0
	}
	m := NewMetrics()
	seq, err := journal.Open(ctx, db, journal.Config{Plan: p, Regions: Regions{}, Observer: m, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(seq.Close)
	srv := New(Config{Seq: seq, DB: db, BaseURL: "http://test", GatewaySecret: []byte("test-secret"), SandboxGateway: sandbox, Metrics: m, Clock: clock})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ts := &testServer{t: t, URL: hs.URL, DB: db, Seq: seq, Plan: p, Srv: srv}
	ts.phone.Store(13000000000)
	if _, err := seq.Submit(ctx, "sys", "", platform.OperatorCreate{Login: "admin", Role: platform.RoleSuper, PasswordHash: HashPassword("admin-pass")}); err != nil {
		t.Fatal(err)
	}
	ts.Admin = ts.login("/api/operators/login", map[string]any{"login": "admin", "password": "admin-pass"})
	return ts
}

// resp is a decoded answer.
type resp struct {
	Status int
	Body   map[string]any
	List   []any // when the body is a JSON array
	Raw    []byte
}

// Code returns the error code of an error answer.
func (r resp) Code() string {
	if e, ok := r.Body["error"].(map[string]any); ok {
		return fmt.Sprint(e["code"])
	}
	return ""
}

// Str returns a top-level string field.
func (r resp) Str(k string) string { s, _ := r.Body[k].(string); return s }

// Int returns a top-level number field as int64.
func (r resp) Int(k string) int64 { f, _ := r.Body[k].(float64); return int64(f) }

// do sends a request; body may be nil, a string (sent raw) or a value
// (sent as JSON). idem, when not "", is the Idempotency-Key.
func (ts *testServer) do(method, path, token string, body any, idem string) resp {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := resp{Status: res.StatusCode, Raw: raw}
	if len(raw) > 0 && raw[0] == '[' {
		json.Unmarshal(raw, &out.List) //nolint:errcheck
	} else {
		json.Unmarshal(raw, &out.Body) //nolint:errcheck
	}
	return out
}

// must sends a request and fails the test unless the status is want.
func (ts *testServer) must(want int, method, path, token string, body any, idem string) resp {
	ts.t.Helper()
	r := ts.do(method, path, token, body, idem)
	if r.Status != want {
		ts.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Raw)
	}
	return r
}

func (ts *testServer) login(path string, body any) string {
	ts.t.Helper()
	r := ts.must(200, "POST", path, "", body, "")
	return r.Str("token")
}

// member is a registered member with its token.
type member struct {
	ID, Code, Token, Phone string
}

// register registers a member invited by code ("" for the first member).
func (ts *testServer) register(invite string) member {
	ts.t.Helper()
	phone := fmt.Sprint(ts.phone.Add(1))
	r := ts.must(201, "POST", "/api/members/register", "", map[string]any{"phone": phone, "password": "password1", "invite_code": invite}, "")
	return member{ID: r.Str("id"), Code: r.Str("invite_code"), Token: r.Str("token"), Phone: phone}
}

// operatorToken creates an operator with role and returns its token.
func (ts *testServer) operatorToken(role string) string {
	ts.t.Helper()
	login := fmt.Sprintf("%s-%d", role, time.Now().UnixNano())
	if _, err := ts.Seq.Submit(context.Background(), "sys", "", platform.OperatorCreate{Login: login, Role: role, PasswordHash: HashPassword("op-password")}); err != nil {
		ts.t.Fatal(err)
	}
	return ts.login("/api/operators/login", map[string]any{"login": login, "password": "op-password"})
}

// verify checks the store against the journal.
func (ts *testServer) verify() {
	ts.t.Helper()
	rep, err := journal.Verify(context.Background(), ts.DB, ts.Plan, Regions{}, 0)
	if err != nil {
		ts.t.Fatal(err)
	}
	if len(rep.Differences) > 0 {
		ts.t.Fatalf("verify: %s", strings.Join(rep.Differences, "\n"))
	}
}

// submit sends a command as actor straight to the sequencer and returns
// its answer (nil for commands that answer nothing).
func (ts *testServer) submit(actor string, c platform.Cmd) map[string]any {
	ts.t.Helper()
	res, err := ts.Seq.Submit(context.Background(), actor, "", c)
	if err != nil {
		ts.t.Fatalf("%s: %v", c.Kind(), err)
	}
	var out map[string]any
	if err := json.Unmarshal(res, &out); err != nil {
		ts.t.Fatalf("%s answer %s: %v", c.Kind(), res, err)
	}
	return out
}

// view returns a member's engine view.
func (ts *testServer) view(id string) (v engine.MemberView) {
	ts.Seq.Read(func(p *platform.Platform) { v, _ = p.View(id) })
	return v
}
