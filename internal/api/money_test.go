package api

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
)

// moneyShop is a gift product and a pickup service point for buying
// without the order endpoints: commands go straight to the sequencer.
type moneyShop struct {
	ts       *testServer
	product  string
	point    string
	staff    string
	orderSeq int
}

// newMoneyShop opens a shop whose service point owner is owner.
func newMoneyShop(ts *testServer, owner string) *moneyShop {
	ts.t.Helper()
	pr := ts.submit("sys", platform.ProductPut{Name: "礼包", PriceFen: 100000, Stock: 100000, Profile: "gift", Gift: true, Active: true})
	sp := ts.submit("sys", platform.ServicePointCreate{Name: "服务点", Owner: owner, Region: "110101", Address: "东城"})
	sh := &moneyShop{ts: ts, product: pr["id"].(string), point: sp["id"].(string), staff: owner}
	ts.submit("sys", platform.StockAllot{ServicePoint: sh.point, Product: sh.product, Qty: 1000})
	return sh
}

// buy has member buy one gift package, pay through the gateway and pick
// it up: with no return window it settles at once.
func (sh *moneyShop) buy(member string) {
	ts := sh.ts
	ts.t.Helper()
	sh.orderSeq++
	o := ts.submit("m:"+member, platform.OrderCreate{Member: member, Items: []platform.Item{{Product: sh.product, Qty: 1}},
		Pickup: sh.point, PickupCode: "123456"})
	id := o["id"].(string)
	ts.submit("gateway", platform.OrderPay{Order: id, Method: "gateway", GatewayTxn: fmt.Sprintf("txn-%s-%d", id, sh.orderSeq), AmountFen: 100000})
	ts.submit("m:"+sh.staff, platform.OrderPickup{Order: id, Code: "123456", Staff: sh.staff})
}

// moneyTeam is a boss (root) with three active referrals a, b, c.
func moneyTeam(ts *testServer) (*moneyShop, member, []member) {
	ts.t.Helper()
	root := ts.register("")
	sh := newMoneyShop(ts, root.ID)
	sh.buy(root.ID)
	var refs []member
	for i := 0; i < 3; i++ {
		m := ts.register(root.Code)
		sh.buy(m.ID)
		refs = append(refs, m)
	}
	return sh, root, refs
}

func TestMoneyWalletLedger(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		_, root, refs := moneyTeam(ts)
		a := refs[0]

		// Access.
		if r := ts.do("GET", "/api/wallet", "", nil, ""); r.Status != 401 {
			t.Fatalf("wallet without token: %d", r.Status)
		}
		if r := ts.do("GET", "/api/wallet", ts.Admin, nil, ""); r.Status != 403 {
			t.Fatalf("wallet as operator: %d", r.Status)
		}

		v := ts.view(root.ID)
		w := ts.must(200, "GET", "/api/wallet", root.Token, nil, "")
		if w.Int("available_fen") != v.Available || w.Int("frozen_fen") != v.Frozen || w.Int("withdrawing_fen") != v.Withdrawing {
			t.Fatalf("wallet %s, engine %+v", w.Raw, v)
		}
		if v.Available <= 0 || v.Frozen <= 0 {
			t.Fatalf("root should have earned: %+v", v)
		}
		// Three direct rewards of ¥100 and the see-point of ¥200 on the
		// slot-3 order (root's own team), 20 % of each frozen.
		if fz := ts.Plan.Chain.FreezeBP; v.Frozen != 3*money.Part(10000, fz)+money.Part(20000, fz) {
			t.Fatalf("frozen %d", v.Frozen)
		}
		cf := w.Body["chain_fund"].(map[string]any)
		if cf["unlocked"] != false || cf["slots_filled"] != true || cf["slot1_child"] != a.ID || cf["slot2_child"] != refs[1].ID ||
			int64(cf["team_orders"].(float64)) != 2 || int64(cf["team_orders_needed"].(float64)) != ts.Plan.Chain.UnlockTeamOrders ||
			cf["conditions_met"] != false {
			t.Fatalf("chain fund: %v", cf)
		}
		wd := w.Body["withdraw"].(map[string]any)
		if int64(wd["min_fen"].(float64)) != ts.Plan.Platform.WithdrawMinFen || int64(wd["fee_bp"].(float64)) != ts.Plan.Platform.WithdrawFeeBP {
			t.Fatalf("withdraw settings: %v", wd)
		}
		// A leaf has no slots filled.
		cfa := ts.must(200, "GET", "/api/wallet", a.Token, nil, "").Body["chain_fund"].(map[string]any)
		if cfa["slots_filled"] != false || cfa["slot1_child"] != "" {
			t.Fatalf("leaf chain fund: %v", cfa)
		}

		// Ledger: every page holds only root's lines, newest first.
		all := ts.must(200, "GET", "/api/wallet/ledger?size=100", root.Token, nil, "")
		total := all.Int("total")
		lines := all.Body["lines"].([]any)
		if total < 5 || int64(len(lines)) != total {
			t.Fatalf("ledger: total %d, %d lines", total, len(lines))
		}
		key := func(l any) [2]int64 {
			m := l.(map[string]any)
			return [2]int64{int64(m["seq"].(float64)), int64(m["n"].(float64))}
		}
		var sumAvail, sumPts int64
		for i, l := range lines {
			m := l.(map[string]any)
			if !strings.HasPrefix(m["account"].(string), root.ID+":") {
				t.Fatalf("someone else's line: %v", m)
			}
			wantUnit := "fen"
			if m["account"] == root.ID+":points" {
				wantUnit = "µpt"
				sumPts += int64(m["amount"].(float64))
			}
			if m["account"] == root.ID+":available" {
				sumAvail += int64(m["amount"].(float64))
			}
			if m["unit"] != wantUnit {
				t.Fatalf("unit of %v", m)
			}
			if i > 0 {
				p, c := key(lines[i-1]), key(l)
				if p[0] < c[0] || (p[0] == c[0] && p[1] <= c[1]) {
					t.Fatalf("order: %v before %v", p, c)
				}
			}
		}
		if sumAvail != v.Available || sumPts != v.PointsUpt {
			t.Fatalf("ledger sums %d fen %d µpt, engine %d %d", sumAvail, sumPts, v.Available, v.PointsUpt)
		}
		// Pages of 2 tile the whole list.
		var paged []any
		for page := 1; ; page++ {
			r := ts.must(200, "GET", fmt.Sprintf("/api/wallet/ledger?page=%d&size=2", page), root.Token, nil, "")
			ls := r.Body["lines"].([]any)
			if len(ls) > 2 {
				t.Fatalf("page of %d", len(ls))
			}
			if len(ls) == 0 {
				break
			}
			paged = append(paged, ls...)
		}
		if len(paged) != len(lines) {
			t.Fatalf("paged %d lines, want %d", len(paged), len(lines))
		}
		for i := range paged {
			if key(paged[i]) != key(lines[i]) {
				t.Fatalf("page line %d: %v vs %v", i, paged[i], lines[i])
			}
		}
		for _, bad := range []string{"size=101", "size=0", "page=0", "page=x"} {
			if r := ts.do("GET", "/api/wallet/ledger?"+bad, root.Token, nil, ""); r.Status != 400 {
				t.Fatalf("%s: %d", bad, r.Status)
			}
		}
		// a's lines are a's only.
		for _, l := range ts.must(200, "GET", "/api/wallet/ledger?size=100", a.Token, nil, "").Body["lines"].([]any) {
			if !strings.HasPrefix(l.(map[string]any)["account"].(string), a.ID+":") {
				t.Fatalf("a sees %v", l)
			}
		}
		ts.verify()
	})
}

func TestMoneyPoints(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		_, root, refs := moneyTeam(ts)
		if r := ts.do("GET", "/api/points", "", nil, ""); r.Status != 401 {
			t.Fatalf("points without token: %d", r.Status)
		}
		var pool engine.Pool
		ts.Seq.Read(func(p *platform.Platform) { pool = p.Engine().Pool() })
		v := ts.view(root.ID)
		pr := ts.must(200, "GET", "/api/points", root.Token, nil, "")
		price := pr.Body["price"].(map[string]any)
		if int64(price["pool_fen"].(float64)) != pool.PoolFen || int64(price["supply_upt"].(float64)) != pool.SupplyUpt ||
			price["yuan_per_point"] != money.FormatYuanPerPoint(pool.PoolFen, pool.SupplyUpt) {
			t.Fatalf("price %v, pool %+v", price, pool)
		}
		if pr.Int("holding_upt") != v.PointsUpt || pr.Int("value_fen") != money.MulDiv(v.PointsUpt, pool.PoolFen, pool.SupplyUpt) {
			t.Fatalf("holding: %s", pr.Raw)
		}
		fee := ts.Plan.Points.SellFeeBP
		wantAll, _ := money.MulDiv3(v.PointsUpt, pool.PoolFen, money.BP-fee, pool.SupplyUpt, money.BP)
		if pr.Int("sell_all_payout_fen") != wantAll || pr.Int("sell_fee_bp") != fee {
			t.Fatalf("sell all: %s", pr.Raw)
		}
		exit := pr.Body["exit"].(map[string]any)
		if int64(exit["round_c_fen"].(float64)) != 100000 || int64(exit["round_o_upt"].(float64)) != v.RoundOUpt ||
			int64(exit["threshold_fen"].(float64)) != money.Part(100000, ts.Plan.Points.ExitMultipleBP) {
			t.Fatalf("exit: %v", exit)
		}
		if pb := int64(exit["progress_bp"].(float64)); pb <= 0 || pb >= money.BP {
			t.Fatalf("exit progress %d", pb)
		}
		rules := pr.Body["rules"].(map[string]any)
		if !strings.Contains(rules["en"].(string), "not guaranteed") || !strings.Contains(rules["zh"].(string), "不保证") {
			t.Fatalf("rules: %v", rules)
		}
		// A member without points has a reference price and nothing to sell.
		fresh := ts.register(root.Code)
		fp := ts.must(200, "GET", "/api/points", fresh.Token, nil, "")
		if fp.Int("holding_upt") != 0 || fp.Int("sell_all_payout_fen") != 0 {
			t.Fatalf("fresh: %s", fp.Raw)
		}
		if r := ts.do("POST", "/api/points/sell/preview", fresh.Token, map[string]any{"all": true}, ""); r.Status != 422 {
			t.Fatalf("preview with no points: %d %s", r.Status, r.Raw)
		}

		// History: one point per settled order, oldest first.
		h := ts.must(200, "GET", "/api/points/history?limit=3", root.Token, nil, "")
		hp := h.Body["points"].([]any)
		if len(hp) != 3 {
			t.Fatalf("history: %s", h.Raw)
		}
		last := hp[2].(map[string]any)
		if int64(last["pool_fen"].(float64)) != pool.PoolFen || int64(last["supply_upt"].(float64)) != pool.SupplyUpt ||
			last["yuan_per_point"] != money.FormatYuanPerPoint(pool.PoolFen, pool.SupplyUpt) ||
			hp[0].(map[string]any)["seq"].(float64) >= last["seq"].(float64) {
			t.Fatalf("history: %s", h.Raw)
		}
		if r := ts.do("GET", "/api/points/history?limit=0", root.Token, nil, ""); r.Status != 400 {
			t.Fatalf("limit 0: %d", r.Status)
		}

		// Preview equals the actual sell.
		q := v.PointsUpt / 3
		prev := ts.must(200, "POST", "/api/points/sell/preview", root.Token, map[string]any{"upt": q}, "")
		if prev.Int("value_fen")-prev.Int("fee_fen") != prev.Int("payout_fen") || prev.Int("upt") != q {
			t.Fatalf("preview: %s", prev.Raw)
		}
		if r := ts.do("POST", "/api/points/sell", root.Token, map[string]any{"upt": q}, ""); r.Status != 400 {
			t.Fatalf("sell without Idempotency-Key: %d", r.Status)
		}
		if r := ts.do("POST", "/api/points/sell", root.Token, map[string]any{"upt": v.PointsUpt + 1}, "too-much"); r.Status != 422 {
			t.Fatalf("sell too much: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/points/sell", root.Token, map[string]any{"upt": 1, "extra": 1}, "k0"); r.Status != 400 {
			t.Fatalf("unknown field: %d", r.Status)
		}
		before := ts.view(root.ID)
		sold := ts.must(200, "POST", "/api/points/sell", root.Token, map[string]any{"upt": q}, "sell-1")
		if sold.Int("payout_fen") != prev.Int("payout_fen") {
			t.Fatalf("preview %s, sold %s", prev.Raw, sold.Raw)
		}
		// The same key repeats the answer and sells nothing more.
		again := ts.must(200, "POST", "/api/points/sell", root.Token, map[string]any{"upt": q}, "sell-1")
		if string(again.Raw) != string(sold.Raw) {
			t.Fatalf("repeat: %s vs %s", again.Raw, sold.Raw)
		}
		after := ts.view(root.ID)
		if after.PointsUpt != before.PointsUpt-q || after.Available != before.Available+sold.Int("payout_fen") {
			t.Fatalf("after sell: %+v", after)
		}
		// Sell everything: preview all equals the payout.
		a := refs[0]
		prevAll := ts.must(200, "POST", "/api/points/sell/preview", a.Token, map[string]any{"all": true}, "")
		soldAll := ts.must(200, "POST", "/api/points/sell", a.Token, map[string]any{"all": true}, "sell-all")
		if soldAll.Int("payout_fen") != prevAll.Int("payout_fen") || ts.view(a.ID).PointsUpt != 0 {
			t.Fatalf("sell all: preview %s, sold %s", prevAll.Raw, soldAll.Raw)
		}
		ts.verify()
	})
}

func TestMoneyTeam(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		_, root, refs := moneyTeam(ts)
		if r := ts.do("GET", "/api/team", "", nil, ""); r.Status != 401 {
			t.Fatalf("team without token: %d", r.Status)
		}
		if r := ts.do("GET", "/api/team", ts.Admin, nil, ""); r.Status != 403 {
			t.Fatalf("team as operator: %d", r.Status)
		}
		tm := ts.must(200, "GET", "/api/team", root.Token, nil, "")
		if tm.Str("role") != "boss" || tm.Int("direct_active") != 3 || tm.Body["team_figures_kept"] != true || tm.Int("team_size") != 3 {
			t.Fatalf("boss team: %s", tm.Raw)
		}
		rl := tm.Body["referrals"].([]any)
		if len(rl) != 3 {
			t.Fatalf("referrals: %v", rl)
		}
		for i, x := range rl {
			m := x.(map[string]any)
			if m["id"] != refs[i].ID || m["role"] != "agent" || strings.Contains(m["phone"].(string), refs[i].Phone[3:7]) ||
				!strings.HasSuffix(m["phone"].(string), refs[i].Phone[7:]) {
				t.Fatalf("referral %d: %v", i, m)
			}
		}
		ch := tm.Body["placement"].(map[string]any)["children"].([]any)
		if len(ch) != 3 {
			t.Fatalf("children: %v", ch)
		}
		for i, x := range ch {
			m := x.(map[string]any)
			if int(m["slot"].(float64)) != i+1 || m["id"] != refs[i].ID {
				t.Fatalf("child %d: %v", i, m)
			}
		}
		up := tm.Body["upgrade"].([]any)
		if len(up) != len(ts.Plan.Levels) {
			t.Fatalf("upgrade: %v", up)
		}
		partner := up[0].(map[string]any)
		found := 0
		for _, x := range partner["conditions"].([]any) {
			c := x.(map[string]any)
			switch c["key"] {
			case "direct_active":
				found++
				if c["have"].(float64) != 3 || c["met"] != false {
					t.Fatalf("direct_active: %v", c)
				}
			case "team_size":
				found++
				if c["have"].(float64) != 3 || c["met"] != false {
					t.Fatalf("team_size: %v", c)
				}
			}
		}
		if found != 2 {
			t.Fatalf("partner conditions: %v", partner)
		}
		// Slot 3 belongs to the boss's own team; slots 1 and 2 go up with root's (none).
		c := ts.must(200, "GET", "/api/team", refs[2].Token, nil, "")
		if c.Str("team_boss") != root.ID || c.Body["placement"].(map[string]any)["parent"] != root.ID {
			t.Fatalf("slot 3: %s", c.Raw)
		}
		if a := ts.must(200, "GET", "/api/team", refs[0].Token, nil, ""); a.Str("team_boss") != "" || a.Str("referrer") != root.ID {
			t.Fatalf("slot 1: %s", a.Raw)
		}

		// With no team conditions in the plan, team figures are not kept
		// and shown as unknown, not as zero.
		p := ts.Plan.Clone()
		for i := range p.Levels {
			if c := p.Levels[i].Conditions; c != nil {
				c.TeamSize, c.TeamSalesFen = 0, 0
			}
		}
		ts2 := newTestServer(t, kind, p)
		root2 := ts2.register("")
		tm2 := ts2.must(200, "GET", "/api/team", root2.Token, nil, "")
		if tm2.Body["team_figures_kept"] != false || tm2.Body["team_size"] != nil {
			t.Fatalf("no figures: %s", tm2.Raw)
		}
		for _, x := range tm2.Body["upgrade"].([]any) {
			for _, y := range x.(map[string]any)["conditions"].([]any) {
				if c := y.(map[string]any); c["key"] == "direct_active" && (c["have"] != float64(0) || c["met"] != false) {
					t.Fatalf("direct_active without figures: %v", c)
				}
			}
		}
		ts.verify()
	})
}

func TestMoneyWithdrawals(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		_, root, refs := moneyTeam(ts)
		a := refs[0]
		finance, ops := ts.operatorToken(platform.RoleFinance), ts.operatorToken(platform.RoleOperations)
		start := ts.view(root.ID).Available
		minFen := ts.Plan.Platform.WithdrawMinFen

		body := func(amt int64) map[string]any {
			return map[string]any{"amount_fen": amt, "account": "支付宝 13800000000"}
		}
		if r := ts.do("POST", "/api/withdrawals", "", body(minFen), "k"); r.Status != 401 {
			t.Fatalf("no token: %d", r.Status)
		}
		if r := ts.do("POST", "/api/withdrawals", root.Token, body(minFen), ""); r.Status != 400 {
			t.Fatalf("no Idempotency-Key: %d", r.Status)
		}
		if r := ts.do("POST", "/api/withdrawals", root.Token, body(minFen-1), "k-min"); r.Status != 400 {
			t.Fatalf("below minimum: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/withdrawals", root.Token, body(start+1), "k-max"); r.Status != 422 {
			t.Fatalf("above available: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/withdrawals", root.Token, map[string]any{"amount_fen": minFen, "account": " "}, "k-acct"); r.Status != 400 {
			t.Fatalf("no account: %d %s", r.Status, r.Raw)
		}

		// Request → approve → paid.
		w1 := ts.must(201, "POST", "/api/withdrawals", root.Token, body(5000), "w-1")
		id1 := w1.Str("id")
		fee := money.Part(5000, ts.Plan.Platform.WithdrawFeeBP)
		if w1.Int("fee_fen") != fee || w1.Int("payout_fen") != 5000-fee {
			t.Fatalf("request: %s", w1.Raw)
		}
		if r := ts.must(201, "POST", "/api/withdrawals", root.Token, body(5000), "w-1"); r.Str("id") != id1 {
			t.Fatalf("repeat: %s", r.Raw)
		}
		if v := ts.view(root.ID); v.Available != start-5000 || v.Withdrawing != 5000 {
			t.Fatalf("after request: %+v", v)
		}
		own := ts.must(200, "GET", "/api/withdrawals", root.Token, nil, "")
		if own.Int("total") != 1 || own.Body["withdrawals"].([]any)[0].(map[string]any)["status"] != "requested" {
			t.Fatalf("own list: %s", own.Raw)
		}
		if r := ts.must(200, "GET", "/api/withdrawals", a.Token, nil, ""); r.Int("total") != 0 {
			t.Fatalf("a sees root's: %s", r.Raw)
		}
		// Access to the console.
		for _, c := range []struct {
			tok  string
			want int
		}{{"", 401}, {root.Token, 403}, {ops, 403}} {
			if r := ts.do("GET", "/api/admin/withdrawals", c.tok, nil, ""); r.Status != c.want {
				t.Fatalf("admin list: %d, want %d", r.Status, c.want)
			}
			if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/approve", c.tok, nil, "ap-x"); r.Status != c.want {
				t.Fatalf("approve: %d, want %d", r.Status, c.want)
			}
			if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/reject", c.tok, map[string]any{"reason": "x"}, "rj-x"); r.Status != c.want {
				t.Fatalf("reject: %d, want %d", r.Status, c.want)
			}
			if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/paid", c.tok, map[string]any{"transfer_ref": "x"}, "pd-x"); r.Status != c.want {
				t.Fatalf("paid: %d, want %d", r.Status, c.want)
			}
		}
		if r := ts.must(200, "GET", "/api/admin/withdrawals?status=requested", finance, nil, ""); r.Int("total") != 1 {
			t.Fatalf("finance list: %s", r.Raw)
		}
		if r := ts.do("GET", "/api/admin/withdrawals?status=bogus", finance, nil, ""); r.Status != 400 {
			t.Fatalf("bad status: %d", r.Status)
		}
		if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/approve", finance, nil, ""); r.Status != 400 {
			t.Fatalf("approve without key: %d", r.Status)
		}
		if r := ts.do("POST", "/api/admin/withdrawals/w999/approve", finance, nil, "ap-0"); r.Status != 404 {
			t.Fatalf("approve unknown: %d", r.Status)
		}
		if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/paid", finance, map[string]any{"transfer_ref": "T1"}, "pd-0"); r.Status != 409 {
			t.Fatalf("paid before approval: %d", r.Status)
		}
		ts.must(200, "POST", "/api/admin/withdrawals/"+id1+"/approve", finance, nil, "ap-1")
		if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/approve", finance, nil, "ap-2"); r.Status != 409 {
			t.Fatalf("approve twice: %d", r.Status)
		}
		var extBefore, extAfter int64
		ts.Seq.Read(func(p *platform.Platform) {
			extBefore = p.Engine().Balance(ledger.Platform(ledger.ExternalWithdrawals))
		})
		if r := ts.do("POST", "/api/admin/withdrawals/"+id1+"/paid", finance, map[string]any{"transfer_ref": ""}, "pd-1"); r.Status != 400 {
			t.Fatalf("paid without ref: %d", r.Status)
		}
		ts.must(200, "POST", "/api/admin/withdrawals/"+id1+"/paid", ts.Admin, map[string]any{"transfer_ref": "BANK-1"}, "pd-2")
		ts.Seq.Read(func(p *platform.Platform) { extAfter = p.Engine().Balance(ledger.Platform(ledger.ExternalWithdrawals)) })
		if extAfter-extBefore != 5000-fee {
			t.Fatalf("external withdrawals moved %d", extAfter-extBefore)
		}
		if v := ts.view(root.ID); v.Available != start-5000 || v.Withdrawing != 0 {
			t.Fatalf("after paid: %+v", v)
		}
		paid := ts.must(200, "GET", "/api/admin/withdrawals?status=paid", finance, nil, "").Body["withdrawals"].([]any)
		if len(paid) != 1 || paid[0].(map[string]any)["transfer_ref"] != "BANK-1" {
			t.Fatalf("paid list: %v", paid)
		}

		// Request → reject returns the money.
		w2 := ts.must(201, "POST", "/api/withdrawals", root.Token, body(2000), "w-2")
		if r := ts.do("POST", "/api/admin/withdrawals/"+w2.Str("id")+"/reject", finance, map[string]any{"reason": " "}, "rj-0"); r.Status != 400 {
			t.Fatalf("reject without reason: %d", r.Status)
		}
		ts.must(200, "POST", "/api/admin/withdrawals/"+w2.Str("id")+"/reject", finance, map[string]any{"reason": "账户名不符"}, "rj-1")
		if v := ts.view(root.ID); v.Available != start-5000 || v.Withdrawing != 0 {
			t.Fatalf("after reject: %+v", v)
		}
		ls := ts.must(200, "GET", "/api/withdrawals?size=1", root.Token, nil, "")
		first := ls.Body["withdrawals"].([]any)[0].(map[string]any)
		if ls.Int("total") != 2 || first["id"] != w2.Str("id") || first["status"] != "rejected" || first["reason"] != "账户名不符" {
			t.Fatalf("after reject: %s", ls.Raw)
		}
		ts.verify()
	})
}

// TestMoneyConcurrent races withdrawals and sells on one member's balance.
func TestMoneyConcurrent(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		_, root, _ := moneyTeam(ts)
		v0 := ts.view(root.ID)
		start := v0.Available
		amt := start/10 + 1 // eleven would overdraw
		sellQ := v0.PointsUpt / 40
		var (
			mu                sync.Mutex
			accepted, payouts int64
			wg                sync.WaitGroup
			errs              []string
		)
		for i := 0; i < 16; i++ {
			wg.Add(2)
			go func(i int) {
				defer wg.Done()
				r := ts.do("POST", "/api/withdrawals", root.Token, map[string]any{"amount_fen": amt, "account": "bank"}, fmt.Sprintf("cw-%d", i))
				mu.Lock()
				defer mu.Unlock()
				switch r.Status {
				case 201:
					accepted += amt
				case 422:
				default:
					errs = append(errs, fmt.Sprintf("withdraw %d: %s", r.Status, r.Raw))
				}
			}(i)
			go func(i int) {
				defer wg.Done()
				r := ts.do("POST", "/api/points/sell", root.Token, map[string]any{"upt": sellQ}, fmt.Sprintf("cs-%d", i))
				mu.Lock()
				defer mu.Unlock()
				if r.Status != 200 {
					errs = append(errs, fmt.Sprintf("sell %d: %s", r.Status, r.Raw))
					return
				}
				payouts += r.Int("payout_fen")
			}(i)
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatal(strings.Join(errs, "\n"))
		}
		v := ts.view(root.ID)
		if v.Available < 0 || accepted > start+payouts || v.Available != start-accepted+payouts || v.Withdrawing != accepted {
			t.Fatalf("start %d, accepted %d, payouts %d, now %+v", start, accepted, payouts, v)
		}
		if accepted == 0 || payouts == 0 || v.PointsUpt != v0.PointsUpt-16*sellQ {
			t.Fatalf("accepted %d payouts %d points %d", accepted, payouts, v.PointsUpt)
		}
		w := ts.must(200, "GET", "/api/wallet", root.Token, nil, "")
		if w.Int("available_fen") != v.Available || w.Int("withdrawing_fen") != accepted {
			t.Fatalf("wallet %s", w.Raw)
		}
		ts.verify()
	})
}

// TestMoneyUnlock checks that the wallet's unlock conditions are the
// engine's: once they are met, the next period close unlocks the fund.
func TestMoneyUnlock(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, kind string) {
		p := plan.Default()
		p.Platform.ReturnWindowDays = 0
		p.Chain.UnlockTeamOrders = 3
		ts := newTestServer(t, kind, p)
		sh, root, refs := moneyTeam(ts)
		fund := func() map[string]any {
			return ts.must(200, "GET", "/api/wallet", root.Token, nil, "").Body["chain_fund"].(map[string]any)
		}
		// Slots 1 and 2 hold two orders (the slot-3 child's does not count).
		if f := fund(); f["team_orders"] != float64(2) || f["conditions_met"] != false {
			t.Fatalf("before: %v", f)
		}
		ts.submit("sys", platform.PeriodClose{Period: "p1"})
		if v := ts.view(root.ID); v.Unlocked || v.Frozen == 0 {
			t.Fatalf("unlocked too early: %+v", v)
		}
		sh.buy(refs[1].ID)
		if f := fund(); f["team_orders"] != float64(3) || f["conditions_met"] != true || f["unlocked"] != false {
			t.Fatalf("met: %v", f)
		}
		before := ts.view(root.ID)
		ts.submit("sys", platform.PeriodClose{Period: "p2"})
		f := fund()
		after := ts.view(root.ID)
		if f["unlocked"] != true || f["frozen_fen"] != float64(0) || after.Available != before.Available+before.Frozen {
			t.Fatalf("after close: %v, %+v", f, after)
		}
		ts.verify()
	})
}

// TestMoneyAccess refuses every member endpoint without a session or to
// an operator.
func TestMoneyAccess(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, "sqlite", nil)
	for _, e := range []struct{ method, path string }{
		{"GET", "/api/wallet"}, {"GET", "/api/wallet/ledger"}, {"GET", "/api/points"}, {"GET", "/api/points/history"},
		{"POST", "/api/points/sell/preview"}, {"POST", "/api/points/sell"}, {"GET", "/api/team"},
		{"POST", "/api/withdrawals"}, {"GET", "/api/withdrawals"}, {"POST", "/api/wallet/topups"},
	} {
		if r := ts.do(e.method, e.path, "", map[string]any{}, "k"); r.Status != 401 || r.Code() != "unauthenticated" {
			t.Errorf("%s %s without token: %d %s", e.method, e.path, r.Status, r.Raw)
		}
		if r := ts.do(e.method, e.path, ts.Admin, map[string]any{}, "k"); r.Status != 403 {
			t.Errorf("%s %s as operator: %d %s", e.method, e.path, r.Status, r.Raw)
		}
	}
}

// TestWalletTopUp tops a wallet up through the sandbox gateway: the link
// is bound to its member and amount, an intent is paid once, replays of a
// transaction answer alike and change nothing, and without a gateway the
// platform says so.
func TestWalletTopUp(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		m := ts.shopMember("")
		available := func() int64 { return ts.must(200, "GET", "/api/wallet", m.Token, nil, "").Int("available_fen") }
		for _, bad := range []any{50, 5_000_001, "100"} {
			ts.must(400, "POST", "/api/wallet/topups", m.Token, map[string]any{"amount_fen": bad}, "")
		}
		ts.must(401, "POST", "/api/wallet/topups", "", map[string]any{"amount_fen": 10000}, "")
		ts.must(403, "POST", "/api/wallet/topups", ts.Admin, map[string]any{"amount_fen": 10000}, "")

		r := ts.must(201, "POST", "/api/wallet/topups", m.Token, map[string]any{"amount_fen": 12345}, "")
		intent := r.Str("intent")
		path, ok := strings.CutPrefix(r.Str("payment_url"), "http://test")
		if !ok || !strings.HasPrefix(path, "/sandbox/topup/"+intent+"?") {
			t.Fatalf("payment_url %q", r.Str("payment_url"))
		}
		// The link cannot be bent to another amount or member.
		ts.must(403, "GET", strings.Replace(path, "a=12345", "a=99999", 1), "", nil, "")
		ts.must(403, "POST", strings.Replace(path, "m="+m.ID, "m=m999", 1), "", nil, "")
		page := ts.must(200, "GET", path, "", nil, "")
		if !strings.Contains(string(page.Raw), "沙箱") || !strings.Contains(string(page.Raw), "123.45") {
			t.Fatalf("sandbox page: %s", page.Raw)
		}
		before := available()
		ts.must(200, "POST", path, "", nil, "")
		if got := available(); got != before+12345 {
			t.Fatalf("available %d after a 12345 fen top-up, was %d", got, before)
		}
		// Paying the same intent again, by the page or by a new
		// transaction, is refused.
		ts.must(409, "POST", path, "", nil, "")
		if page := ts.must(200, "GET", path, "", nil, ""); strings.Contains(string(page.Raw), "<form") {
			t.Fatalf("a paid top-up still offers payment: %s", page.Raw)
		}
		signed := func(cb gatewayCallback) ([]byte, string) {
			cb.TS, cb.Nonce = time.Now().Unix(), "n"
			body, _ := json.Marshal(cb)
			return body, signCallback([]byte("test-secret"), body)
		}
		if r := ts.shopCallback(signed(gatewayCallback{Topup: intent, Member: m.ID, Txn: "T9", AmountFen: 12345})); r.Status != 409 {
			t.Fatalf("second transaction for a paid intent: %d %v", r.Status, r.Body)
		}
		// A gateway's own callback for a new intent, then its replay.
		body, sig := signed(gatewayCallback{Topup: "tu-gw-1", Member: m.ID, Txn: "T10", AmountFen: 500})
		first := ts.shopCallback(body, sig)
		seq := ts.Seq.Seq()
		if again := ts.shopCallback(body, sig); first.Status != 200 || again.Status != 200 || fmt.Sprint(again.Body) != fmt.Sprint(first.Body) || ts.Seq.Seq() != seq {
			t.Fatalf("callback %d %v, replay %d %v", first.Status, first.Body, again.Status, again.Body)
		}
		if got := available(); got != before+12345+500 {
			t.Fatalf("available %d after both top-ups", got)
		}
		// Malformed: an order and a top-up at once, a top-up without its member.
		for _, cb := range []gatewayCallback{
			{Order: "o1", Topup: "tu-x", Member: m.ID, Txn: "T11", AmountFen: 1},
			{Topup: "tu-y", Txn: "T12", AmountFen: 1},
			{Order: "o1", Member: m.ID, Txn: "T13", AmountFen: 1},
		} {
			if r := ts.shopCallback(signed(cb)); r.Status != 400 {
				t.Errorf("malformed %+v: %d %v", cb, r.Status, r.Body)
			}
		}
		if ts.Seq.Seq() != seq {
			t.Fatal("refused callbacks changed the journal")
		}
		lines := ts.must(200, "GET", "/api/wallet/ledger", m.Token, nil, "")
		if !strings.Contains(string(lines.Raw), `"amount":12345`) {
			t.Fatalf("no ledger line for the top-up: %s", lines.Raw)
		}
		ts.verify()

		// Without a gateway: no top-ups, no gateway payments, no sandbox.
		off := newTestServerWith(t, kind, nil, nil, false)
		om := off.shopMember("")
		off.must(503, "POST", "/api/wallet/topups", om.Token, map[string]any{"amount_fen": 10000}, "")
		gift := off.shopProduct("礼包", 39900, 10, "gift")
		id := off.must(201, "POST", "/api/orders", om.Token, map[string]any{"items": []map[string]any{{"product": gift, "qty": 1}}, "address": shopAddress}, "").Str("id")
		if r := off.must(503, "POST", "/api/orders/"+id+"/pay", om.Token, map[string]any{"method": "gateway"}, "k1"); r.Code() != "gateway_unavailable" {
			t.Fatalf("gateway pay without a gateway: %v", r.Body)
		}
		off.must(404, "GET", "/sandbox/pay/"+id+"?t=x", "", nil, "")

		// Another provider: its URLs are what members are sent to, and the
		// sandbox is not served.
		other := httptest.NewServer(New(Config{Seq: off.Seq, DB: off.DB, Payments: providerAt("https://pay.example/"),
			SandboxGateway: true, GatewaySecret: []byte("s")}).Handler())
		defer other.Close()
		off.URL = other.URL
		r = off.must(201, "POST", "/api/wallet/topups", om.Token, map[string]any{"amount_fen": 10000}, "")
		if want := "https://pay.example/topup/" + r.Str("intent") + "/" + om.ID + "/10000"; r.Str("payment_url") != want {
			t.Fatalf("top-up payment_url %q, want %q", r.Str("payment_url"), want)
		}
		if r := off.must(200, "POST", "/api/orders/"+id+"/pay", om.Token, map[string]any{"method": "gateway"}, "k2"); r.Str("payment_url") != "https://pay.example/order/"+id+"/39900" {
			t.Fatalf("order payment_url %v", r.Body)
		}
		off.must(404, "GET", "/sandbox/pay/"+id+"?t=x", "", nil, "")
	})
}

// providerAt is a PaymentProvider whose payment pages live under base.
type providerAt string

func (b providerAt) PaymentURL(p Payment) (string, error) {
	if p.Topup != "" {
		return fmt.Sprintf("%stopup/%s/%s/%d", b, p.Topup, p.Member, p.AmountFen), nil
	}
	return fmt.Sprintf("%sorder/%s/%d", b, p.Order, p.AmountFen), nil
}
