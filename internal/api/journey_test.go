package api

import (
	"testing"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/platform"
)

// TestJourney is the platform's whole story over HTTP: the operator sets up
// a gift package, a service point with stock and a regional agent; members
// join through invites, buy the package, pay through the gateway and pick it
// up; the orders settle; the inviter becomes a boss on its third agent; it
// sells its points and withdraws; finance approves and pays; the ledger
// balances and verify passes.
func TestJourney(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		ops := ts.operatorToken(platform.RoleOperations)
		fin := ts.operatorToken(platform.RoleFinance)

		root := ts.register("")
		gift := ts.must(201, "POST", "/api/admin/products", ops, map[string]any{"name": "绿色礼包", "price_fen": 100000,
			"stock": 100, "profile": "gift", "gift": true, "active": true, "images": []string{}}, "").Str("id")
		sp := ts.must(201, "POST", "/api/admin/service-points", ops, map[string]any{"name": "东城服务点", "owner": root.ID,
			"region": "110101", "address": "东城区 1 号"}, "").Str("id")
		ts.must(200, "POST", "/api/admin/service-points/"+sp+"/stock", ops, map[string]any{"product": gift, "qty": 20}, "")
		ts.must(201, "POST", "/api/admin/region-agents", ops, map[string]any{"member": root.ID, "tier": "district", "code": "110101"}, "")

		// buy: order for pickup, pay in the sandbox, the service point's
		// owner verifies the code, which settles (return window 0).
		buy := func(m member) {
			t.Helper()
			o := ts.must(201, "POST", "/api/orders", m.Token, map[string]any{"items": []map[string]any{{"product": gift, "qty": 1}}, "pickup": sp}, "")
			ts.shopPayGateway(m, o.Str("id"))
			ts.must(200, "POST", "/api/staff/pickup", root.Token, map[string]any{"order": o.Str("id"), "code": o.Str("pickup_code")}, "pick-"+o.Str("id"))
			if st := ts.shopOrderStatus(o.Str("id")); st != platform.StatusSettled {
				t.Fatalf("order %s is %s after pickup, want settled", o.Str("id"), st)
			}
		}
		buy(root)
		var team []member
		for i := 0; i < 3; i++ {
			m := ts.register(root.Code)
			buy(m)
			team = append(team, m)
			want := "agent"
			if i == 2 {
				want = "boss" // promotion on the third agent
			}
			if r := ts.must(200, "GET", "/api/team", root.Token, nil, ""); r.Str("role") != want {
				t.Fatalf("after %d invitees bought, root is %q, want %q", i+1, r.Str("role"), want)
			}
		}

		// The boss sells its points: the payout is what the preview said.
		pre := ts.must(200, "POST", "/api/points/sell/preview", root.Token, map[string]any{"all": true}, "")
		sold := ts.must(200, "POST", "/api/points/sell", root.Token, map[string]any{"all": true}, "sell-1")
		if sold.Int("payout_fen") <= 0 || sold.Int("payout_fen") != pre.Int("payout_fen") {
			t.Fatalf("sell paid %d, preview said %d", sold.Int("payout_fen"), pre.Int("payout_fen"))
		}

		// It withdraws; finance approves and records the transfer.
		avail := ts.must(200, "GET", "/api/wallet", root.Token, nil, "").Int("available_fen")
		w := ts.must(201, "POST", "/api/withdrawals", root.Token, map[string]any{"amount_fen": avail, "account": "支付宝 13000000001"}, "wd-1")
		ts.must(200, "POST", "/api/admin/withdrawals/"+w.Str("id")+"/approve", fin, nil, "ap-1")
		ts.must(200, "POST", "/api/admin/withdrawals/"+w.Str("id")+"/paid", fin, map[string]any{"transfer_ref": "ALIPAY-0001"}, "paid-1")
		if got := ts.must(200, "GET", "/api/wallet", root.Token, nil, "").Int("available_fen"); got != 0 {
			t.Fatalf("available after withdrawing all: %d", got)
		}

		// Every fen the members paid is accounted for: what came in equals
		// what is held, paid out or kept, and nothing sits in escrow.
		ts.Seq.Read(func(p *platform.Platform) {
			e := p.Engine()
			if esc := e.Balance(ledger.Platform(ledger.PlatformEscrow)); esc != 0 {
				t.Errorf("escrow holds %d fen after every order settled", esc)
			}
			if in := -e.Balance(ledger.Platform(ledger.ExternalPayments)); in != 4*100000 {
				t.Errorf("external:payments = %d fen, want the four orders' 400000", in)
			}
			if out := e.Balance(ledger.Platform(ledger.ExternalWithdrawals)); out != avail-w.Int("fee_fen") {
				t.Errorf("external:withdrawals = %d, want %d", out, avail-w.Int("fee_fen"))
			}
		})
		ts.verify()
	})
}
