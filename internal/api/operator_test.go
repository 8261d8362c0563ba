package api

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/platform"
)

// consoleEndpoints lists every operator endpoint with the roles, besides
// super, that may use it.
var consoleEndpoints = []struct {
	method, path string
	roles        []string
}{
	{"GET", "/api/admin/members", []string{"finance", "operations"}},
	{"GET", "/api/admin/members/m1", []string{"finance", "operations"}},
	{"POST", "/api/admin/members/m1/level", []string{"operations"}},
	{"POST", "/api/admin/members/m1/shares", nil},
	{"POST", "/api/admin/members/m1/ban", []string{"operations"}},
	{"GET", "/api/admin/service-points", []string{"operations"}},
	{"POST", "/api/admin/service-points", []string{"operations"}},
	{"POST", "/api/admin/service-points/sp1/staff", []string{"operations"}},
	{"POST", "/api/admin/service-points/sp1/stock", []string{"operations"}},
	{"GET", "/api/admin/region-agents", []string{"operations"}},
	{"POST", "/api/admin/region-agents", []string{"operations"}},
	{"GET", "/api/admin/big-regions", nil},
	{"PUT", "/api/admin/big-regions/华北", nil},
	{"GET", "/api/admin/plan", []string{"finance", "operations"}},
	{"GET", "/api/admin/plan/versions", []string{"finance", "operations"}},
	{"POST", "/api/admin/plan/validate", []string{"finance", "operations"}},
	{"PUT", "/api/admin/plan", nil},
	{"POST", "/api/admin/periods/close", []string{"finance"}},
	{"GET", "/api/admin/periods", []string{"finance"}},
	{"GET", "/api/admin/dashboard", []string{"finance", "operations"}},
	{"GET", "/api/admin/audit", nil},
	{"GET", "/api/admin/operators", nil},
	{"POST", "/api/admin/operators", nil},
}

func TestOperatorAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		root := ts.register("")
		tokens := map[string]string{"finance": ts.operatorToken("finance"), "operations": ts.operatorToken("operations")}
		for _, ep := range consoleEndpoints {
			name := ep.method + " " + ep.path
			var body any
			if ep.method != "GET" {
				body = map[string]any{}
			}
			if r := ts.do(ep.method, ep.path, "", body, ""); r.Status != 401 {
				t.Errorf("%s without a token: %d %s", name, r.Status, r.Raw)
			}
			if r := ts.do(ep.method, ep.path, root.Token, body, ""); r.Status != 403 {
				t.Errorf("%s by a member: %d %s", name, r.Status, r.Raw)
			}
			for role, tok := range tokens {
				allowed := false
				for _, a := range ep.roles {
					allowed = allowed || a == role
				}
				r := ts.do(ep.method, ep.path, tok, body, "")
				if !allowed && (r.Status != 403 || r.Code() != "forbidden") {
					t.Errorf("%s by %s: %d %s, want 403", name, role, r.Status, r.Raw)
				}
				if allowed && (r.Status == 401 || r.Status == 403) {
					t.Errorf("%s by %s: %d %s, want access", name, role, r.Status, r.Raw)
				}
			}
		}
		ts.verify()
	})
}

func TestOperatorConsole(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		ops := ts.operatorToken("operations")
		fin := ts.operatorToken("finance")
		root := ts.register("")

		// A gift order settles: root becomes an agent and can invite.
		prod := ts.submit("sys", platform.ProductPut{Name: "礼包", PriceFen: 100000, Stock: 10, Profile: "gift", Active: true})["id"].(string)
		order := ts.submit("m:"+root.ID, platform.OrderCreate{Member: root.ID, Items: []platform.Item{{Product: prod, Qty: 1}},
			Address: &platform.Address{Region: "110101", Detail: "1号", Name: "张三", Phone: root.Phone}})["id"].(string)
		ts.submit("gateway", platform.OrderPay{Order: order, Method: "gateway", GatewayTxn: "t1", AmountFen: 100000})
		ts.submit("sys", platform.OrderShip{Order: order, Carrier: "SF", Tracking: "1"})
		ts.submit("m:"+root.ID, platform.OrderReceive{Order: order})
		ts.submit("sys", platform.Tick{})
		alice := ts.register(root.Code)
		bob := ts.register(root.Code)

		// Members: search, filter, page, detail.
		r := ts.must(200, "GET", "/api/admin/members?size=2", fin, nil, "")
		if r.Int("total") != 3 || len(r.Body["items"].([]any)) != 2 {
			t.Fatalf("members: %s", r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/members?q="+alice.Phone, ops, nil, "")
		if r.Int("total") != 1 || r.Body["items"].([]any)[0].(map[string]any)["id"] != alice.ID {
			t.Fatalf("members by phone: %s", r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/members?q="+bob.ID, ops, nil, "")
		if r.Int("total") != 1 {
			t.Fatalf("members by id: %s", r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/members?role=agent", ops, nil, "")
		if r.Int("total") != 1 {
			t.Fatalf("agents: %s", r.Raw)
		}
		ts.must(400, "GET", "/api/admin/members?page=0", ops, nil, "")
		r = ts.must(200, "GET", "/api/admin/members/"+alice.ID, fin, nil, "")
		if r.Str("referrer") != root.ID || r.Str("role") != "member" || r.Body["banned"] != false {
			t.Fatalf("member: %s", r.Raw)
		}
		ts.must(404, "GET", "/api/admin/members/m999", fin, nil, "")

		// Level and shares.
		ts.must(200, "POST", "/api/admin/members/"+root.ID+"/level", ops, map[string]any{"level": "partner"}, "")
		if r := ts.must(200, "GET", "/api/admin/members?level=partner", ops, nil, ""); r.Int("total") != 1 {
			t.Fatalf("level filter: %s", r.Raw)
		}
		if r := ts.do("POST", "/api/admin/members/"+root.ID+"/level", ops, map[string]any{"level": "emperor"}, ""); r.Status/100 != 4 {
			t.Fatalf("unknown level: %d %s", r.Status, r.Raw)
		}
		ts.must(200, "POST", "/api/admin/members/"+root.ID+"/shares", ts.Admin, map[string]any{"shares": 10}, "")
		ts.must(400, "POST", "/api/admin/members/"+root.ID+"/shares", ts.Admin, map[string]any{}, "")
		if r := ts.must(200, "GET", "/api/admin/members/"+root.ID, ops, nil, ""); r.Int("shares") != 10 || r.Str("level") != "partner" {
			t.Fatalf("after level and shares: %s", r.Raw)
		}

		// Ban revokes the sessions and refuses login.
		ts.must(200, "GET", "/api/me", bob.Token, nil, "")
		ts.must(200, "POST", "/api/admin/members/"+bob.ID+"/ban", ops, map[string]any{"banned": true, "reason": "刷单"}, "")
		if r := ts.do("GET", "/api/me", bob.Token, nil, ""); r.Status != 401 {
			t.Fatalf("banned member's session: %d", r.Status)
		}
		if r := ts.do("POST", "/api/members/login", "", map[string]any{"phone": bob.Phone, "password": "password1"}, ""); r.Status != 403 {
			t.Fatalf("banned member's login: %d %s", r.Status, r.Raw)
		}
		if r := ts.must(200, "GET", "/api/admin/members/"+bob.ID, ops, nil, ""); r.Body["banned"] != true || r.Str("ban_reason") != "刷单" {
			t.Fatalf("banned member: %s", r.Raw)
		}
		ts.must(200, "POST", "/api/admin/members/"+bob.ID+"/ban", ops, map[string]any{"banned": false}, "")
		ts.login("/api/members/login", map[string]any{"phone": bob.Phone, "password": "password1"})
		ts.must(404, "POST", "/api/admin/members/m999/ban", ops, map[string]any{"banned": true}, "")

		// Service points: region checked, staff, stock.
		if r := ts.do("POST", "/api/admin/service-points", ops, map[string]any{"name": "站", "owner": alice.ID, "region": "999999", "address": "x"}, ""); r.Status != 400 {
			t.Fatalf("unknown region: %d %s", r.Status, r.Raw)
		}
		sp := ts.must(201, "POST", "/api/admin/service-points", ops, map[string]any{"name": "东城服务点", "owner": alice.ID, "region": "110101", "address": "东城区1号"}, "").Str("id")
		ts.must(200, "POST", "/api/admin/service-points/"+sp+"/staff", ops, map[string]any{"member": bob.ID}, "")
		ts.must(409, "POST", "/api/admin/service-points/"+sp+"/staff", ops, map[string]any{"member": bob.ID}, "")
		ts.must(200, "POST", "/api/admin/service-points/"+sp+"/stock", ops, map[string]any{"product": prod, "qty": 4}, "")
		if r := ts.do("POST", "/api/admin/service-points/"+sp+"/stock", ops, map[string]any{"product": prod, "qty": 6}, ""); r.Status != 422 {
			t.Fatalf("allot more than the warehouse holds: %d %s", r.Status, r.Raw)
		}
		ts.must(200, "POST", "/api/admin/service-points/"+sp+"/stock", ops, map[string]any{"product": prod, "qty": -1}, "")
		r = ts.must(200, "GET", "/api/admin/service-points", ops, nil, "")
		p0 := r.Body["items"].([]any)[0].(map[string]any)
		if p0["id"] != sp || p0["stock"].(map[string]any)[prod] != 3.0 || p0["staff"].([]any)[0] != bob.ID {
			t.Fatalf("service points: %s", r.Raw)
		}

		// Regional agents: one per area.
		ts.must(201, "POST", "/api/admin/region-agents", ops, map[string]any{"member": alice.ID, "tier": "district", "code": "110101"}, "")
		if r := ts.do("POST", "/api/admin/region-agents", ops, map[string]any{"member": bob.ID, "tier": "district", "code": "110101"}, ""); r.Status != 422 {
			t.Fatalf("second agent for an area: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/admin/region-agents", ops, map[string]any{"member": bob.ID, "tier": "district", "code": "999999"}, ""); r.Status != 400 {
			t.Fatalf("unknown area: %d %s", r.Status, r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/region-agents", ops, nil, "")
		if r.Int("total") != 1 || r.Body["items"].([]any)[0].(map[string]any)["member"] != alice.ID {
			t.Fatalf("region agents: %s", r.Raw)
		}

		// The plan: read, validate, replace.
		r = ts.must(200, "GET", "/api/admin/plan", fin, nil, "")
		if r.Int("version") != 1 {
			t.Fatalf("plan: %s", r.Raw)
		}
		doc := r.Body["plan"].(map[string]any)
		r = ts.must(200, "POST", "/api/admin/plan/validate", ops, "profiles:\n  gift:\n    cost_bp: 6000\n    points_bp: 5000\n", "")
		if r.Body["valid"] != false || r.Body["error"].(map[string]any)["path"] != "profiles.gift" {
			t.Fatalf("bad plan: %s", r.Raw)
		}
		raw, _ := json.Marshal(doc)
		if r := ts.must(200, "POST", "/api/admin/plan/validate", ops, string(raw), ""); r.Body["valid"] != true {
			t.Fatalf("good plan: %s", r.Raw)
		}
		doc["points"].(map[string]any)["sell_fee_bp"] = 1500
		ts.must(403, "PUT", "/api/admin/plan", ops, map[string]any{"document": doc, "note": "x"}, "")
		ts.must(400, "PUT", "/api/admin/plan", ts.Admin, map[string]any{"document": "points: {}", "note": "x"}, "")
		if r := ts.must(200, "PUT", "/api/admin/plan", ts.Admin, map[string]any{"document": doc, "note": "lower sell fee"}, ""); r.Int("version") != 2 {
			t.Fatalf("plan set: %s", r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/plan", ops, nil, "")
		if r.Int("version") != 2 || r.Str("note") != "lower sell fee" || r.Body["plan"].(map[string]any)["points"].(map[string]any)["sell_fee_bp"] != 1500.0 {
			t.Fatalf("plan after set: %s", r.Raw)
		}

		// Big regions make plan versions too.
		ts.must(200, "PUT", "/api/admin/big-regions/华北", ts.Admin, map[string]any{"provinces": []string{"11", "12"}}, "")
		ts.must(400, "PUT", "/api/admin/big-regions/华北", ts.Admin, map[string]any{"provinces": []string{"1101"}}, "")
		r = ts.must(200, "GET", "/api/admin/big-regions", ts.Admin, nil, "")
		if fmt.Sprint(r.Body["big_regions"].(map[string]any)["华北"]) != "[11 12]" {
			t.Fatalf("big regions: %s", r.Raw)
		}
		r = ts.must(200, "GET", "/api/admin/plan/versions", fin, nil, "")
		if r.Int("total") != 3 || r.Body["items"].([]any)[0].(map[string]any)["note"] != "big region 华北" {
			t.Fatalf("plan versions: %s", r.Raw)
		}

		// Periods.
		ts.must(400, "POST", "/api/admin/periods/close", fin, map[string]any{"period": "2026-11"}, "")
		ts.must(200, "POST", "/api/admin/periods/close", fin, map[string]any{"period": "2026-11"}, "close-2026-11")
		ts.must(200, "POST", "/api/admin/periods/close", fin, map[string]any{"period": "2026-11"}, "close-2026-11")
		if r := ts.must(200, "GET", "/api/admin/periods", fin, nil, ""); r.Int("total") != 1 || r.Body["items"].([]any)[0] != "2026-11" {
			t.Fatalf("periods: %s", r.Raw)
		}

		// Operators.
		ts.must(400, "POST", "/api/admin/operators", ts.Admin, map[string]any{"login": "li", "role": "finance", "password": "short"}, "")
		ts.must(400, "POST", "/api/admin/operators", ts.Admin, map[string]any{"login": "li", "role": "king", "password": "long-enough"}, "")
		ts.must(201, "POST", "/api/admin/operators", ts.Admin, map[string]any{"login": "li", "name": "李", "role": "finance", "password": "long-enough"}, "")
		ts.must(409, "POST", "/api/admin/operators", ts.Admin, map[string]any{"login": "li", "role": "finance", "password": "long-enough"}, "")
		ts.login("/api/operators/login", map[string]any{"login": "li", "password": "long-enough"})
		r = ts.must(200, "GET", "/api/admin/operators", ts.Admin, nil, "")
		if r.Int("total") != 4 || strings.Contains(string(r.Raw), "argon2") {
			t.Fatalf("operators: %s", r.Raw)
		}

		// Audit: the operators' actions with their actors, newest first.
		r = ts.must(200, "GET", "/api/admin/audit?size=100", ts.Admin, nil, "")
		items := r.Body["items"].([]any)
		if int(r.Int("total")) != len(items) || strings.Contains(string(r.Raw), "argon2") {
			t.Fatalf("audit: %s", r.Raw)
		}
		actors := map[string]string{}
		for _, it := range items {
			e := it.(map[string]any)
			if !strings.HasPrefix(e["actor"].(string), "op:") {
				t.Fatalf("audit lists a non-operator action: %v", e)
			}
			if _, seen := actors[e["type"].(string)]; !seen {
				actors[e["type"].(string)] = e["actor"].(string)
			}
		}
		if items[0].(map[string]any)["type"] != "operator.create" || actors["plan.set"] != "op:op1" ||
			actors["service_point.create"] == "op:op1" || actors["service_point.create"] == "" || actors["member.ban"] == "" {
			t.Fatalf("audit: %v", actors)
		}
		spActor := actors["service_point.create"]
		r = ts.must(200, "GET", "/api/admin/audit?actor="+spActor, ts.Admin, nil, "")
		for _, it := range r.Body["items"].([]any) {
			if it.(map[string]any)["actor"] != spActor {
				t.Fatalf("audit by actor: %s", r.Raw)
			}
		}

		// Dashboard, after a second settled order, a pending one and a withdrawal request.
		order2 := ts.submit("m:"+alice.ID, platform.OrderCreate{Member: alice.ID, Items: []platform.Item{{Product: prod, Qty: 1}},
			Address: &platform.Address{Region: "110101", Detail: "2号", Name: "爱丽丝", Phone: alice.Phone}})["id"].(string)
		ts.submit("gateway", platform.OrderPay{Order: order2, Method: "gateway", GatewayTxn: "t2", AmountFen: 100000})
		ts.submit("sys", platform.OrderShip{Order: order2, Carrier: "SF", Tracking: "2"})
		ts.submit("m:"+alice.ID, platform.OrderReceive{Order: order2})
		ts.submit("sys", platform.Tick{})
		ts.submit("m:"+alice.ID, platform.OrderCreate{Member: alice.ID, Items: []platform.Item{{Product: prod, Qty: 2}},
			Address: &platform.Address{Region: "110101", Detail: "2号", Name: "爱丽丝", Phone: alice.Phone}})
		ts.submit("m:"+root.ID, platform.WithdrawRequest{Member: root.ID, AmountFen: 5000, Account: "6222 0000"})
		r = ts.must(200, "GET", "/api/admin/dashboard", fin, nil, "")
		orders := r.Body["orders"].(map[string]any)
		if r.Int("members") != 3 || r.Int("agents")+r.Int("bosses") != 2 || r.Int("gmv_settled_fen") != 200000 ||
			orders["settled"].(map[string]any)["count"] != 2.0 || orders["pending_payment"].(map[string]any)["amount_fen"] != 200000.0 ||
			r.Int("region_agents") != 1 || r.Int("service_points") != 1 || r.Int("plan_version") != 3 || r.Int("periods_closed") != 1 ||
			fmt.Sprint(r.Body["withdrawals_pending"]) != "map[amount_fen:5000 count:1]" {
			t.Fatalf("dashboard: %s", r.Raw)
		}
		bal := func(account string) int64 {
			var b int64
			err := ts.DB.SQL.QueryRow("SELECT balance FROM balances WHERE account = $1", account).Scan(&b)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				t.Fatal(err)
			}
			return b
		}
		escrow, profit := bal("platform:escrow"), bal("platform:profit")
		if r.Int("escrow_fen") != escrow || r.Int("platform_profit_fen") != profit || profit <= 0 {
			t.Fatalf("dashboard money %s; escrow %d, profit %d", r.Raw, escrow, profit)
		}
		ts.verify()
	})
}
