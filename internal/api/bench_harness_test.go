package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/journal"
	"github.com/greenmall/greenmall/internal/plan"
)

type benchServer struct {
	URL string
	Seq *journal.Sequencer
	obs *countingObserver
}

// countingObserver counts group commits on their way to the metrics.
type countingObserver struct {
	*Metrics
	commits, entries atomic.Int64
}

func (o *countingObserver) Batch(size int, d time.Duration) {
	o.commits.Add(1)
	o.entries.Add(int64(size))
	o.Metrics.Batch(size, d)
}

func newBenchServer(b *testing.B, kind string, p *plan.Plan) *benchServer {
	ctx := context.Background()
	db := openTestDB(b, kind)
	m := NewMetrics()
	obs := &countingObserver{Metrics: m}
	seq, err := journal.Open(ctx, db, journal.Config{Plan: p, Regions: Regions{}, Observer: obs})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(seq.Close)
	srv := New(Config{Seq: seq, DB: db, BaseURL: "http://bench", GatewaySecret: []byte("bench"), SandboxGateway: true, Metrics: m})
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	return &benchServer{URL: hs.URL, Seq: seq, obs: obs}
}

func (ts *benchServer) loginMember(b *testing.B, phone string) string {
	st, m := benchDo(http.DefaultClient, ts.URL, "POST", "/api/members/login", "", map[string]any{"phone": phone, "password": "password1"}, "")
	if st != 200 {
		b.Fatalf("login %s: %d %v", phone, st, m)
	}
	return m["token"].(string)
}

func benchDo(c *http.Client, base, method, path, token string, body any, idem string) (int, map[string]any) {
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(j))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(raw, &m) //nolint:errcheck
	return res.StatusCode, m
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
