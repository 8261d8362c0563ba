package region

import (
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// divisionsGz is the output of internal/gen: see its doc for the format.
//
//go:embed data/divisions.txt.gz
var divisionsGz string

// data returns the decoded divisions, decoding them on first use.
var data = sync.OnceValue(func() *table {
	t, err := parse(divisionsGz)
	if err != nil {
		panic("region: embedded data: " + err.Error())
	}
	return t
})

// table holds the divisions of each level in code order. Since each code
// starts with its parent's, the children of a division are a run of the
// next level: those of levels[l][i] are levels[l+1][first[l][i]:first[l][i+1]].
type table struct {
	levels [Street + 1][]Division // levels[0] is unused
	first  [Street][]int32        // first[0] is unused; len(first[l]) = len(levels[l])+1
}

// parse decodes the gzipped output of internal/gen. Names are substrings of
// the decoded text and codes substrings of one string, so the table costs a
// few large allocations rather than one per division.
func parse(gz string) (*table, error) {
	if len(gz) < 4 {
		return nil, fmt.Errorf("short data")
	}
	zr, err := gzip.NewReader(strings.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	// The gzip trailer holds the decoded size modulo 2³².
	text.Grow(int(binary.LittleEndian.Uint32([]byte(gz[len(gz)-4:]))))
	if _, err := io.Copy(&text, zr); err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	s := text.String()

	// Count first, so that every slice is allocated once at its size.
	var count [Street + 1]int
	codeBytes := 0
	for rest := s; rest != ""; {
		l := Level(rest[0] - '0')
		if l < Province || l > Street {
			return nil, fmt.Errorf("bad level %q", rest[0])
		}
		count[l]++
		codeBytes += codeLen[l]
		nl := strings.IndexByte(rest, '\n')
		if nl < 0 {
			return nil, fmt.Errorf("last line has no newline")
		}
		rest = rest[nl+1:]
	}
	t := new(table)
	for l := Province; l <= Street; l++ {
		t.levels[l] = make([]Division, 0, count[l])
		if l < Street {
			t.first[l] = make([]int32, 0, count[l]+1)
		}
	}
	var codes strings.Builder
	codes.Grow(codeBytes)

	var last [Street + 1]string // last[l] is the code of the latest division of level l
	for rest := s; rest != ""; {
		nl := strings.IndexByte(rest, '\n')
		line := rest[:nl]
		rest = rest[nl+1:]

		l := Level(line[0] - '0')
		parent := last[l-1]
		if l > Province && parent == "" {
			return nil, fmt.Errorf("line %q has no parent", line)
		}
		n := codeLen[l] - codeLen[l-1]
		if len(line) <= 1+n || strings.Trim(line[1:1+n], "0123456789") != "" {
			return nil, fmt.Errorf("bad line %q", line)
		}
		start := codes.Len()
		codes.WriteString(parent)
		codes.WriteString(line[1 : 1+n])
		code := codes.String()[start:]
		if ds := t.levels[l]; len(ds) > 0 && ds[len(ds)-1].Code >= code {
			return nil, fmt.Errorf("code %s is out of order", code)
		}

		if l < Street {
			t.first[l] = append(t.first[l], int32(len(t.levels[l+1])))
		}
		t.levels[l] = append(t.levels[l], Division{Code: code, Name: line[1+n:], Level: l})
		last[l] = code
		for k := l + 1; k <= Street; k++ {
			last[k] = ""
		}
	}
	for l := Province; l < Street; l++ {
		t.first[l] = append(t.first[l], int32(len(t.levels[l+1])))
	}
	return t, nil
}

// find returns the level and index of code, or level 0 when it is unknown.
func (t *table) find(code string) (Level, int) {
	l := levelOf(code)
	if l == 0 {
		return 0, 0
	}
	i, ok := slices.BinarySearchFunc(t.levels[l], code, func(d Division, code string) int {
		return strings.Compare(d.Code, code)
	})
	if !ok {
		return 0, 0
	}
	return l, i
}

// childrenAt returns the children of levels[l][i].
func (t *table) childrenAt(l Level, i int) []Division {
	if l >= Street {
		return nil
	}
	return t.levels[l+1][t.first[l][i]:t.first[l][i+1]]
}

// children returns the children of code: the provinces for "", nil for an
// unknown code.
func (t *table) children(code string) []Division {
	if code == "" {
		return t.levels[Province]
	}
	l, i := t.find(code)
	if l == 0 {
		return nil
	}
	return t.childrenAt(l, i)
}
