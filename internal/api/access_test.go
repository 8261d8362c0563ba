package api

import (
	"regexp"
	"slices"
	"testing"

	"github.com/greenmall/greenmall/internal/platform"
)

// Every documented endpoint refuses the callers its access rule excludes:
// no token (401), the other kind of principal (403), and on operator routes
// each operator role the route does not list (403). The rules come from the
// OpenAPI table (oaRoutes), which TestOpenAPICoversEveryRoute holds to the
// registered routes, so a new endpoint is covered the day it is added. The
// group tests (TestShopAccess, TestMoneyAccess, TestOperatorAccess) check
// the allowed side with real data.
func TestEveryRouteRefusesTheWrongCaller(t *testing.T) {
	forEachDB(t, func(t *testing.T, kind string) {
		ts := newTestServer(t, kind, nil)
		m := ts.shopMember("")
		ops := map[string]string{
			platform.RoleFinance:    ts.shopOperator(platform.RoleFinance),
			platform.RoleOperations: ts.shopOperator(platform.RoleOperations),
		}
		param := regexp.MustCompile(`\{[^}]+\}`)
		checked := 0
		for _, rt := range oaRoutes {
			if rt.auth == "" {
				continue
			}
			route := rt.method + " " + rt.path
			path := param.ReplaceAllString(rt.path, "x1")
			call := func(token string) int { return ts.do(rt.method, path, token, map[string]any{}, "k").Status }
			if got := call(""); got != 401 {
				t.Errorf("%s without a token: %d, want 401", route, got)
			}
			switch rt.auth {
			case "member":
				if got := call(ts.Admin); got != 403 {
					t.Errorf("%s as an operator: %d, want 403", route, got)
				}
			case "operator":
				if got := call(m.Token); got != 403 {
					t.Errorf("%s as a member: %d, want 403", route, got)
				}
				for role, tok := range ops {
					if slices.Contains(rt.roles, role) {
						continue
					}
					if got := call(tok); got != 403 {
						t.Errorf("%s as %s: %d, want 403", route, role, got)
					}
				}
			case "bearer": // any session (logout): only no token is refused
			default:
				t.Errorf("%s: unknown access rule %q", route, rt.auth)
			}
			checked++
		}
		t.Logf("%d routes checked", checked)
		if checked < 40 {
			t.Fatalf("checked only %d routes: is the table read right?", checked)
		}
	})
}
