package engine

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/greenmall/greenmall/internal/ledger"
	"github.com/greenmall/greenmall/internal/money"
	"github.com/greenmall/greenmall/internal/plan"
)

// scriptGen makes random but plausible command sequences: members join
// under active referrers, buy gift and retail packages, sell, withdraw,
// get levels, shares and areas, close periods, and now and then change the
// plan or send a command that must be rejected.
type scriptGen struct {
	r       *rand.Rand
	members []string
	n       int
}

var regions = []string{"110101001", "110101", "1101", "11", "310104", "440305", "4403", "51"}

func (g *scriptGen) member() string {
	if len(g.members) == 0 {
		return "nobody"
	}
	// Skewed towards early members, as real networks are.
	i := int(float64(len(g.members)) * g.r.Float64() * g.r.Float64())
	return g.members[i]
}

func (g *scriptGen) next(e *Engine) Command {
	g.n++
	r := g.r
	switch k := r.IntN(100); {
	case k < 18 || len(g.members) < 3:
		id := fmt.Sprintf("m%d", g.n)
		c := Join{ID: id}
		if len(g.members) > 0 && r.IntN(10) > 0 {
			c.Referrer, c.HasReferrer = g.member(), true
			for try := 0; try < 8; try++ { // mostly an active referrer
				if i, ok := e.MemberIndex(c.Referrer); ok && e.Member(i).Role != RoleMember {
					break
				}
				c.Referrer = g.member()
			}
		}
		g.members = append(g.members, id)
		return c
	case k < 55:
		c := Order{ID: fmt.Sprintf("o%d", g.n), Member: g.member(), Profile: "gift", AmountFen: 100000}
		if r.IntN(2) == 0 && len(g.members) > 0 { // a newcomer buys its package
			c.Member = g.members[len(g.members)-1-r.IntN(min(3, len(g.members)))]
		}
		if r.IntN(3) == 0 {
			c.Profile = "retail"
			c.AmountFen = 1 + r.Int64N(500000)
		}
		if r.IntN(2) == 0 {
			c.Region, c.HasRegion = regions[r.IntN(len(regions))], true
		}
		if r.IntN(4) == 0 {
			c.ServicePoint, c.HasServicePoint = fmt.Sprintf("sp%d", r.IntN(4)), true
		}
		return c
	case k < 65:
		c := Sell{Member: g.member()}
		if i, ok := e.MemberIndex(c.Member); ok && r.IntN(3) > 0 {
			c.Upt = 1 + r.Int64N(e.Member(i).PointsUpt+1)
		} else if r.IntN(2) == 0 {
			c.All = true
		} else {
			c.Upt = r.Int64N(1e9)
		}
		return c
	case k < 68:
		return ServicePoint{ID: fmt.Sprintf("sp%d", r.IntN(5)), Owner: g.member(), Region: regions[r.IntN(len(regions))]}
	case k < 71:
		tiers := []string{"district", "city", "province", "bigregion", "street"}
		t := tiers[r.IntN(len(tiers))]
		code := regions[r.IntN(len(regions))]
		if t == "bigregion" {
			code = []string{"华北", "华东", "华南", "火星"}[r.IntN(4)]
		}
		return RegionAgent{Member: g.member(), Tier: t, Code: code}
	case k < 75:
		return SetLevel{Member: g.member(), Level: []string{"", "partner", "cofounder", "director", "king"}[r.IntN(5)]}
	case k < 77:
		return SetShares{Member: g.member(), Shares: r.Int64N(5) - 1}
	case k < 81:
		return PeriodClose{Period: fmt.Sprint(r.IntN(g.n + 1))}
	case k < 88:
		var avail int64
		m := g.member()
		if i, ok := e.MemberIndex(m); ok {
			avail = e.Member(i).Available
		}
		return Withdraw{ID: fmt.Sprintf("w%d", r.IntN(g.n+1)), Member: m, AmountFen: r.Int64N(avail + 2)}
	case k < 94:
		id := fmt.Sprintf("w%d", r.IntN(g.n+1))
		if r.IntN(2) == 0 {
			return WithdrawApprove{ID: id}
		}
		return WithdrawReject{ID: id}
	default:
		p := plan.Default()
		p.Chain.DeadLinePolicy = []string{"none", "swap", "spillover"}[r.IntN(3)]
		p.Chain.UnlockTeamOrders = r.Int64N(25)
		p.Points.ExitMultipleBP = []int64{30000, 20000, 12000, 0}[r.IntN(4)]
		p.Points.SellFeeBP = r.Int64N(3001)
		p.Profiles["gift"].LevelPeerBP = r.Int64N(2) * 100
		for i := range p.Levels {
			if r.IntN(5) == 0 {
				p.Levels[i].Conditions = nil
				continue
			}
			c := &plan.Conditions{DirectActive: r.Int64N(4), SelfSpendFen: r.Int64N(300000)}
			if g.n%3 > 0 { // a third of the plans have no team conditions
				c.TeamSize, c.TeamSalesFen = r.Int64N(10), r.Int64N(3)*r.Int64N(2000000)
			}
			if r.IntN(2) == 0 {
				c.DirectAtLevel = &plan.DirectAtLevel{Level: p.Levels[r.IntN(len(p.Levels))].Code, Count: r.Int64N(3)}
			}
			p.Levels[i].Conditions = c
		}
		return SetPlan{Plan: p}
	}
}

// state is everything a member or auditor can see of an engine.
type state struct {
	Accounts map[string]int64
	Members  []MemberView
	Pool     Pool
	Plan     *plan.Plan
}

func snapshot(e *Engine) state {
	s := state{Accounts: map[string]int64{}, Pool: e.Pool(), Plan: e.Plan()}
	e.EachAccount(func(a ledger.Account, b int64) { s.Accounts[e.AccountName(a)] = b })
	for i := 0; i < e.NumMembers(); i++ {
		s.Members = append(s.Members, e.Member(int32(i)))
	}
	return s
}

// checkInvariants asserts what must hold after every command.
func checkInvariants(t *testing.T, e *Engine, step int) {
	t.Helper()
	var fen, upt, held int64
	e.EachAccount(func(a ledger.Account, b int64) {
		if a.Kind.IsPoints() {
			upt += b
		} else {
			fen += b
		}
		if a.Member >= 0 && b < 0 {
			t.Fatalf("step %d: %s is negative: %d", step, e.AccountName(a), b)
		}
		if a.Kind == ledger.Points {
			held += b
		}
	})
	if fen != 0 || upt != 0 {
		t.Fatalf("step %d: accounts do not sum to zero: fen %d, µpt %d", step, fen, upt)
	}
	forced := 0
	for _, n := range e.team {
		if n.wakeS == 0 {
			forced++
		}
	}
	if forced != e.forced {
		t.Fatalf("step %d: %d members forced, counted %d", step, forced, e.forced)
	}
	pool := e.Pool()
	if held != pool.SupplyUpt {
		t.Fatalf("step %d: supply %d but members hold %d", step, pool.SupplyUpt, held)
	}
	// The pool covers every holding at its sell price (fee 0, the worst case).
	var owed int64
	for i := 0; i < e.NumMembers(); i++ {
		if h := e.Member(int32(i)).PointsUpt; h > 0 {
			v, _ := money.MulDiv3(h, pool.PoolFen, 1, pool.SupplyUpt, 1)
			owed += v
		}
	}
	if owed > pool.PoolFen {
		t.Fatalf("step %d: holdings are worth %d but the pool has %d", step, owed, pool.PoolFen)
	}
}

func TestPropertiesRandomScripts(t *testing.T) {
	steps := 4000
	if testing.Short() {
		steps = 1000
	}
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			run := func() state {
				g := &scriptGen{r: rand.New(rand.NewPCG(seed, 99))}
				p := plan.Default()
				if seed%2 == 0 {
					p.InviteRequiresActive = false
				}
				e := New(p, Options{})
				replayed := map[string]int64{}
				accepted, rejected := 0, 0
				var lastP, lastS int64 = 0, 0
				for i := 0; i < steps; i++ {
					cmd := g.next(e)
					var before state
					if i%7 == 0 {
						before = snapshot(e)
					}
					res, err := e.Apply(cmd)
					if err != nil {
						rejected++
						if i%7 == 0 && !reflect.DeepEqual(before, snapshot(e)) {
							t.Fatalf("step %d: rejected %T (%v) changed the state", i, cmd, err)
						}
						continue
					}
					accepted++
					if err := res.Tx.Check(); err != nil {
						t.Fatalf("step %d %T: %v", i, cmd, err)
					}
					for _, p := range res.Tx.Postings {
						replayed[e.AccountName(p.Account)] += p.Amount
					}
					pool := e.Pool()
					// The price P/S never falls while points are held.
					if lastS > 0 && pool.SupplyUpt > 0 && money.Less128(pool.PoolFen, lastS, lastP, pool.SupplyUpt) {
						t.Fatalf("step %d %T: price fell from %d/%d to %d/%d", i, cmd, lastP, lastS, pool.PoolFen, pool.SupplyUpt)
					}
					lastP, lastS = pool.PoolFen, pool.SupplyUpt
					checkInvariants(t, e, i)
				}
				// The transactions alone reproduce every balance.
				s := snapshot(e)
				for k, v := range replayed {
					if v == 0 {
						delete(replayed, k)
					}
				}
				if !reflect.DeepEqual(replayed, s.Accounts) {
					t.Fatalf("balances differ from the sum of the transactions")
				}
				if accepted < steps/3 || rejected == 0 {
					t.Fatalf("generator is off: %d accepted, %d rejected", accepted, rejected)
				}
				return s
			}
			a, b := run(), run()
			if !reflect.DeepEqual(a, b) {
				t.Fatal("two runs of the same script differ")
			}
		})
	}
}

// TestShortcutsMatchFullWalk runs random scripts through an engine that
// checks and walks every ancestor, as the rules read, and through the
// normal one, whose upgrade checks and level walks take shortcuts: the
// states must be identical after every command.
func TestShortcutsMatchFullWalk(t *testing.T) {
	steps := 5000
	for seed := uint64(11); seed <= 40; seed++ {
		g := &scriptGen{r: rand.New(rand.NewPCG(seed, 5))}
		fast := New(plan.Default(), Options{})
		slow := New(plan.Default(), Options{})
		slow.naive = true
		upgraded := 0
		for i := 0; i < steps; i++ {
			cmd := g.next(fast)
			_, errF := fast.Apply(cmd)
			_, errS := slow.Apply(cmd)
			if (errF == nil) != (errS == nil) {
				t.Fatalf("seed %d step %d %T: fast err %v, slow err %v", seed, i, cmd, errF, errS)
			}
			// Levels after every command: a late upgrade would converge
			// again soon and slip past a sparser comparison.
			for j := range fast.members {
				if fast.members[j].level != slow.members[j].level {
					t.Fatalf("seed %d step %d %T: member %s level %d, full walk gives %d",
						seed, i, cmd, fast.members[j].id, fast.members[j].level, slow.members[j].level)
				}
			}
			if i%50 == 0 || i == steps-1 {
				a, b := snapshot(fast), snapshot(slow)
				if !reflect.DeepEqual(a, b) {
					for j := range a.Members {
						if a.Members[j] != b.Members[j] {
							t.Logf("member %d: fast %+v\nslow %+v", j, a.Members[j], b.Members[j])
						}
					}
					t.Fatalf("seed %d step %d: states differ", seed, i)
				}
			}
		}
		for _, m := range snapshot(fast).Members {
			if m.Level != "" {
				upgraded++
			}
		}
		if upgraded == 0 {
			t.Fatalf("seed %d: nobody holds a level; the test exercises nothing", seed)
		}
	}
}
