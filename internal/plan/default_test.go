package plan

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"testing"
)

// wantDefault is default-plan.yaml, written out by hand.
func wantDefault() *Plan {
	return &Plan{
		InviteRequiresActive: true,
		Platform:             DefaultPlatform,
		Points: Points{
			StartPriceFen:  100,
			GiftRatioBP:    7000,
			SellFeeBP:      2000,
			ExitMultipleBP: 30000,
			ExitFeeBP:      2000,
		},
		Chain: Chain{
			BossThreshold:    3,
			DirectBP:         1000,
			SeepointBP:       2000,
			PeerRateBP:       1000,
			FreezeBP:         2000,
			UnlockTeamOrders: 20,
			DeadLinePolicy:   "none",
		},
		Levels: []Level{
			{Code: "partner", Name: "合伙人", DiffBP: 100, DividendShareBP: 4000,
				Conditions: &Conditions{DirectActive: 5, TeamSize: 20}},
			{Code: "cofounder", Name: "联创", DiffBP: 200, DividendShareBP: 3000,
				Conditions: &Conditions{DirectAtLevel: &DirectAtLevel{Level: "partner", Count: 2}}},
			{Code: "director", Name: "董事", DiffBP: 300, DividendShareBP: 3000,
				Conditions: &Conditions{DirectAtLevel: &DirectAtLevel{Level: "cofounder", Count: 2}, TeamSalesFen: 100000000}},
		},
		Regions: Regions{
			Tiers: []Tier{
				{Tier: "district", RateBP: 30},
				{Tier: "city", RateBP: 50},
				{Tier: "province", RateBP: 80},
				{Tier: "bigregion", RateBP: 100},
			},
			BigRegions: map[string][]string{
				"华北": {"11", "12", "13", "14", "15"},
				"东北": {"21", "22", "23"},
				"华东": {"31", "32", "33", "34", "35", "36", "37"},
				"华中": {"41", "42", "43"},
				"华南": {"44", "45", "46"},
				"西南": {"50", "51", "52", "53", "54"},
				"西北": {"61", "62", "63", "64", "65"},
			},
		},
		Profiles: map[string]*Profile{
			"gift": {
				ActivatesAgent: true, CostBP: 2000, PointsBP: 3000, ChainBudgetBP: 3300,
				DividendBP: 400, ServicePointBP: 200, RegionBudgetBP: 100, LevelBudgetBP: 300,
			},
			"retail": {
				CostBP: 6000, PointsBP: 1000, ServicePointBP: 200, RegionBudgetBP: 100,
				LevelBudgetBP: 300, ShareholderBP: 200, DistributionDirectBP: 1000, DistributionIndirectBP: 500,
			},
		},
		ProfileNames: []string{"gift", "retail"},
	}
}

func TestDefault(t *testing.T) {
	got := Default()
	if want := wantDefault(); !reflect.DeepEqual(got, want) {
		t.Errorf("Default() =\n%#v\nwant\n%#v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestDefaultIsFresh(t *testing.T) {
	a := Default()
	a.Points.StartPriceFen = 1
	a.Levels[0].Conditions.DirectActive = 99
	a.Levels[1].Conditions.DirectAtLevel.Count = 99
	a.Regions.Tiers[0].RateBP = 99
	a.Regions.BigRegions["华北"][0] = "99"
	a.Profiles["gift"].CostBP = 99
	delete(a.Profiles, "retail")
	a.ProfileNames[0] = "x"
	if b := Default(); !reflect.DeepEqual(b, wantDefault()) {
		t.Errorf("changing one Default() changed the next one:\n%#v", b)
	}
}

func TestClone(t *testing.T) {
	p := &Plan{Levels: []Level{{Code: "a"}}}
	q := p.Clone()
	if q.Profiles == nil {
		t.Error("Clone of a plan without profiles has nil Profiles")
	}
	q.Levels[0].Code = "b"
	if p.Levels[0].Code != "a" {
		t.Error("Clone shares Levels")
	}
}

// The embedded copy must stay byte-identical to the spec's file.
func TestEmbeddedDefaultMatchesSpec(t *testing.T) {
	spec, err := os.ReadFile("../../../shared/spec/default-plan.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("spec default-plan.yaml not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(spec, defaultYAML) {
		t.Error("internal/plan/default-plan.yaml differs from the spec's default-plan.yaml; copy it over")
	}
}

func TestLevelIndex(t *testing.T) {
	p := Default()
	for code, want := range map[string]int{"partner": 0, "cofounder": 1, "director": 2, "": -1, "boss": -1} {
		if got := p.LevelIndex(code); got != want {
			t.Errorf("LevelIndex(%q) = %d, want %d", code, got, want)
		}
	}
}
