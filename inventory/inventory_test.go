package inventory

import "testing"

func TestSortMerge(t *testing.T) {
	a := &Inventory{Components: []Component{{Name: "b", Ecosystem: "npm"}, {Name: "a", Ecosystem: "npm"}}}
	b := &Inventory{Components: []Component{{Name: "z", Ecosystem: "Go"}}, Unassessed: []Unassessed{{Path: "y"}, {Path: "x"}}}
	a.Merge(b)
	a.Skip("w", "reason")
	a.Sort()
	got := ""
	for _, c := range a.Components {
		got += c.Ecosystem + "/" + c.Name + " "
	}
	if got != "Go/z npm/a npm/b " {
		t.Errorf("order: %s", got)
	}
	if len(a.Unassessed) != 3 || a.Unassessed[0].Path != "w" {
		t.Errorf("unassessed: %v", a.Unassessed)
	}
}

func TestMapPaths(t *testing.T) {
	inv := &Inventory{
		Components: []Component{{Name: "a", Locations: []Location{{Path: "x"}, {Path: "y"}}}},
		Unassessed: []Unassessed{{Path: "z"}},
	}
	inv.MapPaths(func(p string) string { return "img.tar!" + p })
	if inv.Components[0].Locations[1].Path != "img.tar!y" || inv.Unassessed[0].Path != "img.tar!z" {
		t.Errorf("%+v", inv)
	}
}
