package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/greenmall/greenmall/internal/plan"
)

// TestTakeChangesCoversEveryChange runs random scripts and checks, after
// every command, that each member whose view changed was reported by
// TakeChanges (unless it reported everyone). The team figures are left
// out: they are not tracked, by design (they change for every ancestor).
func TestTakeChangesCoversEveryChange(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		g := &scriptGen{r: rand.New(rand.NewPCG(seed, 17))}
		e := New(plan.Default(), Options{TrackChanges: true})
		var prev []MemberView
		reported := 0
		for step := 0; step < 3000; step++ {
			cmd := g.next(e)
			if _, err := e.Apply(cmd); err != nil {
				if all := e.TakeChanges(func(int32) { t.Fatalf("step %d: a rejected %T reported changes", step, cmd) }); all {
					t.Fatalf("step %d: a rejected %T reported a change of everyone", step, cmd)
				}
				continue
			}
			changed := map[int32]bool{}
			all := e.TakeChanges(func(i int32) { changed[i] = true })
			for i := int32(0); i < int32(e.NumMembers()); i++ {
				v := e.Member(i)
				v.TeamSize, v.TeamSalesFen = 0, 0
				if int(i) >= len(prev) {
					prev = append(prev, MemberView{})
					if !changed[i] {
						t.Fatalf("seed %d step %d %T: new member %s not reported", seed, step, cmd, v.ID)
					}
				} else if v != prev[i] && !changed[i] && !all {
					t.Fatalf("seed %d step %d %T: member %s changed unreported:\n%+v\n%+v", seed, step, cmd, v.ID, prev[i], v)
				}
				prev[i] = v
			}
			reported += len(changed)
		}
		if reported == 0 {
			t.Fatal("nothing reported")
		}
	}
}
