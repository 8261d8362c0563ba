// Package api is the platform's HTTP JSON API: members, catalogue, orders,
// wallet, points, team, withdrawals and the operator's console endpoints.
// Writes go through the journal's sequencer; reads come from its in-memory
// state or the SQL read models.
package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/greenmall/greenmall/internal/journal"
	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// Config configures a Server.
type Config struct {
	Seq     *journal.Sequencer
	DB      *store.DB
	Log     *slog.Logger
	SMS     SMSProvider // DevSMS when nil
	BaseURL string      // for invite links and the sandbox gateway, e.g. http://localhost:8080
	// GatewaySecret signs the gateway's callbacks (HMAC-SHA256).
	GatewaySecret []byte
	// Payments is the payment gateway orders and top-ups are paid through.
	// When nil and SandboxGateway is set, the built-in sandbox serves (it
	// pays without moving money: for development and demonstrations only);
	// with neither, the platform takes no gateway payments.
	Payments       PaymentProvider
	SandboxGateway bool
	Clock          func() time.Time
	Metrics        *Metrics // created when nil; pass the one given to the sequencer
}

// Server serves the API.
type Server struct {
	Config
	mux     *http.ServeMux
	limiter *limiter
	sms     *smsCodes
}

// New returns a server.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.SMS == nil {
		cfg.SMS = DevSMS{Log: cfg.Log}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if len(cfg.GatewaySecret) == 0 {
		cfg.GatewaySecret = make([]byte, 32)
		rand.Read(cfg.GatewaySecret)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	s := &Server{Config: cfg, mux: http.NewServeMux(), limiter: newLimiter(), sms: newSMSCodes()}
	if s.Payments == nil && s.SandboxGateway {
		s.Payments = sandboxGateway{s}
	}
	s.routes()
	s.Metrics.watchSettlements(func() (orders, fen int64) {
		s.Seq.Read(func(p *platform.Platform) { orders, fen = p.Settled() })
		return orders, fen
	})
	return s
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.Metrics.wrap(s.mux) }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", s.Metrics.Handler())
	s.mux.HandleFunc("GET /api/openapi.json", s.openapi)
	s.memberRoutes()
	s.regionRoutes()
	s.shopRoutes()
	s.moneyRoutes()
	s.operatorRoutes()
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.SQL.PingContext(ctx); err != nil {
		writeError(w, 503, "unavailable", "database unreachable")
		return
	}
	writeJSON(w, 200, map[string]any{"status": "ready", "journal_seq": s.Seq.Seq()})
}

// ---- JSON in and out ----

// apiError is the one error shape: {"error": {"code", "message"}}.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

func writeRaw(w http.ResponseWriter, status int, raw []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(raw) //nolint:errcheck
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]apiError{"error": {Code: code, Message: msg}})
}

// statusOf maps a platform error code to an HTTP status.
var statusOf = map[string]int{
	platform.CodeInvalid:      http.StatusBadRequest,
	platform.CodeNotFound:     http.StatusNotFound,
	platform.CodeConflict:     http.StatusConflict,
	platform.CodeInsufficient: http.StatusUnprocessableEntity,
	platform.CodeRule:         http.StatusUnprocessableEntity,
	platform.CodeForbidden:    http.StatusForbidden,
}

// fail writes err: a platform rejection as 4xx with its code, anything
// else as 500 with the detail only in the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *platform.Error
	if errors.As(err, &pe) {
		writeError(w, statusOf[pe.Code], pe.Code, pe.Msg)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	s.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, 500, "internal", "internal error; the request may be retried with the same Idempotency-Key")
}

const maxBody = 1 << 20

// decode reads a JSON body into v, refusing unknown fields and trailing data.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if errors.Is(err, io.EOF) {
			msg = "request body is empty"
		}
		writeError(w, 400, platform.CodeInvalid, "bad JSON body: "+msg)
		return false
	}
	if dec.More() {
		writeError(w, 400, platform.CodeInvalid, "bad JSON body: data after the object")
		return false
	}
	return true
}

// submit sends a command; writes the answer (status ok) or the error.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, actor string, c platform.Cmd, ok int) {
	res, err := s.Seq.Submit(r.Context(), actor, idemKey(r), c)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if string(res) == "null" {
		res = []byte(`{"ok":true}`)
	}
	writeRaw(w, ok, res)
}

// submitValue is submit for callers that need the answer.
func (s *Server) submitValue(w http.ResponseWriter, r *http.Request, actor string, c platform.Cmd, v any) bool {
	res, err := s.Seq.Submit(r.Context(), actor, idemKey(r), c)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if v != nil {
		if err := json.Unmarshal(res, v); err != nil {
			s.fail(w, r, fmt.Errorf("decode answer of %s: %w", c.Kind(), err))
			return false
		}
	}
	return true
}

func idemKey(r *http.Request) string { return strings.TrimSpace(r.Header.Get("Idempotency-Key")) }

// requireIdem refuses a money-moving POST without an Idempotency-Key.
func requireIdem(w http.ResponseWriter, r *http.Request) bool {
	k := idemKey(r)
	if k == "" || len(k) > 128 {
		writeError(w, 400, platform.CodeInvalid, "this request moves money or points: send an Idempotency-Key header (1 to 128 characters)")
		return false
	}
	return true
}

// paging reads ?page= (from 1) and ?size= (1..100, 20 by default).
func paging(w http.ResponseWriter, r *http.Request) (page, size int, ok bool) {
	page, size = 1, 20
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			writeError(w, 400, platform.CodeInvalid, "page must be a number from 1")
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, 400, platform.CodeInvalid, "size must be a number from 1 to 100")
			return 0, 0, false
		}
		size = n
	}
	return page, size, true
}
