package money

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestPart(t *testing.T) {
	tests := []struct {
		a, bp, want int64
	}{
		{100000, 3300, 33000},
		{100000, 1000, 10000},
		{99999, 3333, 33329},
		{1, 9999, 0},
		{0, 10000, 0},
		{math.MaxInt64, 10000, math.MaxInt64},
		{math.MaxInt64, 5000, math.MaxInt64 / 2},
	}
	for _, tt := range tests {
		if got := Part(tt.a, tt.bp); got != tt.want {
			t.Errorf("Part(%d, %d) = %d, want %d", tt.a, tt.bp, got, tt.want)
		}
	}
}

// TestAgainstBig checks the fixed-width arithmetic against math/big on
// random operands spanning the whole int64 range.
func TestAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() int64 {
		switch r.IntN(3) {
		case 0:
			return r.Int64N(10001)
		case 1:
			return r.Int64N(1 << 40)
		default:
			return r.Int64()
		}
	}
	for i := 0; i < 200000; i++ {
		a, b, c, d, e := gen(), gen(), gen(), gen()+1, gen()+1
		if d <= 0 {
			d = 1
		}
		if e <= 0 {
			e = 1
		}
		want := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		want.Mul(want, big.NewInt(c))
		den := new(big.Int).Mul(big.NewInt(d), big.NewInt(e))
		want.Quo(want, den)
		got, ok := MulDiv3(a, b, c, d, e)
		if ok != want.IsInt64() || (ok && got != want.Int64()) {
			t.Fatalf("MulDiv3(%d,%d,%d,%d,%d) = %d,%v want %s", a, b, c, d, e, got, ok, want)
		}
		x, y := Mul3(a, b, c), Mul3(d, e, b)
		bx := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		bx.Mul(bx, big.NewInt(c))
		by := new(big.Int).Mul(big.NewInt(d), big.NewInt(e))
		by.Mul(by, big.NewInt(b))
		if x.Cmp(y) != bx.Cmp(by) {
			t.Fatalf("Cmp mismatch for %d %d %d / %d %d", a, b, c, d, e)
		}
		if Less128(a, b, d, e) != (new(big.Int).Mul(big.NewInt(a), big.NewInt(b)).Cmp(new(big.Int).Mul(big.NewInt(d), big.NewInt(e))) < 0) {
			t.Fatalf("Less128 mismatch")
		}
		q2, ok2 := MulDivOK(a, b, d)
		w2 := new(big.Int).Quo(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(d))
		if ok2 != w2.IsInt64() || (ok2 && q2 != w2.Int64()) {
			t.Fatalf("MulDivOK(%d,%d,%d) = %d,%v want %s", a, b, d, q2, ok2, w2)
		}
	}
}

func TestFormatYuanPerPoint(t *testing.T) {
	tests := []struct {
		p, s int64
		want string
	}{
		{30000, 210000000, "1.4286"},
		{60000, 357000000, "1.6807"},
		{90000, 481950000, "1.8674"},
		{100, 1000000, "1.0000"},
		{5, 10000000, "0.0050"},
		{1, 0, "-"},
	}
	for _, tt := range tests {
		if got := FormatYuanPerPoint(tt.p, tt.s); got != tt.want {
			t.Errorf("FormatYuanPerPoint(%d, %d) = %s, want %s", tt.p, tt.s, got, tt.want)
		}
	}
}
