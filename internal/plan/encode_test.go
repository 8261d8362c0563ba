package plan

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A plan written as JSON reads back to the same plan.
func TestMarshalRoundTrip(t *testing.T) {
	p := Default()
	p.Platform.WithdrawFeeBP = 60
	p.Regions.BigRegions = map[string][]string{"华北": {"11", "12"}}
	p.Levels[1].Conditions = &Conditions{DirectAtLevel: &DirectAtLevel{Level: p.Levels[0].Code, Count: 2}}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(data, "plan.json")
	if err != nil {
		t.Fatalf("parse %s: %v", data, err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the plan:\n%+v\n%+v", p, q)
	}
}
