package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// registeredRoutes scans the package's sources for the patterns the server
// registers on its mux: "METHOD /path".
func registeredRoutes(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`s\.mux\.Handle(?:Func)?\("([^"]+)"`)
	routes := map[string]string{} // "get /path" → file
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			method, path, ok := strings.Cut(m[1], " ")
			if !ok {
				t.Errorf("%s: pattern %q has no method: every route should name one", f, m[1])
				continue
			}
			path = strings.ReplaceAll(path, "...}", "}")
			routes[strings.ToLower(method)+" "+path] = f
		}
	}
	if len(routes) < 10 {
		t.Fatalf("found only %d routes: is the scan broken?", len(routes))
	}
	return routes
}

func TestOpenAPICoversEveryRoute(t *testing.T) {
	ts := newTestServer(t, "sqlite", nil)
	r := ts.must(200, "GET", "/api/openapi.json", "", nil, "")
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item {
			documented[method+" "+path] = true
		}
	}
	routes := registeredRoutes(t)
	var missing, stale []string
	for rt, file := range routes {
		if !documented[rt] {
			missing = append(missing, rt+" ("+file+")")
		}
	}
	for rt := range documented {
		if _, ok := routes[rt]; !ok {
			stale = append(stale, rt)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document (add them to oaRoutes in openapi.go):\n%s", strings.Join(missing, "\n"))
	}
	if len(stale) > 0 {
		t.Errorf("documented routes the server does not register:\n%s", strings.Join(stale, "\n"))
	}

	// Every operation is well formed: path parameters declared, references
	// resolved, responses given.
	refs := regexp.MustCompile(`"\$ref":"#/components/schemas/([^"]+)"`)
	for _, m := range refs.FindAllSubmatch(r.Raw, -1) {
		if _, ok := doc.Components.Schemas[string(m[1])]; !ok {
			t.Errorf("unresolved schema reference %s", m[1])
		}
	}
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
				Parameters  []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s %s: no operationId or responses", method, path)
			}
			for _, m := range oaPathParam.FindAllStringSubmatch(path, -1) {
				found := false
				for _, p := range op.Parameters {
					found = found || (p.In == "path" && p.Name == m[1])
				}
				if !found {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
			}
		}
	}
	ids := map[string]string{}
	for _, rt := range oaRoutes {
		id := oaOperationID(rt)
		if prev, dup := ids[id]; dup {
			t.Errorf("operationId %s of %s %s repeats %s", id, rt.method, rt.path, prev)
		}
		ids[id] = rt.method + " " + rt.path
	}
}
