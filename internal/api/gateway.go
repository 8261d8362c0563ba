package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/greenmall/greenmall/internal/platform"
)

// PaymentProvider is a payment gateway. It tells the payer where to pay an
// order or a top-up; once paid, the gateway notifies POST
// /api/payments/callback with a body signed with the gateway secret (a real
// provider's own notification format needs an adapter in front of it).
type PaymentProvider interface {
	PaymentURL(p Payment) (string, error)
}

// Payment is what a payer is sent to pay: an order, or a member's top-up
// intent.
type Payment struct {
	Order     string
	Topup     string
	Member    string
	AmountFen int64
}

// sandboxGateway is the built-in PaymentProvider. It stands in for a real
// one: its pages, served by this server and clearly marked as a sandbox,
// "pay" by sending the server the same signed callback a provider would.
// No money moves.
type sandboxGateway struct{ s *Server }

func (g sandboxGateway) PaymentURL(p Payment) (string, error) {
	if p.Topup != "" {
		return g.s.sandboxTopUpURL(p.Topup, p.Member, p.AmountFen), nil
	}
	return g.s.sandboxURL(p.Order), nil
}

// payTo answers with where to pay p, or that there is no gateway.
func (s *Server) payTo(w http.ResponseWriter, r *http.Request, p Payment, status int, answer map[string]any) {
	if s.Payments == nil {
		writeError(w, 503, "gateway_unavailable", "no payment gateway is configured on this platform; pay from the wallet balance")
		return
	}
	u, err := s.Payments.PaymentURL(p)
	if err != nil {
		s.fail(w, r, fmt.Errorf("payment URL: %w", err))
		return
	}
	answer["payment_url"] = u
	writeJSON(w, status, answer)
}

// SignatureHeader carries hex(HMAC-SHA256(GatewaySecret, body)) of a
// gateway callback.
const SignatureHeader = "X-Greenmall-Signature"

// Callback freshness: older than callbackMaxAge or further in the future
// than callbackMaxSkew is refused.
const (
	callbackMaxAge  = 10 * time.Minute
	callbackMaxSkew = time.Minute
)

// gatewayCallback is the body of a payment callback: it pays either an
// order or a member's wallet top-up.
type gatewayCallback struct {
	Order     string `json:"order,omitempty"`
	Topup     string `json:"topup,omitempty"`  // a top-up intent, with
	Member    string `json:"member,omitempty"` // the member it credits
	Txn       string `json:"txn"`
	AmountFen int64  `json:"amount_fen"`
	TS        int64  `json:"ts"` // unix seconds
	Nonce     string `json:"nonce"`
}

var (
	errBadSignature = errors.New("gateway callback: bad or missing signature")
	errStale        = errors.New("gateway callback: timestamp outside the accepted window")
	errMalformed    = errors.New("gateway callback: malformed body")
)

// signCallback returns the signature of body.
func signCallback(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// verifyCallback checks sig against body (in constant time) before it
// looks at the body, then decodes it strictly and checks its timestamp
// against now.
func verifyCallback(secret, body []byte, sig string, now time.Time) (gatewayCallback, error) {
	var cb gatewayCallback
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || len(got) != sha256.Size || len(secret) == 0 {
		return cb, errBadSignature
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return cb, errBadSignature
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cb); err != nil || dec.More() {
		return gatewayCallback{}, errMalformed
	}
	switch {
	case (cb.Order == "") == (cb.Topup == ""), len(cb.Order) > 64, len(cb.Topup) > 64,
		(cb.Topup == "") != (cb.Member == ""), len(cb.Member) > 64,
		cb.Txn == "" || len(cb.Txn) > 64, len(cb.Nonce) > 128, cb.AmountFen < 1:
		return gatewayCallback{}, errMalformed
	}
	t := time.Unix(cb.TS, 0)
	if now.Sub(t) > callbackMaxAge || t.Sub(now) > callbackMaxSkew {
		return gatewayCallback{}, errStale
	}
	return cb, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) //nolint:errcheck // crypto/rand never fails
	return hex.EncodeToString(b)
}

func (s *Server) gatewayRoutes() {
	s.mux.HandleFunc("POST /api/payments/callback", s.paymentCallback)
	s.mux.HandleFunc("POST /api/wallet/topups", s.member(s.topUpCreate))
	if _, sandbox := s.Payments.(sandboxGateway); !sandbox {
		return
	}
	s.mux.HandleFunc("GET /sandbox/pay/{order}", s.sandboxPage)
	s.mux.HandleFunc("POST /sandbox/pay/{order}", s.sandboxPay)
	s.mux.HandleFunc("GET /sandbox/topup/{intent}", s.sandboxTopUpPage)
	s.mux.HandleFunc("POST /sandbox/topup/{intent}", s.sandboxTopUpPay)
}

func (s *Server) paymentCallback(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		writeError(w, 400, platform.CodeInvalid, "callback body too large or unreadable")
		return
	}
	status, out := s.processCallback(r, body, r.Header.Get(SignatureHeader))
	writeJSON(w, status, out)
}

// processCallback verifies and applies a payment callback and returns the
// HTTP status and body of the answer. A repeat of an applied callback (the
// same txn) answers as the first did and changes nothing.
func (s *Server) processCallback(r *http.Request, body []byte, sig string) (int, any) {
	errBody := func(code, msg string) any { return map[string]apiError{"error": {Code: code, Message: msg}} }
	cb, err := verifyCallback(s.GatewaySecret, body, sig, s.Clock())
	switch {
	case errors.Is(err, errBadSignature):
		return 401, errBody("bad_signature", "the callback's signature does not match its body")
	case errors.Is(err, errStale):
		return 400, errBody(platform.CodeInvalid, "the callback's timestamp is outside the accepted window")
	case err != nil:
		return 400, errBody(platform.CodeInvalid, "malformed callback body")
	}
	var cmd platform.Cmd
	var ok map[string]string
	paid := cb.Order // what gatewayTxns records for a transaction that paid this
	if cb.Topup != "" {
		cmd = platform.WalletTopUp{Member: cb.Member, AmountFen: cb.AmountFen, GatewayTxn: cb.Txn, Intent: cb.Topup}
		ok = map[string]string{"topup": cb.Topup, "member": cb.Member, "txn": cb.Txn, "status": "paid"}
		paid = "wallet " + cb.Member
	} else {
		cmd = platform.OrderPay{Order: cb.Order, Method: "gateway", GatewayTxn: cb.Txn, AmountFen: cb.AmountFen}
		ok = map[string]string{"order": cb.Order, "txn": cb.Txn, "status": "paid"}
	}
	_, err = s.Seq.Submit(r.Context(), "gateway", "txn:"+cb.Txn, cmd)
	if err == nil {
		return 200, ok
	}
	var pe *platform.Error
	if errors.As(err, &pe) {
		// The same transaction already paid this very order or top-up: a
		// replay.
		already := false
		s.Seq.Read(func(p *platform.Platform) {
			what, seen := p.GatewayTxn(cb.Txn)
			already = seen && what == paid
		})
		if already {
			return 200, ok
		}
		return statusOf[pe.Code], errBody(pe.Code, pe.Msg)
	}
	s.Log.Error("payment callback failed", "order", cb.Order, "txn", cb.Txn, "err", err)
	return 500, errBody("internal", "internal error; the gateway should retry")
}

// sandboxToken authorises a sandbox payment link, so that only the holder
// of the payment_url can "pay": it signs what the link pays (an order, or a
// top-up's intent, member and amount).
func (s *Server) sandboxToken(what string) string {
	m := hmac.New(sha256.New, s.GatewaySecret)
	m.Write([]byte(what))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// sandboxSettle "pays" as the gateway would: it signs cb's callback, hands
// it to the server's own callback handling and shows the outcome.
func (s *Server) sandboxSettle(w http.ResponseWriter, r *http.Request, cb gatewayCallback, subject string) {
	cb.Txn, cb.TS, cb.Nonce = "sbx"+randomHex(12), s.Clock().Unix(), randomHex(8)
	body, err := json.Marshal(cb)
	if err != nil {
		s.fail(w, r, fmt.Errorf("encode sandbox callback: %w", err))
		return
	}
	status, out := s.processCallback(r, body, signCallback(s.GatewaySecret, body))
	d := sandboxData{Subject: subject, Yuan: yuan(cb.AmountFen), Message: "沙箱支付成功 / sandbox payment done"}
	if status != 200 {
		msg, _ := json.Marshal(out)
		d.Message = "支付失败 / payment failed: " + string(msg)
	}
	s.renderSandbox(w, status, d)
}

func (s *Server) sandboxURL(order string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/sandbox/pay/" + url.PathEscape(order) + "?t=" + s.sandboxToken("sandbox-pay:"+order)
}

func (s *Server) sandboxCheck(w http.ResponseWriter, r *http.Request) (order string, amount int64, status string, ok bool) {
	order = r.PathValue("order")
	if !hmac.Equal([]byte(r.URL.Query().Get("t")), []byte(s.sandboxToken("sandbox-pay:"+order))) {
		http.Error(w, "沙箱支付链接无效 / invalid sandbox payment link", http.StatusForbidden)
		return "", 0, "", false
	}
	found := false
	s.Seq.Read(func(p *platform.Platform) {
		if o, f := p.Order(order); f {
			amount, status, found = o.AmountFen, o.Status, true
		}
	})
	if !found {
		http.Error(w, "订单不存在 / no such order", http.StatusNotFound)
		return "", 0, "", false
	}
	return order, amount, status, true
}

var sandboxTmpl = template.Must(template.New("sandbox").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>沙箱支付 Sandbox payment</title>
<style>body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em}
.warn{background:#fff3cd;border:1px solid #e0a800;padding:.8em;border-radius:6px}
button{font-size:1.2em;padding:.5em 2em}</style></head><body>
<p class="warn"><b>沙箱环境 / SANDBOX</b>：这不是真实支付，不会扣款。<br>This is not a real payment; no money moves.</p>
<h1>{{.Subject}}</h1>
<p>金额 Amount: ¥{{.Yuan}}</p>
{{if .Message}}<p><b>{{.Message}}</b></p>{{end}}
{{if .Payable}}<form method="post" action="{{.Action}}"><button type="submit">模拟支付 Pay (sandbox)</button></form>{{end}}
</body></html>`))

type sandboxData struct {
	Subject, Yuan, Action, Message string
	Payable                        bool
}

func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func (s *Server) renderSandbox(w http.ResponseWriter, status int, d sandboxData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	sandboxTmpl.Execute(w, d) //nolint:errcheck // the client went away
}

func (s *Server) sandboxPage(w http.ResponseWriter, r *http.Request) {
	order, amount, status, ok := s.sandboxCheck(w, r)
	if !ok {
		return
	}
	d := sandboxData{Subject: "订单 Order " + order, Yuan: yuan(amount), Action: r.URL.RequestURI(), Payable: status == platform.StatusPending}
	if !d.Payable {
		d.Message = "订单状态 Order status: " + status
	}
	s.renderSandbox(w, 200, d)
}

// sandboxPay "pays" an order: it signs a callback as the gateway would and
// hands it to the server's own callback handling.
func (s *Server) sandboxPay(w http.ResponseWriter, r *http.Request) {
	order, amount, _, ok := s.sandboxCheck(w, r)
	if !ok {
		return
	}
	s.sandboxSettle(w, r, gatewayCallback{Order: order, AmountFen: amount}, "订单 Order "+order)
}

// ---- wallet top-up (余额充值) ----

// Top-up bounds at the edge, per request; the engine's own bound is 10^12.
const (
	minTopUpFen = 100       // ¥1
	maxTopUpFen = 5_000_000 // ¥50,000
)

// topUpCreate starts a top-up: it returns the gateway's payment URL for an
// intent of the member's. Nothing is recorded until the gateway's signed
// callback says it was paid; an intent is paid at most once.
func (s *Server) topUpCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AmountFen int64 `json:"amount_fen"`
	}
	if !decode(w, r, &req) {
		return
	}
	if req.AmountFen < minTopUpFen || req.AmountFen > maxTopUpFen {
		writeError(w, 400, platform.CodeInvalid, fmt.Sprintf("a top-up is %s to %s yuan", yuan(minTopUpFen), yuan(maxTopUpFen)))
		return
	}
	intent := "tu" + randomHex(10)
	s.payTo(w, r, Payment{Topup: intent, Member: principalOf(r).Member, AmountFen: req.AmountFen}, 201,
		map[string]any{"intent": intent, "amount_fen": req.AmountFen})
}

// sandboxTopUpToken binds a top-up link to its intent, member and amount.
func (s *Server) sandboxTopUpToken(intent, member string, amount int64) string {
	return s.sandboxToken(fmt.Sprintf("sandbox-topup:%s|%s|%d", intent, member, amount))
}

func (s *Server) sandboxTopUpURL(intent, member string, amount int64) string {
	q := url.Values{"m": {member}, "a": {fmt.Sprint(amount)}, "t": {s.sandboxTopUpToken(intent, member, amount)}}
	return strings.TrimRight(s.BaseURL, "/") + "/sandbox/topup/" + url.PathEscape(intent) + "?" + q.Encode()
}

func (s *Server) sandboxTopUpCheck(w http.ResponseWriter, r *http.Request) (intent, member string, amount int64, ok bool) {
	intent, q := r.PathValue("intent"), r.URL.Query()
	member = q.Get("m")
	amount, err := strconv.ParseInt(q.Get("a"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("t")), []byte(s.sandboxTopUpToken(intent, member, amount))) {
		http.Error(w, "沙箱支付链接无效 / invalid sandbox payment link", http.StatusForbidden)
		return "", "", 0, false
	}
	return intent, member, amount, true
}

func (s *Server) sandboxTopUpPage(w http.ResponseWriter, r *http.Request) {
	intent, _, amount, ok := s.sandboxTopUpCheck(w, r)
	if !ok {
		return
	}
	paid := false
	s.Seq.Read(func(p *platform.Platform) { paid = p.TopUpPaid(intent) })
	d := sandboxData{Subject: "余额充值 Top-up " + intent, Yuan: yuan(amount), Action: r.URL.RequestURI(), Payable: !paid}
	if paid {
		d.Message = "已支付 / already paid"
	}
	s.renderSandbox(w, 200, d)
}

func (s *Server) sandboxTopUpPay(w http.ResponseWriter, r *http.Request) {
	intent, member, amount, ok := s.sandboxTopUpCheck(w, r)
	if !ok {
		return
	}
	s.sandboxSettle(w, r, gatewayCallback{Topup: intent, Member: member, AmountFen: amount}, "余额充值 Top-up "+intent)
}
