package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/platform"
)

// FuzzWriteRequests sends arbitrary bodies to every documented endpoint that
// writes (a POST, PUT or PATCH with a JSON body or none), each with a caller
// its access rule admits. Whatever the body, the answer is a success or a
// 4xx in the one error shape, never a 5xx or a stopped server, and a
// refusal leaves the journal as it was. The seeds (run by go test) give
// every route an empty object, broken JSON and a valid-looking body.
//
//	go test -run '^$' -fuzz FuzzWriteRequests -fuzztime 60s ./internal/api/
func FuzzWriteRequests(f *testing.F) {
	ts := newTestServer(f, "sqlite", nil)
	root, ms := ts.shopInvitees(1)
	other := ms[0]
	pid := ts.submit("op:op1", platform.ProductPut{Name: "礼包", PriceFen: 39900, Stock: 1000, Profile: "gift", Gift: true, Active: true})["id"].(string)
	sp := ts.submit("op:op1", platform.ServicePointCreate{Name: "一号店", Owner: root.ID, Region: "110101"})["id"].(string)
	ts.submit("op:op1", platform.StockAllot{ServicePoint: sp, Product: pid, Qty: 100})
	ts.submit("gateway", platform.WalletTopUp{Member: root.ID, AmountFen: 10_000_000, GatewayTxn: "fuzz"})
	oid := ts.submit("m:"+root.ID, platform.OrderCreate{Member: root.ID, Items: []platform.Item{{Product: pid, Qty: 1}}, Pickup: sp, PickupCode: "123456"})["id"].(string)
	wid := ts.submit("m:"+root.ID, platform.WithdrawRequest{Member: root.ID, AmountFen: 10000, Account: "支付宝 138"})["id"].(string)

	// Path parameters name real rows, so that bodies reach the commands.
	ids := strings.NewReplacer("/orders/{id}", "/orders/"+oid, "/withdrawals/{id}", "/withdrawals/"+wid,
		"/members/{id}", "/members/"+other.ID, "/service-points/{id}", "/service-points/"+sp,
		"/products/{id}", "/products/"+pid, "{name}", "华东")
	type target struct{ method, path, token string }
	var targets []target
	for _, rt := range oaRoutes {
		if rt.method == "GET" || rt.rawBody != "" || strings.HasPrefix(rt.path, "/sandbox/") || rt.path == "/api/logout" {
			continue // reads, form posts, and the end of the session the rest use
		}
		tok := map[string]string{"member": root.Token, "operator": ts.Admin}[rt.auth]
		targets = append(targets, target{rt.method, ids.Replace(rt.path), tok})
	}
	// A valid body for each route (its path after the replacements), so
	// that the seeds reach the commands and not only the decoder.
	valid := map[string]string{
		"/api/orders":                                fmt.Sprintf(`{"items":[{"product":%q,"qty":1}],"pickup":%q}`, pid, sp),
		"/api/orders/" + oid + "/pay":                `{"method":"wallet"}`,
		"/api/staff/pickup":                          fmt.Sprintf(`{"order":%q,"code":"123456"}`, oid),
		"/api/withdrawals":                           `{"amount_fen":20000,"account":"支付宝 138"}`,
		"/api/points/sell/preview":                   `{"upt":1000}`,
		"/api/points/sell":                           `{"upt":1000}`,
		"/api/wallet/topups":                         `{"amount_fen":10000}`,
		"/api/me":                                    `{"name":"新名字"}`,
		"/api/members/register":                      fmt.Sprintf(`{"phone":"13912345678","password":"password-1","invite_code":%q}`, root.Code),
		"/api/admin/products":                        `{"name":"茶","price_fen":1000,"stock":5,"profile":"gift","active":true}`,
		"/api/admin/products/" + pid:                 `{"name":"礼包","price_fen":39900,"stock":900,"profile":"gift","gift":true,"active":true}`,
		"/api/admin/withdrawals/" + wid + "/approve": `{}`,
		"/api/admin/withdrawals/" + wid + "/paid":    `{"transfer_ref":"T1"}`,
		"/api/admin/members/" + other.ID + "/shares": `{"shares":2}`,
		"/api/admin/service-points":                  fmt.Sprintf(`{"name":"二号店","owner":%q,"region":"110101"}`, root.ID),
		"/api/admin/service-points/" + sp + "/stock": fmt.Sprintf(`{"product":%q,"qty":5}`, pid),
		"/api/admin/region-agents":                   fmt.Sprintf(`{"member":%q,"tier":"district","code":"110101"}`, other.ID),
		"/api/admin/periods/close":                   `{"period":"2026-10-31"}`,
	}
	for i, tg := range targets {
		f.Add(uint8(i), []byte(`{}`))
		f.Add(uint8(i), []byte(`{"a":`))
		if v, ok := valid[tg.path]; ok {
			f.Add(uint8(i), []byte(v))
		}
	}

	var n int
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		before := ts.Seq.Seq()
		req, err := http.NewRequest(tg.method, ts.URL+tg.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		n++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("fuzz-%d", n))
		if tg.token != "" {
			req.Header.Set("Authorization", "Bearer "+tg.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", tg.method, tg.path, err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", tg.method, tg.path, body, res.StatusCode, raw)
		}
		if res.StatusCode < 400 {
			if !json.Valid(raw) {
				t.Fatalf("%s %s %q: %d with a body that is not JSON: %q", tg.method, tg.path, body, res.StatusCode, raw)
			}
			return
		}
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("%s %s %q: %d without the error shape: %q", tg.method, tg.path, body, res.StatusCode, raw)
		}
		if after := ts.Seq.Seq(); after != before {
			t.Fatalf("%s %s %q: refused (%d %s) but the journal moved %d → %d", tg.method, tg.path, body, res.StatusCode, e.Error.Code, before, after)
		}
	})
}
