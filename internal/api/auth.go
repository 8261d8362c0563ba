package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/greenmall/greenmall/internal/platform"
	"github.com/greenmall/greenmall/internal/store"
)

// argon2id parameters (RFC 9106's second recommendation, with less memory
// for small servers).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	sessionTTL   = 30 * 24 * time.Hour
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches an argon2id hash.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

func validPassword(pw string) bool { return len(pw) >= 8 && len(pw) <= 128 }

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// newSession creates a session for principal and returns its token.
func (s *Server) newSession(ctx context.Context, principal string) (string, error) {
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := s.Clock()
	err := s.DB.CreateSession(ctx, store.Session{TokenHash: hashToken(tok), Principal: principal,
		CreatedAt: now.UnixMilli(), ExpiresAt: now.Add(sessionTTL).UnixMilli()})
	return tok, err
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}

// Principal is who is calling.
type Principal struct {
	ID       string // "m:<member>" or "op:<operator>"
	Member   string // set for members
	Operator *platform.Operator
}

type ctxKey struct{}

func principalOf(r *http.Request) Principal {
	p, _ := r.Context().Value(ctxKey{}).(Principal)
	return p
}

func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	tok := bearer(r)
	if tok == "" {
		writeError(w, 401, "unauthenticated", "log in first: send Authorization: Bearer <token>")
		return Principal{}, false
	}
	sess, err := s.DB.Session(r.Context(), hashToken(tok), s.Clock().UnixMilli())
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, 401, "unauthenticated", "session expired or revoked: log in again")
		return Principal{}, false
	}
	if err != nil {
		s.fail(w, r, err)
		return Principal{}, false
	}
	p := Principal{ID: sess.Principal}
	// A Guard, not a Read: a pass cannot rest on state that is not yet
	// durable (a session exists only after a login that read its member
	// durably, and a ban revokes sessions), and what the handler answers it
	// learns through Submit or Read, which wait for durability themselves.
	ok := s.Seq.Guard(func(pl *platform.Platform) bool {
		p.Member, p.Operator = "", nil
		if id, isM := strings.CutPrefix(sess.Principal, "m:"); isM {
			m, found := pl.MemberByID(id)
			p.Member = id
			return found && !m.Banned
		} else if id, isOp := strings.CutPrefix(sess.Principal, "op:"); isOp {
			o, found := pl.OperatorByID(id)
			if found {
				oc := *o
				p.Operator = &oc
			}
			return found
		}
		return false
	})
	if !ok {
		writeError(w, 401, "unauthenticated", "account is not active")
		return Principal{}, false
	}
	return p, true
}

// member wraps a handler for members only.
func (s *Server) member(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if p.Member == "" {
			writeError(w, 403, platform.CodeForbidden, "members only")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	}
}

// operator wraps a handler for operators of the given roles (super always).
func (s *Server) operator(h http.HandlerFunc, roles ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if p.Operator == nil {
			writeError(w, 403, platform.CodeForbidden, "operators only")
			return
		}
		allowed := p.Operator.Role == platform.RoleSuper
		for _, role := range roles {
			allowed = allowed || p.Operator.Role == role
		}
		if !allowed {
			writeError(w, 403, platform.CodeForbidden, "your operator role "+p.Operator.Role+" may not do this")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	}
}

// ---- login rate limiting ----

// limiter counts failed logins per account and per client address in a
// sliding window; past the limit, logins are refused until it slides.
type limiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

const (
	loginWindow   = 15 * time.Minute
	loginMaxFails = 5
	ipMaxFails    = 30
)

func newLimiter() *limiter { return &limiter{fails: map[string][]time.Time{}} }

func (l *limiter) recent(key string, now time.Time) []time.Time {
	f := l.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) > loginWindow {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = f
	}
	return f
}

func (l *limiter) blocked(account, ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent("a:"+account, now)) >= loginMaxFails || len(l.recent("i:"+ip, now)) >= ipMaxFails
}

func (l *limiter) fail(account, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails["a:"+account] = append(l.recent("a:"+account, now), now)
	l.fails["i:"+ip] = append(l.recent("i:"+ip, now), now)
}

func (l *limiter) succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "a:"+account)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ---- SMS ----

// SMSProvider sends a login code by SMS.
type SMSProvider interface {
	Send(ctx context.Context, phone, code string) error
}

// DevSMS writes codes to the log instead of sending them: for development only.
type DevSMS struct{ Log *slog.Logger }

// Send logs the code.
func (d DevSMS) Send(_ context.Context, phone, code string) error {
	d.Log.Warn("DEVELOPMENT SMS PROVIDER: not sent, logged instead", "phone", phone, "code", code)
	return nil
}

type smsCode struct {
	code     string
	expires  time.Time
	attempts int
}

type smsCodes struct {
	mu    sync.Mutex
	codes map[string]*smsCode
}

func newSMSCodes() *smsCodes { return &smsCodes{codes: map[string]*smsCode{}} }
