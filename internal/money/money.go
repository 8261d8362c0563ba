// Package money holds the exact integer arithmetic of the reward plan: fen,
// micro-points (µpt) and basis points, with 128- and 192-bit intermediates.
// Nothing here uses floating point.
package money

import (
	"fmt"
	"math"
	"math/bits"
)

// BP is 100 % in basis points.
const BP = 10000

// UptPerPoint is the number of micro-points in one point.
const UptPerPoint = 1_000_000

// Part returns floor(a × bp / 10000) for a, bp ≥ 0 (reward-plan.md section 0).
func Part(a, bp int64) int64 {
	return MulDiv(a, bp, BP)
}

// MulDiv returns floor(a × b / d) for a, b ≥ 0 and d > 0. The quotient must
// fit in an int64; ok is false when it does not.
func MulDiv(a, b, d int64) int64 {
	q, ok := MulDivOK(a, b, d)
	if !ok {
		panic("money: MulDiv overflow")
	}
	return q
}

// MulDivOK is MulDiv that reports overflow instead of panicking.
func MulDivOK(a, b, d int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(d) {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, uint64(d))
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}

// U192 is an unsigned 192-bit integer, most significant word first.
type U192 [3]uint64

// Mul3 returns a × b × c as a 192-bit value, for non-negative a, b and c.
// Each is below 2^63, so the product is below 2^189 and always fits.
func Mul3(a, b, c int64) U192 {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	// (h1·2^64 + l1) × c
	h2, l2 := bits.Mul64(l1, uint64(c))
	h3, l3 := bits.Mul64(h1, uint64(c))
	mid, carry := bits.Add64(l3, h2, 0)
	return U192{h3 + carry, mid, l2}
}

// Cmp compares x and y: -1, 0 or +1.
func (x U192) Cmp(y U192) int {
	for i := 0; i < 3; i++ {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Div64 returns floor(x / d) for d > 0.
func (x U192) Div64(d uint64) U192 {
	var q U192
	var r uint64
	for i := 0; i < 3; i++ {
		q[i], r = bits.Div64(r, x[i], d)
	}
	return q
}

// Int64 returns x as an int64 and whether it fits.
func (x U192) Int64() (int64, bool) {
	if x[0] != 0 || x[1] != 0 || x[2] > math.MaxInt64 {
		return 0, false
	}
	return int64(x[2]), true
}

// MulDiv3 returns floor(a × b × c / (d × e)) for non-negative a, b, c and
// positive d, e, and whether the result fits in an int64. It uses
// floor(floor(x/d)/e) = floor(x/(d·e)), so no product is ever truncated.
func MulDiv3(a, b, c, d, e int64) (int64, bool) {
	return Mul3(a, b, c).Div64(uint64(d)).Div64(uint64(e)).Int64()
}

// Less128 reports whether a × b < c × d for non-negative values.
func Less128(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	return h1 < h2 || (h1 == h2 && l1 < l2)
}

// FormatYuanPerPoint formats the price poolFen/supplyUpt as yuan per point
// with four decimals, rounded half up: for display only, never settlement.
func FormatYuanPerPoint(poolFen, supplyUpt int64) string {
	if supplyUpt <= 0 {
		return "-"
	}
	// price in 1/10000 yuan = poolFen × 100 × 10^6 / supplyUpt
	x := Mul3(poolFen, 100*UptPerPoint, 2).Div64(uint64(supplyUpt))
	v, ok := x.Int64()
	if !ok {
		return "overflow"
	}
	v = (v + 1) / 2
	return fmt.Sprintf("%d.%04d", v/10000, v%10000)
}
