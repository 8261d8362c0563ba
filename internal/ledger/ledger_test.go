package ledger

import "testing"

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		tx   Tx
		ok   bool
	}{
		{"empty", Tx{}, true},
		{"balanced fen", Tx{Postings: []Posting{{Platform(ExternalPayments), -100, Payment}, {Account{3, Available}, 100, Direct}}}, true},
		{"balanced per unit", Tx{Postings: []Posting{
			{Platform(PointsIssued), -5, PointsIssue}, {Account{1, Points}, 5, PointsIssue},
			{Platform(ExternalPayments), -7, Payment}, {Platform(PlatformProfit), 7, Profit}}}, true},
		{"fen against points", Tx{Postings: []Posting{{Platform(PointsIssued), -5, PointsIssue}, {Account{1, Available}, 5, Direct}}}, false},
		{"unbalanced", Tx{Postings: []Posting{{Platform(ExternalPayments), -100, Payment}, {Account{3, Available}, 99, Direct}}}, false},
	}
	for _, tt := range tests {
		if err := tt.tx.Check(); (err == nil) != tt.ok {
			t.Errorf("%s: Check() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestNames(t *testing.T) {
	if got := (Account{0, Frozen}).Name("张三"); got != "张三:frozen" {
		t.Errorf("got %q", got)
	}
	if got := Platform(PoolDividend).Name(""); got != "pool:dividend" {
		t.Errorf("got %q", got)
	}
	for k := Kind(0); k < NumKinds; k++ {
		if k.String() == "" {
			t.Errorf("kind %d has no name", k)
		}
	}
	for r := Reason(0); r < NumReasons; r++ {
		if r.String() == "" {
			t.Errorf("reason %d has no name", r)
		}
	}
}
