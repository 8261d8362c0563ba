package region

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrUnknownCode is returned, wrapped, for a code that names no division.
var ErrUnknownCode = errors.New("region: unknown code")

// pickerItem is one entry of ChildrenJSON.
type pickerItem struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Leaf bool   `json:"leaf"`
}

var jsonCache sync.Map // code → []byte

// ChildrenJSON returns Children(code) as a JSON array for a cascading picker:
//
//	[{"code":"11","name":"北京市","leaf":false},...]
//
// leaf is true for a division without children. A division without children
// gives []; an unknown code gives an error wrapping ErrUnknownCode. Each
// array is built once and cached, so the result is shared: it must not be
// modified.
func ChildrenJSON(code string) ([]byte, error) {
	if b, ok := jsonCache.Load(code); ok {
		return b.([]byte), nil
	}
	t := data()
	var kids []Division
	if code == "" {
		kids = t.levels[Province]
	} else {
		l, i := t.find(code)
		if l == 0 {
			return nil, fmt.Errorf("%w %q", ErrUnknownCode, code)
		}
		kids = t.childrenAt(l, i)
	}
	items := make([]pickerItem, len(kids))
	for j, d := range kids {
		_, i := t.find(d.Code)
		items[j] = pickerItem{Code: d.Code, Name: d.Name, Leaf: len(t.childrenAt(d.Level, i)) == 0}
	}
	b, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	b = slices.Clip(b) // an append by the caller must copy
	v, _ := jsonCache.LoadOrStore(code, b)
	return v.([]byte), nil
}
