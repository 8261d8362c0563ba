package api

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/greenmall/greenmall/internal/platform"
)

func (s *Server) memberRoutes() {
	s.mux.HandleFunc("POST /api/members/register", s.register)
	s.mux.HandleFunc("POST /api/members/login", s.memberLogin)
	s.mux.HandleFunc("POST /api/members/sms/send", s.smsSend)
	s.mux.HandleFunc("POST /api/members/sms/login", s.smsLogin)
	s.mux.HandleFunc("POST /api/logout", s.logout)
	s.mux.HandleFunc("GET /api/me", s.member(s.me))
	s.mux.HandleFunc("PATCH /api/me", s.member(s.updateMe))
	s.mux.HandleFunc("GET /api/me/invite", s.member(s.invite))
	s.mux.HandleFunc("POST /api/operators/login", s.operatorLogin)
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no 0/O, 1/I

func randomCode(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

type registerReq struct {
	Phone      string `json:"phone"`
	Password   string `json:"password"`
	InviteCode string `json:"invite_code"`
	Name       string `json:"name"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var req registerReq
	if !decode(w, r, &req) {
		return
	}
	if !platform.ValidPhone(req.Phone) {
		writeError(w, 400, platform.CodeInvalid, "phone must be an 11-digit mobile number")
		return
	}
	if !validPassword(req.Password) {
		writeError(w, 400, platform.CodeInvalid, "password must be 8 to 128 characters")
		return
	}
	c := platform.Register{Phone: req.Phone, Name: strings.TrimSpace(req.Name), PasswordHash: HashPassword(req.Password),
		InvitedBy: strings.ToUpper(strings.TrimSpace(req.InviteCode))}
	// A drawn invite code may collide; draw again (rarely needed).
	for attempt := 0; ; attempt++ {
		c.Code = randomCode(8, codeAlphabet)
		res, err := s.Seq.Submit(r.Context(), "anon", "", c)
		if pe, ok := err.(*platform.Error); ok && pe.Code == platform.CodeConflict && strings.Contains(pe.Msg, "invite code") && attempt < 3 {
			continue
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var out struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		}
		json.Unmarshal(res, &out) //nolint:errcheck // our own answer
		tok, err := s.newSession(r.Context(), "m:"+out.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, 201, map[string]string{"id": out.ID, "invite_code": out.Code, "token": tok})
		return
	}
}

type loginReq struct {
	Phone    string `json:"phone"`
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) memberLogin(w http.ResponseWriter, r *http.Request) {
	var req loginReq
	if !decode(w, r, &req) {
		return
	}
	now, ip := s.Clock(), clientIP(r)
	if s.limiter.blocked("m:"+req.Phone, ip, now) {
		writeError(w, 429, "rate_limited", "too many failed logins: wait 15 minutes")
		return
	}
	var id, hash string
	banned := false
	s.Seq.Read(func(p *platform.Platform) {
		if m, ok := p.MemberByPhone(req.Phone); ok {
			id, hash, banned = m.ID, m.PasswordHash, m.Banned
		}
	})
	if id == "" || !CheckPassword(hash, req.Password) {
		s.limiter.fail("m:"+req.Phone, ip, now)
		writeError(w, 401, "bad_credentials", "wrong phone or password")
		return
	}
	if banned {
		writeError(w, 403, platform.CodeForbidden, "this account is banned")
		return
	}
	s.limiter.succeed("m:" + req.Phone)
	tok, err := s.newSession(r.Context(), "m:"+id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]string{"id": id, "token": tok})
}

func (s *Server) operatorLogin(w http.ResponseWriter, r *http.Request) {
	var req loginReq
	if !decode(w, r, &req) {
		return
	}
	now, ip := s.Clock(), clientIP(r)
	if s.limiter.blocked("op:"+req.Login, ip, now) {
		writeError(w, 429, "rate_limited", "too many failed logins: wait 15 minutes")
		return
	}
	var op platform.Operator
	found := false
	s.Seq.Read(func(p *platform.Platform) {
		if o, ok := p.OperatorByLogin(req.Login); ok {
			op, found = *o, true
		}
	})
	if !found || !CheckPassword(op.PasswordHash, req.Password) {
		s.limiter.fail("op:"+req.Login, ip, now)
		writeError(w, 401, "bad_credentials", "wrong login or password")
		return
	}
	s.limiter.succeed("op:" + req.Login)
	tok, err := s.newSession(r.Context(), "op:"+op.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]string{"id": op.ID, "role": op.Role, "token": tok})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	if tok == "" {
		writeError(w, 401, "unauthenticated", "no session")
		return
	}
	if err := s.DB.RevokeSession(r.Context(), hashToken(tok)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]bool{"ok": true})
}

func (s *Server) smsSend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Phone string `json:"phone"`
	}
	if !decode(w, r, &req) {
		return
	}
	if !platform.ValidPhone(req.Phone) {
		writeError(w, 400, platform.CodeInvalid, "phone must be an 11-digit mobile number")
		return
	}
	now := s.Clock()
	if s.limiter.blocked("sms:"+req.Phone, clientIP(r), now) {
		writeError(w, 429, "rate_limited", "too many codes asked: wait 15 minutes")
		return
	}
	// Counted as a "failure" so that sending is rate-limited too.
	s.limiter.fail("sms:"+req.Phone, clientIP(r), now)
	var known bool
	s.Seq.Read(func(p *platform.Platform) { _, known = p.MemberByPhone(req.Phone) })
	if known {
		code := randomCode(6, "0123456789")
		s.sms.mu.Lock()
		s.sms.codes[req.Phone] = &smsCode{code: code, expires: now.Add(5 * time.Minute)}
		s.sms.mu.Unlock()
		if err := s.SMS.Send(r.Context(), req.Phone, code); err != nil {
			s.fail(w, r, fmt.Errorf("send sms: %w", err))
			return
		}
	}
	// The same answer for unknown phones: no account probing.
	writeJSON(w, 200, map[string]bool{"sent": true})
}

func (s *Server) smsLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}
	if !decode(w, r, &req) {
		return
	}
	now := s.Clock()
	s.sms.mu.Lock()
	c := s.sms.codes[req.Phone]
	ok := c != nil && now.Before(c.expires) && c.attempts < 5 && c.code == req.Code
	if c != nil {
		c.attempts++
		if ok || c.attempts >= 5 {
			delete(s.sms.codes, req.Phone)
		}
	}
	s.sms.mu.Unlock()
	if !ok {
		writeError(w, 401, "bad_credentials", "wrong or expired code")
		return
	}
	var id string
	var banned bool
	s.Seq.Read(func(p *platform.Platform) {
		if m, found := p.MemberByPhone(req.Phone); found {
			id, banned = m.ID, m.Banned
		}
	})
	if id == "" || banned {
		writeError(w, 403, platform.CodeForbidden, "this account cannot log in")
		return
	}
	tok, err := s.newSession(r.Context(), "m:"+id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]string{"id": id, "token": tok})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r).Member
	var out map[string]any
	s.Seq.Read(func(p *platform.Platform) {
		m, _ := p.MemberByID(id)
		v, _ := p.View(id)
		out = map[string]any{"id": m.ID, "phone": m.Phone, "name": m.Name, "invite_code": m.Code,
			"joined_at": m.JoinedAt, "role": v.Role.String(), "level": v.Level, "staff_of": nonNil(m.StaffOf)}
	})
	writeJSON(w, 200, out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        *string `json:"name"`
		Password    *string `json:"password"`
		OldPassword string  `json:"old_password"`
	}
	if !decode(w, r, &req) {
		return
	}
	id := principalOf(r).Member
	c := platform.MemberUpdate{Member: id}
	if req.Name != nil {
		c.Name = strings.TrimSpace(*req.Name)
	}
	if req.Password != nil {
		var hash string
		s.Seq.Read(func(p *platform.Platform) { m, _ := p.MemberByID(id); hash = m.PasswordHash })
		if !CheckPassword(hash, req.OldPassword) {
			writeError(w, 403, "bad_credentials", "old_password is wrong")
			return
		}
		if !validPassword(*req.Password) {
			writeError(w, 400, platform.CodeInvalid, "password must be 8 to 128 characters")
			return
		}
		c.PasswordHash = HashPassword(*req.Password)
	}
	if !s.submitValue(w, r, "m:"+id, c, nil) {
		return
	}
	if req.Password != nil {
		// A new password ends the other sessions.
		if err := s.DB.RevokePrincipal(r.Context(), "m:"+id); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.me(w, r)
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	id := principalOf(r).Member
	var code string
	var canInvite bool
	s.Seq.Read(func(p *platform.Platform) {
		m, _ := p.MemberByID(id)
		v, _ := p.View(id)
		code = m.Code
		canInvite = !p.Plan().InviteRequiresActive || v.Role.String() != "member"
	})
	link := strings.TrimRight(s.BaseURL, "/") + "/h5/#/register?invite=" + url.QueryEscape(code)
	writeJSON(w, 200, map[string]any{"invite_code": code, "invite_link": link, "can_invite": canInvite,
		"rule": "Invitees join under you; with invite_requires_active, only active members (agents and bosses) can invite."})
}
