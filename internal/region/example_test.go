package region_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/greenmall/greenmall/internal/region"
)

func ExampleLookup() {
	d, ok := region.Lookup("440305")
	fmt.Println(d.Name, d.Level, ok)
	fmt.Println(region.FullName("440305001"))
	_, ok = region.Lookup("440300") // 6-digit city codes are not codes here
	fmt.Println(ok)
	// Output:
	// 南山区 district true
	// 广东省 深圳市 南山区 南头街道
	// false
}

func ExampleChildren() {
	for _, d := range region.Children("4419") {
		fmt.Println(d.Code, d.Name)
	}
	// Output:
	// 441900 东莞市
}

// A handler for a cascading picker: GET /api/regions?parent=4403.
func ExampleChildrenJSON() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := region.ChildrenJSON(r.URL.Query().Get("parent"))
		if errors.Is(err, region.ErrUnknownCode) {
			http.Error(w, "unknown region code", http.StatusNotFound)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Write(b)
	})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/regions?parent=4419", nil))
	body, _ := io.ReadAll(rec.Result().Body)
	fmt.Println(rec.Code, string(body))

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/regions?parent=99", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200 [{"code":"441900","name":"东莞市","leaf":false}]
	// 404
}
