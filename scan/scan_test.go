package scan

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/vulndbtest"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/vex"
	"github.com/assayhq/assay/vulndb"
)

// testScanner returns a scanner over the shared test database (Go, KEV,
// NVD and Alpine data from the offline mirror).
func testScanner(t *testing.T) *Scanner {
	t.Helper()
	s, err := New(context.Background(), vulndbtest.Open(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScanGoMod(t *testing.T) {
	s := testScanner(t)
	res, err := s.Scan(context.Background(), []string{filepath.Join("testdata", "go.mod")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Schema != Schema || len(res.Targets) != 1 || res.DB.Snapshot == "" {
		t.Fatalf("result header %+v", res)
	}
	byComp := map[string][]string{}
	for _, f := range res.Findings {
		byComp[f.Component.Name] = append(byComp[f.Component.Name], f.ID)
		if f.Match.By != "purl" || f.Match.Rule == "" || f.Target == "" || f.Component.PURL == "" {
			t.Errorf("finding without its evidence: %+v", f)
		}
	}
	// golang.org/x/net v0.7.0 and x/text v0.3.7 have published Go
	// advisories (GO-2023-1988, fixed in x/net 0.13.0; GO-2022-1059, fixed
	// in x/text 0.3.8); GO-2023-1571 is fixed in exactly x/net 0.7.0 and
	// gorilla/websocket v1.5.3 has none.
	if contains(byComp["golang.org/x/net"], "GO-2023-1571") {
		t.Error("x/net v0.7.0 reported for GO-2023-1571, fixed in 0.7.0")
	}
	for _, want := range []struct{ comp, id string }{{"golang.org/x/net", "GO-2023-1988"}, {"golang.org/x/text", "GO-2022-1059"}} {
		if !contains(byComp[want.comp], want.id) {
			t.Errorf("%s: findings %v lack %s", want.comp, byComp[want.comp], want.id)
		}
	}
	if len(byComp["github.com/gorilla/websocket"]) != 0 {
		t.Errorf("gorilla/websocket v1.5.3 reported: %v", byComp["github.com/gorilla/websocket"])
	}
	// The main module has no version: it must be listed as not assessed.
	if u := res.Targets[0].Unassessed; len(u) != 1 || !strings.Contains(u[0].Reason, "no version") {
		t.Errorf("unassessed %+v", u)
	}
	// The JSON document has the contract's fields.
	data, _ := json.Marshal(res)
	var doc map[string]any
	json.Unmarshal(data, &doc)
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "aliases", "component", "target", "severity", "kev", "epss", "fixed", "match", "suppressed"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding JSON lacks %q", k)
		}
	}
}

func TestSortAndFailOn(t *testing.T) {
	res := &Result{Findings: []Finding{
		{ID: "A", Severity: Severity{Level: "critical", Score: 9.8}},
		{ID: "B", Severity: Severity{Level: "medium", Score: 5}, KEV: &vulndb.KEVEntry{CVE: "CVE-1"}},
		{ID: "C", Severity: Severity{Level: "high", Score: 7.5}, EPSS: &vulndb.EPSSScore{Score: 0.9}},
		{ID: "D", Severity: Severity{Level: "low", Score: 2}, Suppressed: &Suppression{By: "vex", Reason: "not_affected"}},
	}}
	Sort(res.Findings)
	var order []string
	for _, f := range res.Findings {
		order = append(order, f.ID)
	}
	if strings.Join(order, "") != "BCAD" {
		t.Errorf("order %v, want KEV first, then EPSS×CVSS, then CVSS", order)
	}
	for _, tt := range []struct {
		threshold string
		n         int
	}{{"critical", 1}, {"high", 2}, {"medium", 3}, {"low", 3}, {"kev", 1}} {
		hits, err := FailsOn(res, tt.threshold)
		if err != nil || len(hits) != tt.n {
			t.Errorf("FailsOn(%s) = %d findings %v, want %d", tt.threshold, len(hits), err, tt.n)
		}
	}
	if _, err := FailsOn(res, "severe"); err == nil {
		t.Error("FailsOn accepted an unknown threshold")
	}
}

func TestUnknownEcosystemIsNotAssessed(t *testing.T) {
	s := testScanner(t)
	inv := &inventory.Inventory{Target: "t", Kind: inventory.KindSBOM, Components: []inventory.Component{
		{Name: "left-pad", Version: "1.3.0", Ecosystem: "npm", PURL: "pkg:npm/left-pad@1.3.0"},
	}}
	tgt, fs, err := s.Inventory(context.Background(), inv)
	if err != nil || len(fs) != 0 || tgt.Assessed != 0 || len(tgt.Unassessed) != 1 ||
		!strings.Contains(tgt.Unassessed[0].Reason, "no advisory data for ecosystem npm") {
		t.Errorf("target %+v findings %v err %v", tgt, fs, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSuppression(t *testing.T) {
	base := testScanner(t)
	stmts, err := vex.Load(filepath.Join("..", "vex", "testdata", "openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := vex.LoadIgnore(filepath.Join("..", "vex", "testdata", "assay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := *base
	s.opts = Options{VEX: stmts, Ignore: rules, Now: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}
	res, err := s.Scan(context.Background(), []string{filepath.Join("testdata", "go.mod")})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*Suppression{}
	for _, f := range res.Findings {
		by[f.ID] = f.Suppressed
	}
	if sup := by["GO-2023-1988"]; sup == nil || !strings.HasPrefix(sup.By, "vex:") {
		t.Errorf("GO-2023-1988 not suppressed by the OpenVEX statement: %+v", sup)
	}
	if sup := by["GO-2022-1059"]; sup == nil || sup.By != "ignore:GO-2022-1059" {
		t.Errorf("GO-2022-1059 not suppressed by the ignore rule: %+v", sup)
	}
	hits, _ := FailsOn(res, "low")
	for _, h := range hits {
		if h.ID == "GO-2023-1988" || h.ID == "GO-2022-1059" {
			t.Errorf("suppressed finding %s counted by --fail-on", h.ID)
		}
	}
}

// TestSortIsStable checks Sort against a plain stable sort with the same
// order on findings with many ties, so that moving findings through a
// permutation neither loses nor reorders any.
func TestSortIsStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fs := make([]Finding, 2000)
	for i := range fs {
		f := Finding{ID: fmt.Sprintf("ID-%d", rng.IntN(30)), Target: fmt.Sprint(i),
			Component: Component{Name: fmt.Sprintf("c%d", rng.IntN(3))},
			Severity:  Severity{Score: float64(rng.IntN(4))}}
		if rng.IntN(10) == 0 {
			f.KEV = &vulndb.KEVEntry{}
		}
		if rng.IntN(3) == 0 {
			f.EPSS = &vulndb.EPSSScore{Score: float64(rng.IntN(3)) / 2}
		}
		fs[i] = f
	}
	want := slices.Clone(fs)
	slices.SortStableFunc(want, func(a, b Finding) int {
		if (a.KEV != nil) != (b.KEV != nil) {
			if a.KEV != nil {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(risk(b), risk(a)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Severity.Score, a.Severity.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.Component.Name, b.Component.Name)
	})
	Sort(fs)
	for i := range fs {
		if fs[i].Target != want[i].Target {
			t.Fatalf("position %d: finding %s, want %s", i, fs[i].Target, want[i].Target)
		}
	}
}
