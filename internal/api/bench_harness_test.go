package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/greenmall/greenmall/internal/journal"
	"github.com/greenmall/greenmall/internal/plan"
)

type benchServer struct {
	URL string
	Seq *journal.Sequencer
}

func newBenchServer(b *testing.B, kind string, p *plan.Plan) *benchServer {
	ctx := context.Background()
	db := openTestDB(b, kind)
	m := NewMetrics()
	seq, err := journal.Open(ctx, db, journal.Config{Plan: p, Regions: Regions{}, Observer: m})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(seq.Close)
	srv := New(Config{Seq: seq, DB: db, BaseURL: "http://bench", GatewaySecret: []byte("bench"), SandboxGateway: true, Metrics: m})
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	return &benchServer{URL: hs.URL, Seq: seq}
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
