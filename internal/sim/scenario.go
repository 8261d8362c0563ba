// Package sim simulates a reward plan over a generated population: members
// joining along a growth curve, referring each other, buying, selling their
// points and withdrawing, all settled by the same engine as the server. It
// writes the run's summary, time series, per-member results, an HTML report
// and SVG charts.
//
// Money and points are integers (fen, µpt) throughout. Floating point
// appears only in the scenario's behaviour parameters (probabilities,
// curve shapes), which are turned into integer thresholds and daily counts
// when the scenario is loaded, and in presentation statistics of the
// report.
package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"gopkg.in/yaml.v3"
)

// Scenario describes the population and its behaviour (docs/sim.md).
type Scenario struct {
	Name       string `yaml:"name"`
	Seed       uint64 `yaml:"seed"`
	Days       int    `yaml:"days"`
	PeriodDays int    `yaml:"period_days"` // a settlement period closes every PeriodDays days

	Population    Population    `yaml:"population"`
	Referral      Referral      `yaml:"referral"`
	Purchase      Purchase      `yaml:"purchase"`
	Selling       Selling       `yaml:"selling"`
	ServicePoints ServicePoints `yaml:"service_points"`
	Regions       Regions       `yaml:"regions"`
	Withdrawals   Withdrawals   `yaml:"withdrawals"`
}

// Population is the growth curve of new members.
type Population struct {
	Founders    int     `yaml:"founders"`     // members without referrer on day 0; all buy the gift package
	Total       int     `yaml:"total"`        // members who join over the run without stop or slump (founders excluded)
	Curve       string  `yaml:"curve"`        // logistic, linear or exponential
	MidpointDay float64 `yaml:"midpoint_day"` // logistic: the day of fastest growth
	Steepness   float64 `yaml:"steepness"`    // logistic and exponential: rate per day
	StopDay     int     `yaml:"stop_day"`     // no new members from this day on; 0: never
	Slump       Slump   `yaml:"slump"`
}

// Slump multiplies the new members of each day from FromDay on by Factor.
type Slump struct {
	FromDay int     `yaml:"from_day"` // 0: no slump
	Factor  float64 `yaml:"factor"`
}

// Referral is how new members find their referrer.
type Referral struct {
	// RecruiterShare of the agents ever bring anyone; the others never do.
	RecruiterShare float64 `yaml:"recruiter_share"`
	// Attachment is "preferential" (a recruiter is chosen in proportion
	// to 1 + the referrals it already made: a few bring thousands, most
	// bring none, as real networks) or "uniform".
	Attachment string `yaml:"attachment"`
}

// Purchase is how members buy.
type Purchase struct {
	GiftProfile   string  `yaml:"gift_profile"`
	GiftAmountFen int64   `yaml:"gift_amount_fen"`
	GiftShare     float64 `yaml:"gift_share"` // of new members who buy the gift package when joining
	// RepeatGiftPerAgentMonth is the mean number of further gift packages an
	// agent buys per 30 days.
	RepeatGiftPerAgentMonth float64 `yaml:"repeat_gift_per_agent_month"`
	RetailProfile           string  `yaml:"retail_profile"`
	// RetailPerMemberMonth is the mean number of retail orders per member
	// per 30 days; buyers are drawn uniformly from the members who joined.
	RetailPerMemberMonth float64 `yaml:"retail_per_member_month"`
	RetailAmountsFen     []int64 `yaml:"retail_amounts_fen"` // drawn uniformly
}

// Selling is how members sell their points.
type Selling struct {
	// HoldShare of members hold until the forced exit; the others sell
	// everything once the price reaches TakeProfitMultiple × the price at
	// which their round opened.
	HoldShare          float64 `yaml:"hold_share"`
	TakeProfitMultiple float64 `yaml:"take_profit_multiple"`
	Panic              Panic   `yaml:"panic"`
}

// Panic selling starts on a day when the new members of the last 7 days
// are fewer than GrowthDrop × those of the 7 days before; then each holder
// sells everything with probability DailySellShare that day.
type Panic struct {
	GrowthDrop     float64 `yaml:"growth_drop"` // 0: never panic
	DailySellShare float64 `yaml:"daily_sell_share"`
}

// ServicePoints are pickup points (核销).
type ServicePoints struct {
	PickupShare float64 `yaml:"pickup_share"` // of orders picked up at a service point of the buyer's region
	// MembersPerPoint: a region gets a service point at its first member and
	// one more per MembersPerPoint members, owned by that member.
	MembersPerPoint int `yaml:"members_per_point"`
}

// Regions are where members live.
type Regions struct {
	Codes []RegionWeight `yaml:"codes"`
	// AgentAfterMembers: when an area of a plan tier (district, city,
	// province, big region) reaches this many members, the member who made
	// it so becomes its regional agent. 0: no regional agents.
	AgentAfterMembers int `yaml:"agent_after_members"`
}

// RegionWeight is a district (6-digit code) and its weight among new members.
type RegionWeight struct {
	Code   string `yaml:"code"`
	Weight int    `yaml:"weight"`
}

// Withdrawals: every EveryDays days, each member holding at least MinFen
// (and the plan's minimum) available withdraws all of it with probability
// Share.
type Withdrawals struct {
	EveryDays int     `yaml:"every_days"` // 0: nobody withdraws
	Share     float64 `yaml:"share"`
	MinFen    int64   `yaml:"min_fen"`
}

// LoadScenario reads a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseScenario decodes a YAML scenario, completes it from DefaultScenario
// and validates it. Unknown keys are errors.
func ParseScenario(data []byte) (*Scenario, error) {
	s := DefaultScenario()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty document
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// DefaultScenario is a small year-long launch: growth that stalls after
// eight months.
func DefaultScenario() *Scenario {
	return &Scenario{
		Name: "default", Seed: 1, Days: 360, PeriodDays: 1,
		Population: Population{Founders: 20, Total: 20000, Curve: "logistic", MidpointDay: 150, Steepness: 0.04,
			Slump: Slump{FromDay: 240, Factor: 0.2}},
		Referral: Referral{RecruiterShare: 0.35, Attachment: "preferential"},
		Purchase: Purchase{GiftProfile: "gift", GiftAmountFen: 100000, GiftShare: 0.7, RepeatGiftPerAgentMonth: 0.05,
			RetailProfile: "retail", RetailPerMemberMonth: 1, RetailAmountsFen: []int64{9900, 19900, 29900}},
		Selling:       Selling{HoldShare: 0.5, TakeProfitMultiple: 2, Panic: Panic{GrowthDrop: 0.5, DailySellShare: 0.05}},
		ServicePoints: ServicePoints{PickupShare: 0.3, MembersPerPoint: 500},
		Regions: Regions{Codes: []RegionWeight{
			{"110101", 3}, {"110105", 2}, {"310104", 3}, {"310115", 2}, {"440106", 3}, {"440305", 2},
			{"330106", 2}, {"510107", 2}, {"420106", 1}, {"610113", 1},
		}, AgentAfterMembers: 300},
		Withdrawals: Withdrawals{EveryDays: 30, Share: 0.6, MinFen: 10000},
	}
}

// Validate reports the first invalid setting.
func (s *Scenario) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("scenario: "+format, args...) }
	share := func(name string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return bad("%s = %v is not a share between 0 and 1", name, v)
		}
		return nil
	}
	switch {
	case s.Days < 1 || s.Days > 100000:
		return bad("days = %d is outside 1..100000", s.Days)
	case s.PeriodDays < 1:
		return bad("period_days = %d is below 1", s.PeriodDays)
	case s.Population.Founders < 1:
		return bad("population.founders = %d is below 1", s.Population.Founders)
	case s.Population.Total < 0 || s.Population.Total+s.Population.Founders > 50_000_000:
		return bad("population.total = %d is outside 0..50,000,000", s.Population.Total)
	case s.Population.Slump.Factor < 0 || math.IsNaN(s.Population.Slump.Factor):
		return bad("population.slump.factor = %v is negative", s.Population.Slump.Factor)
	case s.Purchase.GiftAmountFen < 1 || s.Purchase.GiftProfile == "":
		return bad("purchase.gift_profile and gift_amount_fen (≥ 1) are required")
	case s.Purchase.RetailPerMemberMonth < 0 || s.Purchase.RepeatGiftPerAgentMonth < 0:
		return bad("purchase rates must not be negative")
	case s.Purchase.RetailPerMemberMonth > 0 && (s.Purchase.RetailProfile == "" || len(s.Purchase.RetailAmountsFen) == 0):
		return bad("purchase.retail_profile and retail_amounts_fen are required with retail orders")
	case s.Selling.TakeProfitMultiple < 1 && s.Selling.HoldShare < 1:
		return bad("selling.take_profit_multiple = %v is below 1", s.Selling.TakeProfitMultiple)
	case len(s.Regions.Codes) == 0:
		return bad("regions.codes is empty")
	case s.ServicePoints.PickupShare > 0 && s.ServicePoints.MembersPerPoint < 1:
		return bad("service_points.members_per_point must be ≥ 1 with pickups")
	case s.Withdrawals.EveryDays < 0 || s.Withdrawals.MinFen < 0:
		return bad("withdrawals.every_days and min_fen must not be negative")
	}
	switch s.Population.Curve {
	case "logistic", "linear", "exponential":
	default:
		return bad("population.curve = %q is not logistic, linear or exponential", s.Population.Curve)
	}
	switch s.Referral.Attachment {
	case "preferential", "uniform":
	default:
		return bad("referral.attachment = %q is not preferential or uniform", s.Referral.Attachment)
	}
	for _, a := range s.Purchase.RetailAmountsFen {
		if a < 1 || a > 1_000_000_000_000 {
			return bad("purchase.retail_amounts_fen holds %d, outside 1..10^12", a)
		}
	}
	for _, c := range s.Regions.Codes {
		if len(c.Code) != 6 || !digits(c.Code) || c.Weight < 1 {
			return bad("regions.codes: %q (weight %d) is not a 6-digit district code with a weight ≥ 1", c.Code, c.Weight)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"referral.recruiter_share", s.Referral.RecruiterShare},
		{"purchase.gift_share", s.Purchase.GiftShare},
		{"selling.hold_share", s.Selling.HoldShare},
		{"selling.panic.growth_drop", s.Selling.Panic.GrowthDrop},
		{"selling.panic.daily_sell_share", s.Selling.Panic.DailySellShare},
		{"service_points.pickup_share", s.ServicePoints.PickupShare},
		{"withdrawals.share", s.Withdrawals.Share},
	} {
		if err := share(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// prob turns a share into a threshold for a uniform uint32 draw.
func prob(p float64) uint64 { return uint64(math.Round(p * (1 << 32))) }

// ratePPM turns a mean count per 30 days into millionths per day.
func ratePPM(perMonth float64) int64 { return int64(math.Round(perMonth / 30 * 1e6)) }

// joinsPerDay returns the number of new members on each day 1..Days
// (index 0 is day 0, the founders' day: 0 joins beyond the founders).
func (s *Scenario) joinsPerDay() []int64 {
	p := s.Population
	n := s.Days
	cum := make([]float64, n+1)
	for d := 0; d <= n; d++ {
		x := float64(d)
		switch p.Curve {
		case "linear":
			cum[d] = x
		case "exponential":
			cum[d] = math.Expm1(p.Steepness * x)
		default: // logistic
			cum[d] = 1 / (1 + math.Exp(-p.Steepness*(x-p.MidpointDay)))
		}
	}
	lo, hi := cum[0], cum[n]
	out := make([]int64, n+1)
	var prev int64
	for d := 1; d <= n; d++ {
		var c int64
		if hi > lo {
			c = int64(math.Round(float64(p.Total) * (cum[d] - lo) / (hi - lo)))
		}
		out[d] = c - prev
		prev = c
	}
	for d := 1; d <= n; d++ {
		if p.StopDay > 0 && d >= p.StopDay {
			out[d] = 0
		} else if p.Slump.FromDay > 0 && d >= p.Slump.FromDay {
			out[d] = int64(math.Round(float64(out[d]) * p.Slump.Factor))
		}
	}
	return out
}
