package sbom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/inventory"
)

type reader func(context.Context, io.Reader, string, limit.Limits) (*inventory.Inventory, error)

func read(t *testing.T, fn reader, file string) *inventory.Inventory {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inv, err := fn(context.Background(), f, file, limit.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return inv
}

func byName(inv *inventory.Inventory) map[string]inventory.Component {
	m := map[string]inventory.Component{}
	for _, c := range inv.Components {
		m[c.Name] = c
	}
	return m
}

func TestCycloneDXJSON(t *testing.T) {
	inv := read(t, ReadCycloneDXJSON, "nested.cdx.json")
	if inv.Format != "cyclonedx-json 1.6" || len(inv.Components) != 6 {
		t.Fatalf("format %q, %d components: %+v", inv.Format, len(inv.Components), inv.Components)
	}
	m := byName(inv)
	tests := []struct {
		name, version, eco, purl, parent, rel string
	}{
		{"acme-app", "2.0.0", "", "", "", ""},
		{"org.apache.logging.log4j:log4j-core", "2.14.1", "Maven", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "", ""},
		{"inner-lib", "1.0", "npm", "pkg:npm/%40acme/inner-lib@1.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", inventory.RelContains},
		{"log4j-core-upstream", "2.14.0", "Maven", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", inventory.RelAncestor},
		{"libssl3", "3.0.11-1~deb12u2", "Debian:12", "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl", "", ""},
		{"Django_Rest.Framework", "3.14.0", "PyPI", "pkg:pypi/django-rest-framework@3.14.0", "", ""},
	}
	for _, tt := range tests {
		c, ok := m[tt.name]
		if !ok {
			t.Errorf("missing %s", tt.name)
			continue
		}
		if c.Version != tt.version || c.Ecosystem != tt.eco || c.PURL != tt.purl || c.Parent != tt.parent || c.Relationship != tt.rel {
			t.Errorf("%s = %+v, want %+v", tt.name, c, tt)
		}
	}
	log4j := m["org.apache.logging.log4j:log4j-core"]
	if len(log4j.CPEs) != 1 || log4j.Hashes[0].Value != "abcdef0123" || log4j.Licenses[0] != "Apache-2.0" || log4j.Supplier != "Apache Software Foundation" {
		t.Errorf("log4j details: %+v", log4j)
	}
	if m["libssl3"].SourceName != "openssl" {
		t.Errorf("libssl3 source = %q", m["libssl3"].SourceName)
	}
	if app := m["acme-app"]; app.Metadata[SubjectKey] != "true" || len(app.DependsOn) != 2 {
		t.Errorf("subject: %+v", app)
	}
}

func TestCycloneDXXML(t *testing.T) {
	inv := read(t, ReadCycloneDXXML, "small.cdx.xml")
	m := byName(inv)
	if len(inv.Components) != 2 || inv.Format != "cyclonedx-xml 1.4" {
		t.Fatalf("%s: %+v", inv.Format, inv.Components)
	}
	if c := m["org.example:lib-a"]; c.PURL != "pkg:maven/org.example/lib-a@1.2.3" {
		t.Errorf("lib-a: %+v", c)
	}
	// Go purls are lower-cased by the purl specification.
	if c := m["lib-b"]; c.PURL != "pkg:golang/github.com/example/lib-b@v0.1.0" || c.Parent != "a" || c.Ecosystem != "Go" {
		t.Errorf("lib-b: %+v", c)
	}
}

func TestXMLEntitiesRejected(t *testing.T) {
	for _, file := range []string{"entities.cdx.xml", "external.cdx.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		_, err = ReadCycloneDXXML(context.Background(), bytes.NewReader(data), file, limit.Limits{})
		if err == nil || !strings.Contains(err.Error(), file) {
			t.Errorf("%s: err = %v, want an error naming the file", file, err)
		}
	}
}

func TestSPDXJSON(t *testing.T) {
	inv := read(t, ReadSPDXJSON, "small.spdx.json")
	m := byName(inv)
	if inv.Format != "spdx-json 2.3" || len(inv.Components) != 3 {
		t.Fatalf("%s: %+v", inv.Format, inv.Components)
	}
	l := m["lodash"]
	if l.PURL != "pkg:npm/lodash@4.17.20" || l.Ecosystem != "npm" || l.Parent != "app" || l.Hashes[0].Algorithm != "SHA-1" || len(l.CPEs) != 1 || l.Licenses[0] != "MIT" {
		t.Errorf("lodash: %+v", l)
	}
	z := m["zlib1g"]
	if z.Ecosystem != "Debian:12" || z.SourceName != "zlib" || z.SourceVersion != "1:1.2.13.dfsg-1" || z.Parent != "app" {
		t.Errorf("zlib1g: %+v", z)
	}
	if a := m["app"]; a.Metadata[SubjectKey] != "true" || len(a.DependsOn) != 2 {
		t.Errorf("app: %+v", a)
	}
}

func TestSPDXTagValue(t *testing.T) {
	inv := read(t, ReadSPDXTagValue, "small.spdx")
	m := byName(inv)
	if inv.Format != "spdx-tv 2.2" || len(inv.Components) != 2 {
		t.Fatalf("%s: %+v", inv.Format, inv.Components)
	}
	o := m["openssl"]
	if o.Ecosystem != "AlmaLinux:9" || o.SourceName != "openssl" || o.SourceVersion != "3.0.7-24.el9" || o.Hashes[0].Algorithm != "SHA-256" {
		t.Errorf("openssl: %+v", o)
	}
	if b := m["busybox"]; b.Ecosystem != "Alpine:v3.18" || b.Parent != "openssl" || b.Relationship != inventory.RelContains {
		t.Errorf("busybox: %+v", b)
	}
}

func TestSPDX3(t *testing.T) {
	inv := read(t, ReadSPDX3, "small.spdx3.json")
	m := byName(inv)
	if inv.Format != "spdx3-jsonld 3.0.1" || len(inv.Components) != 2 {
		t.Fatalf("%s: %+v", inv.Format, inv.Components)
	}
	if a := m["app"]; a.Supplier != "Acme Inc" || a.Metadata[SubjectKey] != "true" {
		t.Errorf("app: %+v", a)
	}
	if r := m["requests"]; r.Ecosystem != "PyPI" || r.Parent != "urn:pkg:app" || r.Hashes[0].Algorithm != "SHA-256" || len(r.CPEs) != 1 {
		t.Errorf("requests: %+v", r)
	}
}

func TestBadInput(t *testing.T) {
	deep := strings.Repeat(`{"components":[`, 100000)
	tests := []struct {
		name string
		fn   reader
		data string
		lim  limit.Limits
		want string
	}{
		{"truncated", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","components":[{"name":"a"`, limit.Limits{}, "unexpected EOF"},
		{"not cyclonedx", ReadCycloneDXJSON, `{"foo":1}`, limit.Limits{}, "not a CycloneDX"},
		{"array", ReadCycloneDXJSON, `[1,2]`, limit.Limits{}, "expected an object, found an array"},
		{"wrong type", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","components":[{"name":1}]}`, limit.Limits{}, "at /components/0/name (byte 46): expected a string, found a number"},
		{"bad spec", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","specVersion":"9.1"}`, limit.Limits{}, "unsupported specVersion"},
		{"trailing", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX"} {}`, limit.Limits{}, "after the end"},
		{"too large", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","x":"` + strings.Repeat("a", 2000) + `"}`, limit.Limits{MaxFileBytes: 1000}, "exceeds limit"},
		{"too many", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","components":[{"name":"a"},{"name":"b"},{"name":"c"}]}`, limit.Limits{MaxComponents: 2}, "more than 2 components"},
		{"deep json", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","components":[` + deep, limit.Limits{}, "exceeded max depth"},
		{"invalid utf8", ReadCycloneDXJSON, "{\"bomFormat\":\"CycloneDX\",\"components\":[{\"name\":\"\xff\xfe\"}]}", limit.Limits{}, "invalid UTF-8"},
		{"deep xml", ReadCycloneDXXML, `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>` + strings.Repeat(`<component type="library"><name>x</name><components>`, 20000), limit.Limits{}, "exceeded max depth"},
		{"not cyclonedx xml", ReadCycloneDXXML, `<project xmlns="http://maven.apache.org/POM/4.0.0"/>`, limit.Limits{}, "not a CycloneDX XML"},
		{"spdx garbage", ReadSPDXJSON, `{"spdxVersion":"SPDX-9.9"}`, limit.Limits{}, "unsupported"},
		{"spdx3 not", ReadSPDX3, `{"@context":"https://example.com","@graph":[]}`, limit.Limits{}, "not an SPDX 3"},
		{"tv garbage", ReadSPDXTagValue, "PackageName: x\n\x00\x01", limit.Limits{}, "spdx-tv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.fn(context.Background(), strings.NewReader(tt.data), "doc.json", tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "doc.json") {
				t.Fatalf("err = %v, want one naming doc.json and containing %q", err, tt.want)
			}
		})
	}
}

func TestNestingDepthLimit(t *testing.T) {
	doc := `{"bomFormat":"CycloneDX","components":[` + strings.Repeat(`{"name":"x","components":[`, 10) + strings.Repeat(`]}`, 10) + `]}`
	inv, err := ReadCycloneDXJSON(context.Background(), strings.NewReader(doc), "deep.json", limit.Limits{MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Components) != 4 || len(inv.Unassessed) != 1 {
		t.Fatalf("components %d, unassessed %+v", len(inv.Components), inv.Unassessed)
	}
}

func TestTooLargeIsErrTooLarge(t *testing.T) {
	_, err := ReadSPDXJSON(context.Background(), strings.NewReader(strings.Repeat(" ", 100)), "x", limit.Limits{MaxFileBytes: 10})
	if !errors.Is(err, limit.ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

// TestSharedExamples reads every SBOM of the shared corpus and checks the
// component count against a count taken from the document itself.
func TestSharedExamples(t *testing.T) {
	dir := filepath.Join(mirrortest.VulnDir(t), "sboms")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".sha256") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if raceEnabled && len(data) > 1<<20 {
			return nil // too slow under the race detector
		}
		var fn reader
		switch {
		case strings.HasSuffix(p, ".xml"):
			fn = ReadCycloneDXXML
		case strings.HasSuffix(p, ".spdx"):
			fn = ReadSPDXTagValue
		case bytes.Contains(data, []byte(`"bomFormat"`)):
			fn = ReadCycloneDXJSON
		case bytes.Contains(data, []byte(`"spdxVersion"`)):
			fn = ReadSPDXJSON
		default:
			fn = ReadSPDX3
		}
		inv, err := fn(context.Background(), bytes.NewReader(data), p, limit.Limits{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		if want := documentCount(data, p); want >= 0 && want != len(inv.Components) {
			t.Errorf("%s: %d components, document has %d", p, len(inv.Components), want)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 && !raceEnabled {
		t.Errorf("read only %d documents", n)
	}
}

// documentCount counts components the crude way, independent of the
// parsers: CycloneDX "bom-ref"-less counting is unreliable, so only SPDX
// packages (by SPDXID of packages) and SPDX 3 packages are counted; -1
// means "not counted".
func documentCount(data []byte, p string) int {
	switch {
	case strings.HasSuffix(p, ".spdx"):
		return bytes.Count(data, []byte("\nPackageName:"))
	case bytes.Contains(data, []byte(`"spdx.org/rdf/3`)) || bytes.Contains(data, []byte(`spdx.org/rdf/3`)):
		return bytes.Count(data, []byte(`"software_Package"`)) + bytes.Count(data, []byte(`"ai_AIPackage"`)) + bytes.Count(data, []byte(`"dataset_DatasetPackage"`))
	}
	return -1
}
