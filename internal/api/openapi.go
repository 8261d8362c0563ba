package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The OpenAPI 3.0 document is built from the route table below, once.
// openapi_test.go fails when a route the server registers is missing here.

// oaJS is a JSON object of the document.
type oaJS = map[string]any

func oaStr(desc string) oaJS  { return oaJS{"type": "string", "description": desc} }
func oaInt(desc string) oaJS  { return oaJS{"type": "integer", "format": "int64", "description": desc} }
func oaBool(desc string) oaJS { return oaJS{"type": "boolean", "description": desc} }
func oaArr(items oaJS) oaJS   { return oaJS{"type": "array", "items": items} }
func oaRef(name string) oaJS  { return oaJS{"$ref": "#/components/schemas/" + name} }
func oaAny(desc string) oaJS {
	return oaJS{"type": "object", "additionalProperties": true, "description": desc}
}

// oaObj is an object schema of name, schema pairs; a name ending in "*" is
// required.
func oaObj(pairs ...any) oaJS {
	props := oaJS{}
	var req []string
	for i := 0; i+1 < len(pairs); i += 2 {
		name := pairs[i].(string)
		if n, ok := strings.CutSuffix(name, "*"); ok {
			name = n
			req = append(req, name)
		}
		props[name] = pairs[i+1]
	}
	o := oaJS{"type": "object", "properties": props}
	if len(req) > 0 {
		o["required"] = req
	}
	return o
}

// oaPage is a paged listing of items under key.
func oaPage(key string, item oaJS) oaJS {
	return oaObj(key, oaArr(item), "total", oaInt("matches in all pages"), "page", oaInt("from 1"), "size", oaInt("items per page"))
}

func oaList(item oaJS) oaJS { return oaObj("items", oaArr(item), "total", oaInt("number of items")) }

var oaOK = oaObj("ok", oaBool("always true"))

var oaID = oaObj("id", oaStr("the id of what was created"))

// oaRoute is one operation of the document.
type oaRoute struct {
	method, path string
	tag, summary string
	auth         string   // "" (public), "member" or "operator"
	roles        []string // operator roles besides super; nil: super only
	idem         bool     // Idempotency-Key required
	query        []string // "name: description"
	header       []string // "Name: description", required
	body         oaJS     // JSON request body
	rawBody      string   // media type of a non-JSON body
	ok           int
	answer       oaJS // nil: a non-JSON answer (HTML, text)
	answerType   string
}

var (
	oaAllOps  = []string{"finance", "operations"}
	oaOpsOnly = []string{"operations"}
	oaFinOnly = []string{"finance"}
	oaPageQ   = []string{"page: page number, from 1", "size: items per page, 1 to 100 (20)"}
)

var oaRoutes = []oaRoute{
	// Health.
	{method: "GET", path: "/healthz", tag: "health", summary: "Liveness", ok: 200, answer: oaObj("status", oaStr("ok"))},
	{method: "GET", path: "/readyz", tag: "health", summary: "Readiness: the database answers", ok: 200,
		answer: oaObj("status", oaStr("ready"), "journal_seq", oaInt("last journal sequence number"))},
	{method: "GET", path: "/metrics", tag: "health", summary: "Prometheus metrics", ok: 200, answerType: "text/plain"},
	{method: "GET", path: "/api/openapi.json", tag: "health", summary: "This OpenAPI document", ok: 200, answer: oaAny("OpenAPI 3.0 document")},

	// Members' accounts.
	{method: "POST", path: "/api/members/register", tag: "members", summary: "Register with an invite code (the first member without)",
		body: oaObj("phone*", oaStr("11-digit mobile number"), "password*", oaStr("8 to 128 characters"), "invite_code", oaStr("the inviter's code"), "name", oaStr("display name")),
		ok:   201, answer: oaObj("id", oaStr("member id"), "invite_code", oaStr("own invite code"), "token", oaStr("session token"))},
	{method: "POST", path: "/api/members/login", tag: "members", summary: "Log in with phone and password",
		body: oaObj("phone*", oaStr("mobile number"), "password*", oaStr("password")), ok: 200, answer: oaRef("Session")},
	{method: "POST", path: "/api/members/sms/send", tag: "members", summary: "Send a login code by SMS (same answer for unknown phones)",
		body: oaObj("phone*", oaStr("mobile number")), ok: 200, answer: oaObj("sent", oaBool("true"))},
	{method: "POST", path: "/api/members/sms/login", tag: "members", summary: "Log in with an SMS code",
		body: oaObj("phone*", oaStr("mobile number"), "code*", oaStr("6-digit code")), ok: 200, answer: oaRef("Session")},
	{method: "POST", path: "/api/logout", tag: "members", summary: "End the session of the bearer token", auth: "bearer", ok: 200, answer: oaOK},
	{method: "GET", path: "/api/me", tag: "members", summary: "My profile", auth: "member", ok: 200, answer: oaRef("Me")},
	{method: "PATCH", path: "/api/me", tag: "members", summary: "Change my name or password (a new password ends other sessions)", auth: "member",
		body: oaObj("name", oaStr("display name"), "password", oaStr("new password"), "old_password", oaStr("required with password")), ok: 200, answer: oaRef("Me")},
	{method: "GET", path: "/api/me/invite", tag: "members", summary: "My invite code and link", auth: "member", ok: 200,
		answer: oaObj("invite_code", oaStr(""), "invite_link", oaStr(""), "can_invite", oaBool("whether invitees are accepted now"), "rule", oaStr(""))},
	{method: "POST", path: "/api/operators/login", tag: "operators", summary: "Operator login",
		body: oaObj("login*", oaStr("operator login"), "password*", oaStr("password")), ok: 200,
		answer: oaObj("id", oaStr("operator id"), "role", oaStr("super, finance or operations"), "token", oaStr("session token"))},
	{method: "GET", path: "/api/regions", tag: "regions", summary: "China's divisions: children of parent (provinces without)",
		query: []string{"parent: a division code"}, ok: 200,
		answer: oaArr(oaObj("code", oaStr("division code"), "name", oaStr("name"), "leaf", oaBool("no children")))},

	// Shop.
	{method: "GET", path: "/api/products", tag: "shop", summary: "Products on sale", ok: 200, answer: oaArr(oaRef("Product"))},
	{method: "GET", path: "/api/products/{id}", tag: "shop", summary: "One product on sale", ok: 200, answer: oaRef("Product")},
	{method: "GET", path: "/api/service-points", tag: "shop", summary: "Pickup service points", ok: 200,
		answer: oaArr(oaObj("id", oaStr(""), "name", oaStr(""), "region", oaStr("division code"), "region_name", oaStr("full name"), "address", oaStr("")))},
	{method: "GET", path: "/api/admin/products", tag: "shop", summary: "The whole catalogue", auth: "operator", roles: oaOpsOnly, ok: 200, answer: oaArr(oaRef("Product"))},
	{method: "POST", path: "/api/admin/products", tag: "shop", summary: "Create a product", auth: "operator", roles: oaOpsOnly, body: oaRef("ProductInput"), ok: 201, answer: oaID},
	{method: "PUT", path: "/api/admin/products/{id}", tag: "shop", summary: "Replace a product", auth: "operator", roles: oaOpsOnly, body: oaRef("ProductInput"), ok: 200, answer: oaID},
	{method: "POST", path: "/api/orders", tag: "orders", summary: "Place an order, shipped to an address or picked up at a service point", auth: "member",
		body: oaObj("items*", oaArr(oaObj("product*", oaStr("product id"), "qty*", oaInt("units"))), "address", oaRef("Address"), "pickup", oaStr("service point id")),
		ok:   201, answer: oaRef("Order")},
	{method: "GET", path: "/api/orders", tag: "orders", summary: "My orders", auth: "member", query: oaPageQ, ok: 200, answer: oaPage("items", oaRef("Order"))},
	{method: "GET", path: "/api/orders/{id}", tag: "orders", summary: "One of my orders", auth: "member", ok: 200, answer: oaRef("Order")},
	{method: "POST", path: "/api/orders/{id}/cancel", tag: "orders", summary: "Cancel an unpaid order", auth: "member",
		body: oaObj("reason", oaStr("optional")), ok: 200, answer: oaObj("id", oaStr(""), "status", oaStr("cancelled"))},
	{method: "POST", path: "/api/orders/{id}/receive", tag: "orders", summary: "Confirm receipt of a shipped order", auth: "member", ok: 200, answer: oaRef("Order")},
	{method: "POST", path: "/api/orders/{id}/pay", tag: "orders", summary: "Pay from the wallet, or get the gateway's payment URL", auth: "member", idem: true,
		body: oaObj("method*", oaJS{"type": "string", "enum": []string{"wallet", "gateway"}}), ok: 200,
		answer: oaObj("id", oaStr("order"), "method", oaStr(""), "paid", oaBool("wallet: paid"), "payment_url", oaStr("gateway: where to pay"))},
	{method: "GET", path: "/sandbox/pay/{order}", tag: "payments", summary: "Sandbox gateway's payment page (development)",
		query: []string{"t: the link's signature"}, ok: 200, answerType: "text/html"},
	{method: "POST", path: "/sandbox/pay/{order}", tag: "payments", summary: "Sandbox gateway: pay or fail (development)",
		query: []string{"t: the link's signature"}, rawBody: "application/x-www-form-urlencoded", ok: 200, answerType: "text/html"},
	{method: "GET", path: "/sandbox/topup/{intent}", tag: "payments", summary: "Sandbox gateway's top-up page (development)",
		query: []string{"m: member", "a: amount in fen", "t: the link's signature"}, ok: 200, answerType: "text/html"},
	{method: "POST", path: "/sandbox/topup/{intent}", tag: "payments", summary: "Sandbox gateway: pay a top-up (development)",
		query: []string{"m: member", "a: amount in fen", "t: the link's signature"}, rawBody: "application/x-www-form-urlencoded", ok: 200, answerType: "text/html"},
	{method: "POST", path: "/api/payments/callback", tag: "payments", summary: "Payment gateway's signed notification (HMAC-SHA256): an order paid, or a top-up",
		header: []string{"X-Greenmall-Signature: hex HMAC-SHA256 of the body with the gateway secret"},
		body: oaObj("order", oaStr("order id (or topup and member)"), "topup", oaStr("top-up intent"), "member", oaStr("member the top-up credits"),
			"txn*", oaStr("the gateway's transaction"), "amount_fen*", oaInt("amount paid"),
			"ts*", oaInt("unix seconds"), "nonce*", oaStr("")),
		ok: 200, answer: oaObj("order", oaStr(""), "topup", oaStr(""), "txn", oaStr(""), "status", oaStr("paid"))},
	{method: "POST", path: "/api/wallet/topups", tag: "money", summary: "Top up my wallet: a payment URL at the gateway (503 without one)", auth: "member",
		body: oaObj("amount_fen*", oaInt("100 to 5,000,000")), ok: 201,
		answer: oaObj("intent", oaStr("top-up intent"), "amount_fen", oaInt(""), "payment_url", oaStr("where to pay"))},
	{method: "GET", path: "/api/staff/orders/{id}", tag: "pickup", summary: "A pickup order, for staff of its service point", auth: "member",
		query: []string{"code: the pickup code the buyer shows"}, ok: 200, answer: oaAny("the order as staff see it")},
	{method: "POST", path: "/api/staff/pickup", tag: "pickup", summary: "Verify a pickup code (核销)", auth: "member", idem: true,
		body: oaObj("order*", oaStr("order id"), "code*", oaStr("pickup code")), ok: 200, answer: oaObj("id", oaStr(""), "status", oaStr(""))},
	{method: "GET", path: "/api/admin/orders", tag: "orders", summary: "All orders", auth: "operator", roles: oaAllOps,
		query: append([]string{"member: a member id", "status: an order status"}, oaPageQ...), ok: 200, answer: oaPage("items", oaRef("Order"))},
	{method: "POST", path: "/api/admin/orders/{id}/ship", tag: "orders", summary: "Ship a paid order", auth: "operator", roles: oaOpsOnly,
		body: oaObj("carrier*", oaStr(""), "tracking*", oaStr("")), ok: 200, answer: oaAny("")},
	{method: "POST", path: "/api/admin/orders/{id}/refund", tag: "orders", summary: "Refund a paid order before it settles", auth: "operator", roles: oaFinOnly, idem: true,
		body: oaObj("reason", oaStr("")), ok: 200, answer: oaAny("")},

	// Money and points.
	{method: "GET", path: "/api/wallet", tag: "money", summary: "My balances and chain fund", auth: "member", ok: 200,
		answer: oaObj("available_fen", oaInt(""), "frozen_fen", oaInt(""), "withdrawing_fen", oaInt(""), "chain_fund", oaAny("chain fund and its unlock rule"), "withdraw", oaObj("min_fen", oaInt(""), "fee_bp", oaInt("")))},
	{method: "GET", path: "/api/wallet/ledger", tag: "money", summary: "My ledger lines", auth: "member", query: oaPageQ, ok: 200, answer: oaPage("lines", oaRef("LedgerLine"))},
	{method: "GET", path: "/api/points", tag: "money", summary: "My points and the pool price", auth: "member", ok: 200, answer: oaAny("")},
	{method: "GET", path: "/api/points/history", tag: "money", summary: "The pool price history", auth: "member", ok: 200,
		answer: oaObj("points", oaArr(oaObj("seq", oaInt(""), "at", oaInt(""), "pool_fen", oaInt(""), "supply_upt", oaInt(""), "yuan_per_point", oaStr("display only"))))},
	{method: "POST", path: "/api/points/sell/preview", tag: "money", summary: "What selling points would give", auth: "member", body: oaRef("SellInput"), ok: 200,
		answer: oaObj("upt", oaInt("µpt sold"), "value_fen", oaInt(""), "fee_fen", oaInt(""), "payout_fen", oaInt(""), "sell_fee_bp", oaInt(""), "price", oaAny("the pool price"), "note", oaStr(""))},
	{method: "POST", path: "/api/points/sell", tag: "money", summary: "Sell points (µpt) or all of them", auth: "member", idem: true, body: oaRef("SellInput"), ok: 200, answer: oaAny("")},
	{method: "GET", path: "/api/team", tag: "money", summary: "My team and level progress", auth: "member", ok: 200, answer: oaAny("")},
	{method: "POST", path: "/api/withdrawals", tag: "withdrawals", summary: "Ask for a payout", auth: "member", idem: true,
		body: oaObj("amount_fen*", oaInt("amount"), "account*", oaStr("bank card or Alipay account")), ok: 201, answer: oaID},
	{method: "GET", path: "/api/withdrawals", tag: "withdrawals", summary: "My withdrawals", auth: "member", query: oaPageQ, ok: 200, answer: oaPage("withdrawals", oaRef("Withdrawal"))},
	{method: "GET", path: "/api/admin/withdrawals", tag: "withdrawals", summary: "All withdrawals", auth: "operator", roles: oaFinOnly,
		query: append([]string{"status: requested, approved, rejected or paid", "member: a member id"}, oaPageQ...), ok: 200, answer: oaPage("withdrawals", oaRef("Withdrawal"))},
	{method: "POST", path: "/api/admin/withdrawals/{id}/approve", tag: "withdrawals", summary: "Approve a withdrawal", auth: "operator", roles: oaFinOnly, idem: true,
		body: oaObj("reason", oaStr("")), ok: 200, answer: oaOK},
	{method: "POST", path: "/api/admin/withdrawals/{id}/reject", tag: "withdrawals", summary: "Reject a withdrawal (money back to available)", auth: "operator", roles: oaFinOnly, idem: true,
		body: oaObj("reason", oaStr("")), ok: 200, answer: oaOK},
	{method: "POST", path: "/api/admin/withdrawals/{id}/paid", tag: "withdrawals", summary: "Record the transfer of an approved withdrawal", auth: "operator", roles: oaFinOnly, idem: true,
		body: oaObj("transfer_ref*", oaStr("the bank's or Alipay's reference")), ok: 200, answer: oaOK},

	// Operator console.
	{method: "GET", path: "/api/admin/members", tag: "console", summary: "Search members by id, phone or name", auth: "operator", roles: oaAllOps,
		query: append([]string{"q: id, phone prefix or name part", "level: level code", "role: member, agent or boss"}, oaPageQ...), ok: 200, answer: oaPage("items", oaRef("MemberSummary"))},
	{method: "GET", path: "/api/admin/members/{id}", tag: "console", summary: "A member's account and engine state", auth: "operator", roles: oaAllOps, ok: 200, answer: oaRef("MemberDetail")},
	{method: "POST", path: "/api/admin/members/{id}/level", tag: "console", summary: "Set a member's level (\"\" removes it)", auth: "operator", roles: oaOpsOnly,
		body: oaObj("level*", oaStr("a level code of the plan")), ok: 200, answer: oaOK},
	{method: "POST", path: "/api/admin/members/{id}/shares", tag: "console", summary: "Set a member's shareholder shares", auth: "operator",
		body: oaObj("shares*", oaInt("shares, 0 or more")), ok: 200, answer: oaOK},
	{method: "POST", path: "/api/admin/members/{id}/ban", tag: "console", summary: "Ban (ending the sessions) or unban a member", auth: "operator", roles: oaOpsOnly,
		body: oaObj("banned*", oaBool(""), "reason", oaStr("")), ok: 200, answer: oaObj("id", oaStr(""), "banned", oaBool(""))},
	{method: "GET", path: "/api/admin/service-points", tag: "console", summary: "Service points with staff and stock", auth: "operator", roles: oaOpsOnly, ok: 200, answer: oaList(oaRef("ServicePoint"))},
	{method: "POST", path: "/api/admin/service-points", tag: "console", summary: "Open a service point", auth: "operator", roles: oaOpsOnly,
		body: oaObj("name*", oaStr(""), "owner*", oaStr("member id"), "region*", oaStr("a division code of China"), "address", oaStr("")), ok: 201, answer: oaID},
	{method: "POST", path: "/api/admin/service-points/{id}/staff", tag: "console", summary: "Add or remove a staff member", auth: "operator", roles: oaOpsOnly,
		body: oaObj("member*", oaStr("member id"), "remove", oaBool("remove instead of add")), ok: 200, answer: oaOK},
	{method: "POST", path: "/api/admin/service-points/{id}/stock", tag: "console", summary: "Allot warehouse stock (配货); negative returns it", auth: "operator", roles: oaOpsOnly,
		body: oaObj("product*", oaStr("product id"), "qty*", oaInt("units, ±1..10^9")), ok: 200, answer: oaOK},
	{method: "GET", path: "/api/admin/region-agents", tag: "console", summary: "Regional agents", auth: "operator", roles: oaOpsOnly, ok: 200,
		answer: oaList(oaObj("tier", oaStr(""), "code", oaStr(""), "member", oaStr(""), "at", oaInt("unix ms")))},
	{method: "POST", path: "/api/admin/region-agents", tag: "console", summary: "Assign an area to a member (one agent per area)", auth: "operator", roles: oaOpsOnly,
		body: oaObj("member*", oaStr(""), "tier*", oaStr("district, city, province or bigregion"), "code*", oaStr("division code or big region name")), ok: 201, answer: oaOK},
	{method: "GET", path: "/api/admin/big-regions", tag: "console", summary: "Big regions of the plan", auth: "operator", ok: 200,
		answer: oaObj("big_regions", oaJS{"type": "object", "additionalProperties": oaArr(oaStr("province code"))})},
	{method: "PUT", path: "/api/admin/big-regions/{name}", tag: "console", summary: "Define (or, with no provinces, remove) a big region: a new plan version", auth: "operator",
		body: oaObj("provinces*", oaArr(oaStr("2-digit province code"))), ok: 200, answer: oaObj("version", oaInt("new plan version"))},
	{method: "GET", path: "/api/admin/plan", tag: "plan", summary: "The plan in force", auth: "operator", roles: oaAllOps, ok: 200,
		answer: oaObj("version", oaInt(""), "at", oaInt(""), "actor", oaStr(""), "note", oaStr(""), "plan", oaAny("the plan document"))},
	{method: "GET", path: "/api/admin/plan/versions", tag: "plan", summary: "Plan versions, newest first", auth: "operator", roles: oaAllOps, ok: 200,
		answer: oaList(oaObj("version", oaInt(""), "at", oaInt(""), "actor", oaStr(""), "note", oaStr("")))},
	{method: "POST", path: "/api/admin/plan/validate", tag: "plan", summary: "Check a plan document (YAML or JSON text); changes nothing", auth: "operator", roles: oaAllOps,
		rawBody: "text/plain", ok: 200, answer: oaObj("valid", oaBool(""), "error", oaObj("path", oaStr("key path, e.g. profiles.gift"), "message", oaStr("")))},
	{method: "PUT", path: "/api/admin/plan", tag: "plan", summary: "Replace the plan: a new version, for later settlements", auth: "operator",
		body: oaObj("document*", oaAny("the plan as a JSON object"), "note", oaStr("")), ok: 200, answer: oaObj("version", oaInt("new plan version"))},
	{method: "POST", path: "/api/admin/periods/close", tag: "console", summary: "Close a settlement period", auth: "operator", roles: oaFinOnly, idem: true,
		body: oaObj("period*", oaStr("e.g. 2026-11")), ok: 200, answer: oaOK},
	{method: "GET", path: "/api/admin/periods", tag: "console", summary: "Closed periods, in order", auth: "operator", roles: oaFinOnly, ok: 200, answer: oaList(oaStr("period"))},
	{method: "GET", path: "/api/admin/dashboard", tag: "console", summary: "Platform figures", auth: "operator", roles: oaAllOps, ok: 200, answer: oaRef("Dashboard")},
	{method: "GET", path: "/api/admin/audit", tag: "console", summary: "Operators' actions, newest first", auth: "operator",
		query: append([]string{"actor: an operator id (op1 or op:op1)"}, oaPageQ...), ok: 200,
		answer: oaPage("items", oaObj("seq", oaInt("journal sequence"), "at", oaInt("unix ms"), "type", oaStr("command"), "actor", oaStr("op:<id>"), "data", oaAny("the command, password hashes redacted")))},
	{method: "GET", path: "/api/admin/operators", tag: "operators", summary: "Operator accounts", auth: "operator", ok: 200,
		answer: oaList(oaObj("id", oaStr(""), "login", oaStr(""), "name", oaStr(""), "role", oaStr(""), "created_at", oaInt("")))},
	{method: "POST", path: "/api/admin/operators", tag: "operators", summary: "Create an operator account", auth: "operator",
		body: oaObj("login*", oaStr(""), "name", oaStr(""), "role*", oaJS{"type": "string", "enum": []string{"super", "finance", "operations"}}, "password*", oaStr("8 to 128 characters")),
		ok:   201, answer: oaID},
}

var oaSchemas = oaJS{
	"Error":   oaObj("error*", oaObj("code*", oaStr("invalid_argument, not_found, conflict, insufficient, rule_violation, forbidden, unauthenticated, …"), "message*", oaStr("for people"))),
	"Session": oaObj("id", oaStr("member id"), "token", oaStr("bearer token")),
	"Me": oaObj("id", oaStr(""), "phone", oaStr(""), "name", oaStr(""), "invite_code", oaStr(""), "joined_at", oaInt("unix ms"),
		"role", oaStr("member, agent or boss"), "level", oaStr(""), "staff_of", oaArr(oaStr("service point id"))),
	"Address": oaObj("region*", oaStr("district or street code"), "detail*", oaStr(""), "name*", oaStr(""), "phone*", oaStr("")),
	"Product": oaObj("id", oaStr(""), "name", oaStr(""), "price_fen", oaInt(""), "stock", oaInt(""), "gift", oaBool(""), "profile", oaStr("plan profile"),
		"images", oaArr(oaStr("URL")), "desc", oaStr(""), "active", oaBool("operators only"), "updated_at", oaInt("operators only")),
	"ProductInput": oaObj("name*", oaStr(""), "price_fen*", oaInt(""), "stock", oaInt(""), "profile*", oaStr("plan profile"), "images", oaArr(oaStr("URL")),
		"gift", oaBool(""), "active", oaBool(""), "desc", oaStr("")),
	"Order": oaObj("id", oaStr(""), "member", oaStr(""), "status", oaStr("pending_payment, paid, shipped, completed, settled, cancelled, refunded"),
		"amount_fen", oaInt(""), "lines", oaArr(oaObj("product", oaStr(""), "name", oaStr(""), "price_fen", oaInt(""), "qty", oaInt(""), "profile", oaStr(""))),
		"address", oaRef("Address"), "region", oaStr(""), "pickup", oaStr("service point"), "pickup_code", oaStr("the buyer's eyes only"),
		"pay_method", oaStr(""), "carrier", oaStr(""), "tracking", oaStr(""), "reason", oaStr(""), "created_at", oaInt(""), "paid_at", oaInt(""),
		"shipped_at", oaInt(""), "completed_at", oaInt(""), "settled_at", oaInt(""), "closed_at", oaInt("")),
	"SellInput":  oaObj("upt", oaInt("µpt to sell (1 point = 1,000,000 µpt)"), "all", oaBool("sell the whole holding")),
	"LedgerLine": oaObj("seq", oaInt(""), "n", oaInt(""), "at", oaInt(""), "account", oaStr(""), "amount", oaInt(""), "reason", oaStr(""), "ref", oaStr(""), "unit", oaStr("fen or µpt")),
	"Withdrawal": oaObj("id", oaStr(""), "member", oaStr(""), "amount_fen", oaInt(""), "fee_fen", oaInt(""), "account", oaStr(""), "status", oaStr(""),
		"reason", oaStr(""), "transfer_ref", oaStr(""), "requested_at", oaInt(""), "reviewed_at", oaInt(""), "reviewed_by", oaStr(""), "paid_at", oaInt("")),
	"MemberSummary": oaObj("id", oaStr(""), "phone", oaStr(""), "name", oaStr(""), "invite_code", oaStr(""), "referrer", oaStr(""), "role", oaStr(""),
		"level", oaStr(""), "available_fen", oaInt(""), "frozen_fen", oaInt(""), "withdrawing_fen", oaInt(""), "points_upt", oaInt(""),
		"shares", oaInt(""), "self_spend_fen", oaInt(""), "banned", oaBool(""), "joined_at", oaInt("")),
	"MemberDetail": oaObj("id", oaStr(""), "phone", oaStr(""), "name", oaStr(""), "invite_code", oaStr(""), "joined_at", oaInt(""), "banned", oaBool(""),
		"ban_reason", oaStr(""), "staff_of", oaArr(oaStr("")), "role", oaStr(""), "level", oaStr(""), "unlocked", oaBool("chain fund unlocked"),
		"exits", oaInt("forced exits"), "available_fen", oaInt(""), "frozen_fen", oaInt(""), "withdrawing_fen", oaInt(""), "points_upt", oaInt(""),
		"shares", oaInt(""), "self_spend_fen", oaInt(""), "referrer", oaStr(""), "parent", oaStr("placement parent"), "slot", oaInt("placement slot"),
		"team", oaStr("team boss"), "peer_up", oaStr("peer upline"), "chain_orders", oaInt(""), "direct_active", oaInt(""), "children", oaInt(""),
		"team_size", oaInt(""), "team_sales_fen", oaInt(""), "round_c_fen", oaInt(""), "round_o_upt", oaInt("")),
	"ServicePoint": oaObj("id", oaStr(""), "name", oaStr(""), "owner", oaStr(""), "region", oaStr(""), "address", oaStr(""), "staff", oaArr(oaStr("member id")),
		"stock", oaJS{"type": "object", "additionalProperties": oaInt("units of a product")}, "created_at", oaInt("")),
	"Dashboard": oaObj("members", oaInt(""), "agents", oaInt(""), "bosses", oaInt(""), "banned", oaInt(""),
		"orders", oaJS{"type": "object", "additionalProperties": oaObj("count", oaInt(""), "amount_fen", oaInt(""))},
		"gmv_settled_fen", oaInt(""), "pool_fen", oaInt(""), "supply_upt", oaInt(""),
		"price", oaObj("pool_fen", oaInt(""), "supply_upt", oaInt(""), "yuan_per_point", oaStr("display only")),
		"escrow_fen", oaInt("platform:escrow"), "platform_profit_fen", oaInt(""), "platform_fees_fen", oaInt(""),
		"withdrawals_pending", oaObj("count", oaInt("requested or approved"), "amount_fen", oaInt("")),
		"plan_version", oaInt(""), "periods_closed", oaInt(""), "service_points", oaInt(""), "region_agents", oaInt("")),
}

var oaPathParam = regexp.MustCompile(`\{([a-zA-Z_]+)\}`)

// buildOpenAPI assembles the document from oaRoutes.
func buildOpenAPI() oaJS {
	errResp := func(desc string) oaJS {
		return oaJS{"description": desc, "content": oaJS{"application/json": oaJS{"schema": oaRef("Error")}}}
	}
	paths := oaJS{}
	for _, rt := range oaRoutes {
		op := oaJS{"tags": []string{rt.tag}, "summary": rt.summary, "operationId": oaOperationID(rt)}
		var params []oaJS
		for _, m := range oaPathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, oaJS{"name": m[1], "in": "path", "required": true, "schema": oaJS{"type": "string"}})
		}
		for _, q := range rt.query {
			name, desc, _ := strings.Cut(q, ": ")
			params = append(params, oaJS{"name": name, "in": "query", "description": desc, "schema": oaJS{"type": "string"}})
		}
		for _, h := range rt.header {
			name, desc, _ := strings.Cut(h, ": ")
			params = append(params, oaJS{"name": name, "in": "header", "required": true, "description": desc, "schema": oaJS{"type": "string"}})
		}
		if rt.idem {
			params = append(params, oaJS{"name": "Idempotency-Key", "in": "header", "required": true,
				"description": "1 to 128 characters; a repeat within the server's idempotency window (24 hours by default) gets the first answer and changes nothing", "schema": oaJS{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case rt.body != nil:
			op["requestBody"] = oaJS{"required": true, "content": oaJS{"application/json": oaJS{"schema": rt.body}}}
		case rt.rawBody != "":
			op["requestBody"] = oaJS{"required": true, "content": oaJS{rt.rawBody: oaJS{"schema": oaJS{"type": "string"}}}}
		}
		ok := oaJS{"description": "success"}
		if rt.answer != nil {
			ok["content"] = oaJS{"application/json": oaJS{"schema": rt.answer}}
		} else if rt.answerType != "" {
			ok["content"] = oaJS{rt.answerType: oaJS{"schema": oaJS{"type": "string"}}}
		}
		resps := oaJS{strconv.Itoa(rt.ok): ok}
		if rt.body != nil || rt.query != nil || rt.idem {
			resps["400"] = errResp("invalid request")
		}
		switch rt.auth {
		case "member", "operator", "bearer":
			op["security"] = []oaJS{{"bearer": []string{}}}
			resps["401"] = errResp("no valid session")
		}
		switch rt.auth {
		case "member":
			resps["403"] = errResp("members only")
		case "operator":
			roles := append([]string{"super"}, rt.roles...)
			op["description"] = "Operator roles: " + strings.Join(roles, ", ") + "."
			op["x-roles"] = roles
			resps["403"] = errResp("not an operator of these roles")
		}
		if strings.Contains(rt.path, "{") {
			resps["404"] = errResp("not found")
		}
		if rt.method != "GET" && rt.auth != "" {
			resps["409"] = errResp("the state does not allow it now")
			resps["422"] = errResp("insufficient balance, points or stock, or the plan's rules refuse it")
		}
		op["responses"] = resps
		item, _ := paths[rt.path].(oaJS)
		if item == nil {
			item = oaJS{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = op
	}
	return oaJS{
		"openapi": "3.0.3",
		"info": oaJS{"title": "greenmall API", "version": "1",
			"description": "The platform's HTTP JSON API. Amounts are integer fen; points are µpt (1 point = 1,000,000 µpt). " +
				"Errors have one shape: {\"error\": {\"code\", \"message\"}}. Money- and points-moving POSTs require an Idempotency-Key."},
		"paths": paths,
		"components": oaJS{
			"schemas":         oaSchemas,
			"securitySchemes": oaJS{"bearer": oaJS{"type": "http", "scheme": "bearer", "description": "a session token from a login"}},
		},
	}
}

func oaOperationID(rt oaRoute) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.FieldsFunc(rt.path, func(r rune) bool { return r == '/' || r == '-' || r == '.' || r == '{' || r == '}' }) {
		if part == "api" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

var openapiDoc = sync.OnceValue(func() []byte {
	b, err := json.MarshalIndent(buildOpenAPI(), "", "  ")
	if err != nil {
		panic("openapi document: " + err.Error()) // plain data: cannot happen
	}
	return b
})

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeRaw(w, 200, openapiDoc())
}
