package vex

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/internal/mirrortest"
)

func TestLoadOpenVEX(t *testing.T) {
	stmts, err := Load(filepath.Join("testdata", "openvex.json"))
	if err != nil {
		t.Fatal(err)
	}
	set := Set(stmts)
	st := set.Find([]string{"CVE-2023-3978"}, "pkg:golang/golang.org/x/net@v0.7.0", "golang.org/x/net")
	if st == nil || !st.Suppresses() || !strings.Contains(st.Reason(), "vulnerable_code_not_in_execute_path") {
		t.Fatalf("statement for CVE-2023-3978 via alias: %+v", st)
	}
	if st := set.Find([]string{"GO-2023-1988"}, "pkg:golang/golang.org/x/net@v0.8.0", "golang.org/x/net"); st != nil {
		t.Errorf("a statement about v0.7.0 applied to v0.8.0: %+v", st)
	}
	if st := set.Find([]string{"CVE-2022-32149"}, "pkg:golang/golang.org/x/text@v0.3.7", "golang.org/x/text"); st == nil || st.Suppresses() {
		t.Errorf("an affected statement must be found and must not suppress: %+v", st)
	}
}

func TestLoadCycloneDXVEX(t *testing.T) {
	dir := filepath.Join(mirrortest.VulnDir(t), "sboms", "cyclonedx-bom-examples", "VEX", "CISA-Use-Cases", "Case-1")
	tests := []struct {
		file       string
		suppresses bool
		status     string
	}{
		{"vex-not_affected.json", true, NotAffected},
		{"vex-fixed.json", true, Fixed},
		{"vex-affected.json", false, Affected},
	}
	for _, tt := range tests {
		stmts, err := Load(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		st := Set(stmts).Find([]string{"CVE-2021-44228"}, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "log4j-core")
		if st == nil || st.Status != tt.status || st.Suppresses() != tt.suppresses || !st.ProductWide {
			t.Errorf("%s: %+v, want a product-wide %s statement", tt.file, st, tt.status)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"plain.json":  `{"hello":"world"}`,
		"broken.json": `{"@context":"https://openvex.dev/ns/v0.2.0","statements":[`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}

func TestIgnoreRules(t *testing.T) {
	rules, err := LoadIgnore(filepath.Join("testdata", "assay.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if !rules[0].Matches([]string{"GO-2022-1059", "CVE-2022-32149"}, "pkg:golang/golang.org/x/text@v0.3.7", "golang.org/x/text") || rules[0].Expired(now) {
		t.Error("rule 1 does not cover x/text GO-2022-1059")
	}
	if rules[0].Matches([]string{"GO-2022-1059"}, "pkg:golang/golang.org/x/net@v0.7.0", "golang.org/x/net") {
		t.Error("a component-scoped rule matched another component")
	}
	if !rules[1].Expired(now) || rules[1].Expired(time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Error("expiry is not judged by day")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	for _, body := range []string{"ignore:\n  - id: X\n", "ignore:\n  - id: X\n    reason: r\n    expires: soon\n", "ignore:\n  - id: X\n    reason: r\n    colour: red\n", "a: &a [*a, *a]\n"} {
		os.WriteFile(bad, []byte(body), 0o644)
		if _, err := LoadIgnore(bad); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
}

func FuzzLoad(f *testing.F) {
	seed, _ := os.ReadFile(filepath.Join("testdata", "openvex.json"))
	f.Add(seed)
	f.Add([]byte(`{"bomFormat":"CycloneDX","specVersion":"1.4","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected"},"affects":[{"ref":"x"}]}]}`))
	f.Add([]byte(`{"document":{"csaf_version":"2.0","category":"csaf_vex"}}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "doc.json")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Skip()
		}
		Load(p)
	})
}

// TestCSAFProductTreeBound loads CSAF documents whose product trees and
// product lists go-vex's OpenCSAF handled in cubic and quadratic time: a
// chain of 1,000 nested branches (100 KB) cost 6.8 GB of allocations and
// 10 s, and a product listed 8,000 times gave 8,000 statements.
func TestCSAFProductTreeBound(t *testing.T) {
	const depth = 1000
	var tree strings.Builder
	for i := range depth {
		fmt.Fprintf(&tree, `{"product":{"product_id":"p%d","product_identification_helper":{"purl":"pkg:npm/p%d@1"}},"branches":[`, i, i)
	}
	tree.WriteString(strings.Repeat(`]}`, depth))
	last := fmt.Sprintf(`"p%d"`, depth-1)
	ids := strings.Repeat(last+",", 8000) + `"nowhere"`
	doc := `{"document":{"csaf_version":"2.0","category":"csaf_vex","tracking":{"id":"bomb"}},` +
		`"product_tree":{"branches":[` + tree.String() + `]},` +
		`"vulnerabilities":[{"cve":"CVE-2026-0001","product_status":{"known_not_affected":[` + ids + `]},` +
		`"threats":[{"category":"impact","details":"d","product_ids":[` + ids + `]}]}]}`
	p := filepath.Join(t.TempDir(), "bomb.json")
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stmts, err := Load(p)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("loading a %d byte CSAF document allocated %d MiB", len(doc), alloc>>20)
	}
	if len(stmts) != 1 || stmts[0].Products[0] != fmt.Sprintf("p%d", depth-1) || !stmts[0].Suppresses() {
		t.Errorf("got %d statements, want one not_affected statement about the deepest product", len(stmts))
	}
}

// TestFindIndexed checks Find on loaded statements (products indexed)
// against the unindexed search, and that a statement naming many products
// is not parsed again for every lookup (4,000 products against 4,000
// findings took 6 s).
func TestFindIndexed(t *testing.T) {
	products := []string{
		"pkg:npm/left-pad@1.3.0", "pkg:npm/%40scope/pkg", "pkg:deb/debian/openssl@3.0.11-1?arch=amd64",
		"pkg:golang/golang.org/x/net", "pkg:maven/org.apache/log4j-core@2.14.1?type=jar", "log4j-core", "", "pkg:bad",
	}
	for i := range 4000 {
		products = append(products, fmt.Sprintf("pkg:npm/p%d@1.0.0", i))
	}
	plain := Statement{Vulnerability: "CVE-2024-1", Status: NotAffected, Products: products}
	indexed := plain
	indexed.index = indexProducts(products)
	queries := []struct{ purl, name string }{
		{"pkg:npm/left-pad@1.3.0", "left-pad"}, {"pkg:npm/left-pad@1.3.1", "left-pad"}, {"pkg:npm/%40scope/pkg@2.0.0", "pkg"},
		{"pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12", "openssl"}, {"pkg:deb/debian/openssl@3.0.11-1", "openssl"},
		{"pkg:golang/golang.org/x/net@v0.7.0", "golang.org/x/net"}, {"pkg:maven/org.apache/log4j-core@2.14.1", "x"},
		{"", "log4j-core"}, {"", "other"}, {"not a purl", "other"}, {"pkg:npm/p3999@1.0.0", "p3999"}, {"pkg:npm/p4000@1.0.0", "p4000"},
	}
	for _, q := range queries {
		want := Set{plain}.Find([]string{"CVE-2024-1"}, q.purl, q.name) != nil
		if got := (Set{indexed}).Find([]string{"CVE-2024-1"}, q.purl, q.name) != nil; got != want {
			t.Errorf("Find(%q, %q) = %v on indexed products, %v on the list", q.purl, q.name, got, want)
		}
	}
	set := Set{indexed}
	allocs := testing.AllocsPerRun(20, func() {
		set.Find([]string{"CVE-2024-1"}, "pkg:npm/q1@1.0.0", "q1")
	})
	if allocs > 50 {
		t.Errorf("Find against a statement of %d products: %.0f allocations per call", len(products), allocs)
	}
}
