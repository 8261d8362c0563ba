package region

import (
	"strings"
	"testing"
)

func FuzzLookup(f *testing.F) {
	for _, code := range []string{"", "11", "1101", "110101", "110101001", "440305", "4403x5", "71", "１１", "\xff\xfe", "1101010011"} {
		f.Add(code)
	}
	f.Fuzz(func(t *testing.T, code string) {
		d, ok := Lookup(code)
		if Valid(code) != ok {
			t.Fatalf("Valid(%q) disagrees with Lookup", code)
		}
		path := Path(code)
		full := FullName(code)
		kids := Children(code)
		b, err := ChildrenJSON(code)
		if !ok {
			if d != (Division{}) || path != nil || full != "" || (code != "" && (kids != nil || err == nil)) {
				t.Fatalf("unknown code %q gave %+v %v %q %v %s %v", code, d, path, full, kids, b, err)
			}
			return
		}
		if d.Code != code || len(code) != codeLen[d.Level] || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("Lookup(%q) = %+v", code, d)
		}
		if len(path) != int(d.Level) || path[len(path)-1] != d || !strings.HasSuffix(full, d.Name) {
			t.Fatalf("Path(%q) = %v, FullName = %q", code, path, full)
		}
		if err != nil || (len(kids) == 0) != (string(b) == "[]") {
			t.Fatalf("ChildrenJSON(%q) = %s, %v with %d children", code, b, err, len(kids))
		}
	})
}
