package api

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
	"github.com/greenmall/greenmall/internal/platform"
)

// TestMetrics reads /metrics after an order's whole lifecycle: HTTP
// latencies by route, commands by type and outcome, group commits' sizes
// and latencies, and the settlements.
func TestMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := plan.Default()
	p.Platform.ReturnWindowDays, p.InviteRequiresActive = 0, false
	ts := newTestServer(t, "sqlite", p)
	owner := ts.shopMember("")
	buyer := ts.shopMember(owner.Code)
	gift := ts.shopProduct("礼包", 39900, 10, "gift")
	for _, c := range []platform.Cmd{
		platform.ServicePointCreate{Name: "东城店", Owner: owner.ID, Region: "110101"},
		platform.StockAllot{ServicePoint: "sp1", Product: gift, Qty: 5},
		platform.WalletTopUp{Member: buyer.ID, AmountFen: 100000, GatewayTxn: "t1"},
	} {
		if _, err := ts.Seq.Submit(ctx, "op:op1", "", c); err != nil {
			t.Fatal(err)
		}
	}
	r := ts.must(201, "POST", "/api/orders", buyer.Token, map[string]any{"items": []map[string]any{{"product": gift, "qty": 1}}, "pickup": "sp1"}, "")
	id, code := r.Str("id"), r.Str("pickup_code")
	ts.must(200, "POST", "/api/orders/"+id+"/pay", buyer.Token, map[string]any{"method": "wallet"}, "p1")
	ts.must(409, "POST", "/api/orders/"+id+"/pay", buyer.Token, map[string]any{"method": "wallet"}, "p2")
	ts.must(200, "POST", "/api/staff/pickup", owner.Token, map[string]any{"order": id, "code": code}, "k1")

	raw := ts.must(200, "GET", "/metrics", "", nil, "").Raw
	values := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.LastIndexByte(line, ' '); i > 0 {
			if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
				values[line[:i]] = v
			}
		}
	}
	for name, want := range map[string]float64{
		`greenmall_http_request_seconds_count{code="201",method="POST",route="POST /api/orders"}`:          1,
		`greenmall_http_request_seconds_count{code="200",method="POST",route="POST /api/orders/{id}/pay"}`: 1,
		`greenmall_http_request_seconds_count{code="409",method="POST",route="POST /api/orders/{id}/pay"}`: 1,
		`greenmall_commands_total{outcome="ok",type="order.pickup"}`:                                       1,
		`greenmall_commands_total{outcome="rejected",type="order.pay"}`:                                    1,
		`greenmall_orders_settled_total`:                                                                   1,
		`greenmall_settled_amount_fen_total`:                                                               39900,
	} {
		if got := values[name]; got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if values["greenmall_journal_batch_size_count"] < 5 || values["greenmall_journal_commit_seconds_count"] < 5 ||
		values["greenmall_journal_commit_seconds_sum"] <= 0 {
		t.Errorf("group commits not measured: %v batches, %v commits, %vs",
			values["greenmall_journal_batch_size_count"], values["greenmall_journal_commit_seconds_count"], values["greenmall_journal_commit_seconds_sum"])
	}
}
