package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
)

// benchConn is the load generator's HTTP/1.1 client: one keep-alive
// connection per simulated client, each request written in one piece and
// each answer parsed only as far as the benchmark needs (status and body).
// It does what wrk does for the same reason: on a small machine the load
// generator shares the cores with the server, and net/http's client costs
// about as much CPU per request as the server's side does.
type benchConn struct {
	c    net.Conn
	r    *bufio.Reader
	host string
	req  []byte
	body []byte
}

func dialBench(base string) (*benchConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	return &benchConn{c: c, r: bufio.NewReaderSize(c, 8192), host: u.Host}, nil
}

func (bc *benchConn) Close() error { return bc.c.Close() }

// do sends one request and returns the status and the body, which is valid
// until the next call.
func (bc *benchConn) do(method, path, token, idem string, body []byte) (int, []byte, error) {
	q := bc.req[:0]
	q = fmt.Appendf(q, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", method, path, bc.host, len(body))
	if token != "" {
		q = append(append(append(q, "Authorization: Bearer "...), token...), "\r\n"...)
	}
	if idem != "" {
		q = append(append(append(q, "Idempotency-Key: "...), idem...), "\r\n"...)
	}
	q = append(append(q, "\r\n"...), body...)
	bc.req = q
	if _, err := bc.c.Write(q); err != nil {
		return 0, nil, err
	}
	return bc.read()
}

func (bc *benchConn) read() (int, []byte, error) {
	line, err := bc.r.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	length, chunked := -1, false
	for {
		h, err := bc.r.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, val, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, nil, fmt.Errorf("bad header %q", h)
		}
		val = bytes.TrimSpace(val)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(val)); err != nil {
				return 0, nil, fmt.Errorf("bad Content-Length %q", val)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(val, []byte("chunked"))
		}
	}
	bc.body = bc.body[:0]
	switch {
	case chunked:
		for {
			h, err := bc.r.ReadSlice('\n')
			if err != nil {
				return 0, nil, err
			}
			n, err := strconv.ParseInt(string(bytes.TrimRight(h, "\r\n")), 16, 32)
			if err != nil {
				return 0, nil, fmt.Errorf("bad chunk size %q", h)
			}
			if err := bc.readBody(int(n) + 2); err != nil { // with its CRLF
				return 0, nil, err
			}
			bc.body = bc.body[:len(bc.body)-2]
			if n == 0 {
				break
			}
		}
	case length >= 0:
		if err := bc.readBody(length); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, errors.New("answer without a length")
	}
	return status, bc.body, nil
}

func (bc *benchConn) readBody(n int) error {
	start := len(bc.body)
	bc.body = slices.Grow(bc.body, n)[:start+n]
	_, err := io.ReadFull(bc.r, bc.body[start:])
	return err
}
