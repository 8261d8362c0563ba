package platform

import (
	"fmt"
	"strings"

	"github.com/greenmall/greenmall/internal/engine"
	"github.com/greenmall/greenmall/internal/money"
)

func (p *Platform) sell(c Sell) (any, error) {
	m, err := p.member(c.Member)
	if err != nil {
		return nil, err
	}
	if m.Banned {
		return nil, fail(CodeForbidden, "member %s is banned", m.ID)
	}
	v, _ := p.View(m.ID)
	if c.All && v.PointsUpt == 0 {
		return nil, fail(CodeInsufficient, "no points to sell")
	}
	if !c.All && (c.Upt < 1 || c.Upt > v.PointsUpt) {
		return nil, fail(CodeInsufficient, "cannot sell %d µpt of a holding of %d µpt", c.Upt, v.PointsUpt)
	}
	before := v.Available
	if err := p.engineApply(engine.Sell{Member: m.ID, Upt: c.Upt, All: c.All}, ""); err != nil {
		return nil, err
	}
	after, _ := p.View(m.ID)
	return map[string]int64{"payout_fen": after.Available - before}, nil
}

// WithdrawFee returns the fee the plan keeps from a withdrawal of amount.
func (p *Platform) WithdrawFee(amount int64) int64 {
	return money.Part(amount, p.Plan().Platform.WithdrawFeeBP)
}

func (p *Platform) withdrawRequest(c WithdrawRequest) (any, error) {
	m, err := p.member(c.Member)
	if err != nil {
		return nil, err
	}
	if m.Banned {
		return nil, fail(CodeForbidden, "member %s is banned", m.ID)
	}
	pl := p.Plan().Platform
	if c.AmountFen < pl.WithdrawMinFen || c.AmountFen > engine.MaxAmountFen {
		return nil, fail(CodeInvalid, "a withdrawal is at least %d fen, got %d", pl.WithdrawMinFen, c.AmountFen)
	}
	if strings.TrimSpace(c.Account) == "" || len(c.Account) > 200 {
		return nil, fail(CodeInvalid, "the account to pay to is required")
	}
	v, _ := p.View(m.ID)
	if c.AmountFen > v.Available {
		return nil, fail(CodeInsufficient, "%d fen asked, %d fen available", c.AmountFen, v.Available)
	}
	fee := p.WithdrawFee(c.AmountFen)
	id := fmt.Sprintf("w%d", p.seqs.withdrawal+1)
	if err := p.engineApply(engine.Withdraw{ID: id, Member: m.ID, AmountFen: c.AmountFen, FeeFen: fee}, id); err != nil {
		return nil, err
	}
	p.seqs.withdrawal++
	p.withdrawals[id] = &Withdrawal{ID: id, Member: m.ID, AmountFen: c.AmountFen, FeeFen: fee, Account: c.Account,
		Status: WdRequested, RequestedAt: p.now}
	p.wdIDs = append(p.wdIDs, id)
	p.fx.mark(&p.fx.Withdrawals, id)
	return map[string]any{"id": id, "fee_fen": fee, "payout_fen": c.AmountFen - fee}, nil
}

func (p *Platform) withdrawal(id string) (*Withdrawal, error) {
	w, ok := p.withdrawals[id]
	if !ok {
		return nil, fail(CodeNotFound, "withdrawal %q not found", id)
	}
	return w, nil
}

// withdrawReview approves (the money stays in withdrawing until the
// transfer is recorded) or rejects (the money returns to available).
func (p *Platform) withdrawReview(c WithdrawReview) error {
	w, err := p.withdrawal(c.ID)
	if err != nil {
		return err
	}
	if w.Status != WdRequested {
		return fail(CodeConflict, "withdrawal %s is %s, not awaiting review", w.ID, w.Status)
	}
	if !c.Approve {
		if strings.TrimSpace(c.Reason) == "" {
			return fail(CodeInvalid, "a rejection needs a reason")
		}
		if err := p.engineApply(engine.WithdrawReject{ID: w.ID}, w.ID); err != nil {
			return err
		}
		w.Status = WdRejected
	} else {
		w.Status = WdApproved
	}
	w.Reason, w.ReviewedAt, w.ReviewedBy = c.Reason, p.now, p.actor
	p.fx.mark(&p.fx.Withdrawals, w.ID)
	return nil
}

func (p *Platform) withdrawPaid(c WithdrawPaid) error {
	w, err := p.withdrawal(c.ID)
	if err != nil {
		return err
	}
	if w.Status != WdApproved {
		return fail(CodeConflict, "withdrawal %s is %s, not approved", w.ID, w.Status)
	}
	if strings.TrimSpace(c.TransferRef) == "" {
		return fail(CodeInvalid, "the transfer reference is required")
	}
	if err := p.engineApply(engine.WithdrawApprove{ID: w.ID}, w.ID); err != nil {
		return err
	}
	w.Status, w.TransferRef, w.PaidAt = WdPaid, c.TransferRef, p.now
	p.fx.mark(&p.fx.Withdrawals, w.ID)
	return nil
}

// Withdrawal returns a withdrawal.
func (p *Platform) Withdrawal(id string) (*Withdrawal, bool) {
	w, ok := p.withdrawals[id]
	return w, ok
}

// WithdrawalIDs returns every withdrawal's id in request order.
func (p *Platform) WithdrawalIDs() []string { return p.wdIDs }

func (p *Platform) periodClose(c PeriodClose) error {
	if strings.TrimSpace(c.Period) == "" || len(c.Period) > 40 {
		return fail(CodeInvalid, "period name must be 1 to 40 bytes")
	}
	if err := p.engineApply(engine.PeriodClose{Period: c.Period}, c.Period); err != nil {
		return err
	}
	p.periods = append(p.periods, c.Period)
	p.fx.Periods = append(p.fx.Periods, c.Period)
	return nil
}

// Periods returns the closed periods in order.
func (p *Platform) Periods() []string { return p.periods }

func (p *Platform) walletTopUp(c WalletTopUp) error {
	m, err := p.member(c.Member)
	if err != nil {
		return err
	}
	if c.GatewayTxn == "" {
		return fail(CodeInvalid, "top-up without a gateway transaction id")
	}
	if prev, seen := p.gatewayTxns[c.GatewayTxn]; seen {
		return fail(CodeConflict, "gateway transaction %s already recorded for %s", c.GatewayTxn, prev)
	}
	if txn, paid := p.topUpIntents[c.Intent]; paid && c.Intent != "" {
		return fail(CodeConflict, "top-up %s is already paid by transaction %s", c.Intent, txn)
	}
	if c.AmountFen < 1 || c.AmountFen > engine.MaxAmountFen {
		return fail(CodeInvalid, "top-up amount %d fen is outside 1..10^12", c.AmountFen)
	}
	if err := p.engineApply(engine.TopUp{Member: m.ID, AmountFen: c.AmountFen}, c.GatewayTxn); err != nil {
		return err
	}
	p.gatewayTxns[c.GatewayTxn] = "wallet " + m.ID
	if c.Intent != "" {
		p.topUpIntents[c.Intent] = c.GatewayTxn
	}
	return nil
}

// TopUpPaid reports whether a top-up intent has been paid.
func (p *Platform) TopUpPaid(intent string) bool {
	_, ok := p.topUpIntents[intent]
	return ok
}

// GatewayTxn reports what a gateway transaction paid: an order id, or
// "wallet <member>" for a top-up.
func (p *Platform) GatewayTxn(txn string) (string, bool) {
	v, ok := p.gatewayTxns[txn]
	return v, ok
}
