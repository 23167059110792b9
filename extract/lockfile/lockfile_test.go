package lockfile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

func parse(t *testing.T, p string) *inventory.Inventory {
	t.Helper()
	ps, err := Parsers(limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := plugin.ParsePath(context.Background(), ps, os.DirFS("testdata"), p)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func versions(inv *inventory.Inventory) map[string]inventory.Component {
	m := map[string]inventory.Component{}
	for _, c := range inv.Components {
		m[c.Name+"@"+c.Version] = c
	}
	return m
}

func TestGoModBuildList(t *testing.T) {
	inv := parse(t, "go117/go.mod")
	m := versions(inv)
	want := []string{"example.com/app@", "github.com/BurntSushi/toml@v1.3.2", "golang.org/x/text@v0.14.0", "example.com/new@v1.2.0", "example.com/local@v0.1.0"}
	if len(inv.Components) != len(want) {
		t.Fatalf("components: %v", m)
	}
	for _, w := range want {
		if _, ok := m[w]; !ok {
			t.Errorf("missing %s in %v", w, m)
		}
	}
	if c := m["example.com/new@v1.2.0"]; c.Metadata["replaces"] != "example.com/old@v1.0.0" {
		t.Errorf("replacement: %+v", c)
	}
	if c := m["example.com/local@v0.1.0"]; c.Metadata[inventory.MetaReplacedBy] != "../local" {
		t.Errorf("local replacement: %+v", c)
	}
	toml := m["github.com/BurntSushi/toml@v1.3.2"]
	if toml.PURL != "pkg:golang/github.com/burntsushi/toml@v1.3.2" || toml.Ecosystem != "Go" || toml.Locations[0].Line != 6 || toml.Parent != "example.com/app" {
		t.Errorf("toml: %+v", toml)
	}
	if m["golang.org/x/text@v0.14.0"].Metadata[inventory.MetaIndirect] != "true" {
		t.Error("indirect not marked")
	}
	if len(inv.Unassessed) != 0 {
		t.Errorf("unassessed: %v", inv.Unassessed)
	}
}

func TestGoModLegacyUsesGoSum(t *testing.T) {
	inv := parse(t, "go116/go.mod")
	m := versions(inv)
	if _, ok := m["golang.org/x/sys@v0.1.0"]; !ok || len(inv.Components) != 3 {
		t.Fatalf("components: %v", m)
	}
	if m["golang.org/x/sys@v0.1.0"].Metadata["source"] != "go.sum" || len(inv.Unassessed) != 1 {
		t.Errorf("approximation not recorded: %+v %v", m["golang.org/x/sys@v0.1.0"], inv.Unassessed)
	}
}

func TestScalibrLockfiles(t *testing.T) {
	tests := []struct {
		file, format string
		want         map[string]string // name@version → purl
	}{
		{"npm/package-lock.json", "package-lock.json", map[string]string{
			"lodash@4.17.20":    "pkg:npm/lodash@4.17.20",
			"@babel/core@7.0.0": "pkg:npm/%40babel/core@7.0.0",
		}},
		{"py/requirements.txt", "requirements.txt", map[string]string{
			"Django_Rest.Framework@3.14.0": "pkg:pypi/django-rest-framework@3.14.0",
			"requests@2.31.0":              "pkg:pypi/requests@2.31.0",
		}},
		{"npm1/package-lock.json", "package-lock.json", map[string]string{"minimist@1.2.5": "pkg:npm/minimist@1.2.5"}},
		{"yarn1/yarn.lock", "yarn.lock", map[string]string{
			"@babel/code-frame@7.22.13": "pkg:npm/%40babel/code-frame@7.22.13",
			"lodash@4.17.21":            "pkg:npm/lodash@4.17.21",
		}},
		{"yarnberry/yarn.lock", "yarn.lock", map[string]string{"lodash@4.17.21": "pkg:npm/lodash@4.17.21"}},
		{"pnpm/pnpm-lock.yaml", "pnpm-lock.yaml", map[string]string{"lodash@4.17.21": "pkg:npm/lodash@4.17.21"}},
		{"poetry/poetry.lock", "poetry.lock", map[string]string{"requests@2.31.0": "pkg:pypi/requests@2.31.0"}},
		{"pipenv/Pipfile.lock", "Pipfile.lock", map[string]string{"urllib3@1.26.18": "pkg:pypi/urllib3@1.26.18", "pytest@7.4.3": "pkg:pypi/pytest@7.4.3"}},
		{"uv/uv.lock", "uv.lock", map[string]string{"idna@3.6": "pkg:pypi/idna@3.6"}},
		{"ruby/Gemfile.lock", "Gemfile.lock", map[string]string{"rack@2.2.8": "pkg:gem/rack@2.2.8"}},
		{"php/composer.lock", "composer.lock", map[string]string{"guzzlehttp/guzzle@7.8.0": "pkg:composer/guzzlehttp/guzzle@7.8.0"}},
		{"maven/pom.xml", "pom.xml", map[string]string{"org.apache.logging.log4j:log4j-core@2.14.1": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}},
		{"gradle/gradle.lockfile", "gradle.lockfile", map[string]string{"com.google.guava:guava@32.1.2-jre": "pkg:maven/com.google.guava/guava@32.1.2-jre"}},
		{"nuget/packages.lock.json", "packages.lock.json", map[string]string{"Newtonsoft.Json@13.0.1": "pkg:nuget/Newtonsoft.Json@13.0.1"}},
		{"cargo/Cargo.lock", "Cargo.lock", map[string]string{
			"serde@1.0.190": "pkg:cargo/serde@1.0.190",
			"app@0.1.0":     "pkg:cargo/app@0.1.0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			inv := parse(t, tt.file)
			if inv.Format != tt.format {
				t.Errorf("format %q", inv.Format)
			}
			m := versions(inv)
			for nv, purl := range tt.want {
				c, ok := m[nv]
				if !ok {
					t.Errorf("missing %s in %v", nv, m)
					continue
				}
				if c.PURL != purl || c.Locations[0].Path != tt.file || c.Ecosystem == "" {
					t.Errorf("%s: purl %q location %v ecosystem %q", nv, c.PURL, c.Locations, c.Ecosystem)
				}
			}
		})
	}
}

func TestBadLockfiles(t *testing.T) {
	ps, err := Parsers(limit.Limits{MaxFileBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"a/package-lock.json": {Data: []byte(`{"lockfileVersion": 3, "packages": {`)},
		"b/go.mod":            {Data: []byte("module x\nrequire (\n")},
		"c/Cargo.lock":        {Data: []byte(strings.Repeat("x", 2000))},
		"d/pnpm-lock.yaml":    {Data: []byte("a: &a [*a, *a]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c,*c,*c,*c]\nlockfileVersion: '6.0'\npackages: *d\n")},
	}
	for name := range fsys {
		t.Run(name, func(t *testing.T) {
			_, err := plugin.ParsePath(context.Background(), ps, fsys, name)
			if err == nil {
				t.Skip("accepted (no error)") // the parser may tolerate it; it must not panic
			}
			if !strings.Contains(err.Error(), path.Base(name)) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// nestedLock is a version 1 package-lock.json nesting depth packages,
// each inside the one before.
func nestedLock(depth int) []byte {
	var b strings.Builder
	b.WriteString(`{"name":"r","version":"1.0.0","lockfileVersion":1,"dependencies":{"top":`)
	for i := range depth {
		fmt.Fprintf(&b, `{"version":"1.0.%d","dependencies":{"p%d":`, i, i)
	}
	b.WriteString(`{"version":"1.0.0"}` + strings.Repeat(`}}`, depth) + `}}`)
	return []byte(b.String())
}

// TestNestedPackageLock refuses a package-lock.json nested past
// maxLockDepth: osv-scalibr's cost grows with the square of the depth
// (4,000 levels in 179 KB took 2.3 s and 500 MB).
func TestNestedPackageLock(t *testing.T) {
	ps, err := Parsers(limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"ok/package-lock.json":   {Data: nestedLock(100)},
		"deep/package-lock.json": {Data: nestedLock(4000)},
	}
	inv, err := plugin.ParsePath(context.Background(), ps, fsys, "ok/package-lock.json")
	if err != nil || len(inv.Components) != 101 {
		t.Fatalf("100 levels: %v, %d components; want 101", err, len(inv.Components))
	}
	_, err = plugin.ParsePath(context.Background(), ps, fsys, "deep/package-lock.json")
	if !errors.Is(err, limit.ErrTooLarge) || !strings.Contains(err.Error(), "deep/package-lock.json") {
		t.Errorf("4,000 levels: %v, want a limit error naming the file", err)
	}
}

func TestJSONDepth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{`{}`, 1}, {`[[1],{"a":[2]}]`, 3}, {`{"a":"[[[{{{"}`, 1}, {`{"a":"\"[[["}`, 1}, {`{"a\\":[[1]]}`, 3},
		{`"[[["`, 0}, {`[[[`, 3}, {`]]]`, 0},
	} {
		if got := jsonDepth([]byte(tt.in), 100); got != tt.want {
			t.Errorf("jsonDepth(%s) = %d, want %d", tt.in, got, tt.want)
		}
	}
	if got := jsonDepth([]byte(strings.Repeat("[", 1000)), 10); got != 11 {
		t.Errorf("jsonDepth stops at max+1: got %d", got)
	}
}
