// Package plan holds the reward plan: its schema, the built-in default,
// loading from YAML or JSON, and validation (details.md, "Plan document").
package plan

// Plan is a complete, validated reward plan. Amounts are fen, rates are
// basis points of the order amount (10000 = 100 %).
type Plan struct {
	InviteRequiresActive bool
	Points               Points
	Chain                Chain
	Levels               []Level // ascending; at most 9
	Regions              Regions
	// Profiles by name. ProfileNames lists the names sorted, for stable output.
	Profiles     map[string]*Profile
	ProfileNames []string
	// Platform holds the platform server's settings; the engine ignores them.
	Platform Platform
}

// Platform is the optional `platform` section of a plan document: settings
// the server applies around settlement. A document without it keeps the
// defaults (DefaultPlatform).
type Platform struct {
	ReturnWindowDays int64 // an order settles this many days after completion
	WithdrawMinFen   int64 // the smallest withdrawal
	WithdrawFeeBP    int64 // fee kept from each paid withdrawal, rounded down
}

// DefaultPlatform is the platform section of a plan that gives none.
var DefaultPlatform = Platform{ReturnWindowDays: 7, WithdrawMinFen: 1000, WithdrawFeeBP: 0}

// Points configures the consumption-points pool (reward-plan.md section 4).
type Points struct {
	StartPriceFen  int64
	GiftRatioBP    int64
	SellFeeBP      int64
	ExitMultipleBP int64 // 0 disables forced exit
	ExitFeeBP      int64
}

// Chain configures the 链动2+1 chain rewards (section 3); plan-wide.
type Chain struct {
	BossThreshold    int64 // K
	DirectBP         int64
	SeepointBP       int64
	PeerRateBP       int64
	FreezeBP         int64
	UnlockTeamOrders int64
	DeadLinePolicy   string // "none", "swap" or "spillover"
}

// Level is one team level (section 5).
type Level struct {
	Code            string
	Name            string
	DiffBP          int64
	DividendShareBP int64
	Conditions      *Conditions // nil (null, omitted or {}): reached only by a package or an operator
}

// Conditions are a level's upgrade conditions; all must hold. A field left
// at zero always holds; a level with at least one condition key given is
// reachable by rule even when every value is zero.
type Conditions struct {
	SelfSpendFen  int64
	DirectActive  int64
	DirectAtLevel *DirectAtLevel // nil: no such condition
	TeamSalesFen  int64
	TeamSize      int64
}

// DirectAtLevel asks for Count direct referrals at Level or a later level.
type DirectAtLevel struct {
	Level string
	Count int64
}

// Regions configures regional agents (section 6).
type Regions struct {
	Tiers []Tier // most specific first
	// BigRegions maps a big region's name to its province codes.
	BigRegions map[string][]string
}

// Tier is one regional tier: street, district, city, province or bigregion.
type Tier struct {
	Tier   string
	RateBP int64
}

// Profile is an allocation profile (拨比, section 2).
type Profile struct {
	ActivatesAgent         bool
	GrantsLevel            string // a level code or ""
	CostBP                 int64
	PointsBP               int64
	ChainBudgetBP          int64
	DividendBP             int64
	ServicePointBP         int64
	RegionBudgetBP         int64
	LevelBudgetBP          int64
	LevelPeerBP            int64
	ShareholderBP          int64
	DistributionDirectBP   int64
	DistributionIndirectBP int64
}
