package api

import "testing"

func TestMembersAuth(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		root := ts.register("")
		// Later members need an invite code; the root's is valid only once
		// it is active (invite_requires_active), so a fresh one is refused.
		if r := ts.do("POST", "/api/members/register", "", map[string]any{"phone": "13900000001", "password": "password1"}, ""); r.Status != 400 {
			t.Fatalf("register without invite: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/members/register", "", map[string]any{"phone": "13900000001", "password": "password1", "invite_code": root.Code}, ""); r.Status != 422 || r.Code() != "rule_violation" {
			t.Fatalf("register under an inactive referrer: %d %s", r.Status, r.Raw)
		}
		if r := ts.do("POST", "/api/members/register", "", `{"phone": "139", "password": "password1"}`, ""); r.Status != 400 {
			t.Fatalf("bad phone: %d", r.Status)
		}
		if r := ts.do("POST", "/api/members/register", "", `{"phone": "13900000001", "password": "password1", "extra": 1}`, ""); r.Status != 400 {
			t.Fatalf("unknown field: %d", r.Status)
		}
		// Login, profile, logout.
		tok := ts.login("/api/members/login", map[string]any{"phone": root.Phone, "password": "password1"})
		me := ts.must(200, "GET", "/api/me", tok, nil, "")
		if me.Str("id") != root.ID || me.Str("invite_code") != root.Code {
			t.Fatalf("me: %s", me.Raw)
		}
		ts.must(200, "POST", "/api/logout", tok, nil, "")
		if r := ts.do("GET", "/api/me", tok, nil, ""); r.Status != 401 {
			t.Fatalf("after logout: %d", r.Status)
		}
		if r := ts.do("GET", "/api/me", "", nil, ""); r.Status != 401 {
			t.Fatalf("no token: %d", r.Status)
		}
		// An operator token is not a member's.
		if r := ts.do("GET", "/api/me", ts.Admin, nil, ""); r.Status != 403 {
			t.Fatalf("operator on a member endpoint: %d", r.Status)
		}
		// Rate limiting: five failures, then even the right password waits.
		for i := 0; i < 5; i++ {
			if r := ts.do("POST", "/api/members/login", "", map[string]any{"phone": root.Phone, "password": "wrong-pass"}, ""); r.Status != 401 {
				t.Fatalf("wrong password: %d", r.Status)
			}
		}
		if r := ts.do("POST", "/api/members/login", "", map[string]any{"phone": root.Phone, "password": "password1"}, ""); r.Status != 429 {
			t.Fatalf("after 5 failures: %d", r.Status)
		}
		// Password change ends the other sessions.
		r := ts.must(200, "PATCH", "/api/me", root.Token, map[string]any{"name": "根", "password": "password2", "old_password": "password1"}, "")
		if r.Str("name") != "根" {
			t.Fatalf("patch me: %s", r.Raw)
		}
		if r := ts.do("GET", "/api/me", root.Token, nil, ""); r.Status != 401 {
			t.Fatalf("old session after password change: %d", r.Status)
		}
		ts.verify()
	})
}
