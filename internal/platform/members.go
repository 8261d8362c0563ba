package platform

import (
	"fmt"
	"slices"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
)

func (p *Platform) member(id string) (*Member, error) {
	m, ok := p.members[id]
	if !ok {
		return nil, fail(CodeNotFound, "member %q not found", id)
	}
	return m, nil
}

// ValidPhone reports whether s is a mainland mobile number: 11 digits
// starting with 1.
func ValidPhone(s string) bool {
	if len(s) != 11 || s[0] != '1' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (p *Platform) operatorCreate(c OperatorCreate) (any, error) {
	switch {
	case strings.TrimSpace(c.Login) == "" || len(c.Login) > 64:
		return nil, fail(CodeInvalid, "operator login must be 1 to 64 characters")
	case c.Role != RoleSuper && c.Role != RoleFinance && c.Role != RoleOperations:
		return nil, fail(CodeInvalid, "operator role %q is not super, finance or operations", c.Role)
	case c.PasswordHash == "":
		return nil, fail(CodeInvalid, "operator password is missing")
	}
	if _, dup := p.byLogin[c.Login]; dup {
		return nil, fail(CodeConflict, "operator login %q is taken", c.Login)
	}
	p.seqs.operator++
	o := &Operator{ID: fmt.Sprintf("op%d", p.seqs.operator), Login: c.Login, Name: c.Name, Role: c.Role,
		PasswordHash: c.PasswordHash, CreatedAt: p.now}
	p.operators[o.ID] = o
	p.byLogin[o.Login] = o.ID
	p.fx.mark(&p.fx.Operators, o.ID)
	return map[string]string{"id": o.ID}, nil
}

func (p *Platform) register(c Register) (any, error) {
	if !ValidPhone(c.Phone) {
		return nil, fail(CodeInvalid, "phone %q is not an 11-digit mobile number", c.Phone)
	}
	if _, dup := p.byPhone[c.Phone]; dup {
		return nil, fail(CodeConflict, "phone %s is already registered", c.Phone)
	}
	if c.PasswordHash == "" || c.Code == "" {
		return nil, fail(CodeInvalid, "password and invite code are required")
	}
	if _, dup := p.byCode[c.Code]; dup {
		return nil, fail(CodeConflict, "invite code %q is taken", c.Code)
	}
	if len(c.Name) > 64 {
		return nil, fail(CodeInvalid, "name is longer than 64 bytes")
	}
	join := engine.Join{}
	switch {
	case c.InvitedBy != "":
		ref, ok := p.byCode[c.InvitedBy]
		if !ok {
			return nil, fail(CodeNotFound, "invite code %q is unknown", c.InvitedBy)
		}
		if p.members[ref].Banned {
			return nil, fail(CodeRule, "invite code %q belongs to a banned member", c.InvitedBy)
		}
		join.Referrer, join.HasReferrer = ref, true
	case len(p.members) > 0:
		// Only the very first member joins without an invitation: a
		// network's root.
		return nil, fail(CodeInvalid, "an invite code is required")
	}
	id := fmt.Sprintf("m%d", p.seqs.member+1)
	join.ID = id
	if err := p.engineApply(join, ""); err != nil {
		return nil, err
	}
	p.seqs.member++
	m := &Member{ID: id, Phone: c.Phone, Name: c.Name, PasswordHash: c.PasswordHash, Code: c.Code, JoinedAt: p.now}
	p.members[id] = m
	p.memberIDs = append(p.memberIDs, id)
	p.byPhone[c.Phone] = id
	p.byCode[c.Code] = id
	p.fx.mark(&p.fx.Members, id)
	return map[string]string{"id": id, "code": c.Code}, nil
}

func (p *Platform) memberUpdate(c MemberUpdate) (any, error) {
	m, err := p.member(c.Member)
	if err != nil {
		return nil, err
	}
	if len(c.Name) > 64 {
		return nil, fail(CodeInvalid, "name is longer than 64 bytes")
	}
	if c.Name != "" {
		m.Name = c.Name
	}
	if c.PasswordHash != "" {
		m.PasswordHash = c.PasswordHash
	}
	p.fx.mark(&p.fx.Members, m.ID)
	return nil, nil
}

func (p *Platform) memberBan(c MemberBan) (any, error) {
	m, err := p.member(c.Member)
	if err != nil {
		return nil, err
	}
	m.Banned, m.BanReason = c.Banned, c.Reason
	if !c.Banned {
		m.BanReason = ""
	}
	p.fx.mark(&p.fx.Members, m.ID)
	return nil, nil
}

// MemberByID returns a member's account.
func (p *Platform) MemberByID(id string) (*Member, bool) {
	m, ok := p.members[id]
	return m, ok
}

// MemberByPhone returns the member registered with phone.
func (p *Platform) MemberByPhone(phone string) (*Member, bool) {
	id, ok := p.byPhone[phone]
	if !ok {
		return nil, false
	}
	return p.members[id], true
}

// MemberByCode returns the member whose invite code is code.
func (p *Platform) MemberByCode(code string) (*Member, bool) {
	id, ok := p.byCode[code]
	if !ok {
		return nil, false
	}
	return p.members[id], true
}

// OperatorByLogin returns an operator account.
func (p *Platform) OperatorByLogin(login string) (*Operator, bool) {
	id, ok := p.byLogin[login]
	if !ok {
		return nil, false
	}
	return p.operators[id], true
}

// OperatorByID returns an operator account.
func (p *Platform) OperatorByID(id string) (*Operator, bool) {
	o, ok := p.operators[id]
	return o, ok
}

// NumOperators returns how many operator accounts exist.
func (p *Platform) NumOperators() int { return len(p.operators) }

// MemberIDs returns the members' ids in join order (shared: do not modify).
func (p *Platform) MemberIDs() []string { return p.memberIDs }

// OperatorIDs returns the operators' ids, sorted.
func (p *Platform) OperatorIDs() []string {
	ids := make([]string, 0, len(p.operators))
	for id := range p.operators {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// View returns the engine's view of member id.
func (p *Platform) View(id string) (engine.MemberView, bool) {
	i, ok := p.eng.MemberIndex(id)
	if !ok {
		return engine.MemberView{}, false
	}
	return p.eng.Member(i), true
}
