package sbom

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/sbom/sbomtest"
	"github.com/assayhq/assay/internal/mirrortest"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/inventory/encode"
	"github.com/go-json-experiment/json/jsontext"
	spdxjson "github.com/spdx/tools-golang/json"
)

// readSPDXJSONReference reads an SPDX 2 JSON document the way assay did
// before the streaming reader: the whole document through tools-golang's
// json.Read, then the same conversion. The streaming reader must give the
// same inventory. A panic of tools-golang (a null package in SPDX 2.2 or
// 2.3 dereferences nil) is returned as an error.
func readSPDXJSONReference(data []byte, name string, lim limit.Limits) (inv *inventory.Inventory, err error) {
	defer func() {
		if r := recover(); r != nil {
			inv, err = nil, fmt.Errorf("tools-golang panics: %v", r)
		}
	}()
	version := regexp.MustCompile(`"spdxVersion"\s*:\s*"SPDX-([0-9.]+)"`)
	return readSPDX2(context.Background(), bytes.NewReader(data), name, lim, "spdx-json", version, spdxjson.Read)
}

// corpusFiles returns the files matching glob in the test data and the
// files of the shared SBOM corpus whose names end in suffix.
func corpusFiles(t *testing.T, glob, suffix string) []string {
	files, _ := filepath.Glob(glob)
	root := filepath.Join(mirrortest.VulnDir(t), "sboms")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// jsonDoc is a JSON document of the test data or the shared corpus.
type jsonDoc struct {
	path string
	data []byte
}

// corpusJSON returns the documents matching glob in the test data and the
// JSON documents of the shared corpus whose text contains marker.
func corpusJSON(t *testing.T, glob, marker string) []jsonDoc {
	files := corpusFiles(t, glob, ".json")
	var out []jsonDoc
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(marker)) {
			out = append(out, jsonDoc{p, data})
		}
	}
	return out
}

// TestSPDXJSONMatchesLibrary compares the streaming reader with
// tools-golang's whole-document read, component by component, on every
// SPDX 2 JSON document of the shared corpus and the test data, on a
// generated one, and on the CycloneDX documents of the corpus converted to
// SPDX 2.3 by assay's encoder.
func TestSPDXJSONMatchesLibrary(t *testing.T) {
	docs := corpusJSON(t, "testdata/*spdx*.json", `"spdxVersion"`)
	if len(docs) < 20 {
		t.Errorf("found only %d SPDX JSON documents", len(docs))
	}
	var gen bytes.Buffer
	if err := sbomtest.WriteSPDX(&gen, 1000); err != nil {
		t.Fatal(err)
	}
	docs = append(docs, jsonDoc{"generated.spdx.json", gen.Bytes()})
	// The CycloneDX documents of the corpus as SPDX 2.3, by assay's encoder.
	for _, d := range corpusJSON(t, "testdata/*.cdx.json", `"bomFormat"`) {
		if raceEnabled && len(d.data) > 1<<20 {
			continue
		}
		inv, err := ReadCycloneDXJSON(context.Background(), bytes.NewReader(d.data), d.path, limit.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Components) == 0 {
			continue // VEX documents
		}
		var b bytes.Buffer
		if err := encode.Write(&b, "spdx", []*inventory.Inventory{inv}); err != nil {
			t.Fatalf("%s: %v", d.path, err)
		}
		docs = append(docs, jsonDoc{d.path + " as SPDX", b.Bytes()})
	}
	t.Logf("comparing %d documents", len(docs))
	for _, d := range docs {
		p, data := d.path, d.data
		want, err := readSPDXJSONReference(data, p, limit.Limits{})
		if err != nil {
			t.Errorf("%s: tools-golang: %v", p, err)
			continue
		}
		got, err := ReadSPDXJSON(context.Background(), bytes.NewReader(data), p, limit.Limits{})
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if len(got.Components) == 0 {
			t.Errorf("%s: no components", p)
		}
		compareInventories(t, p, got, want)
	}
}

// TestSPDXJSONEdgeCases pins what the comparison with tools-golang
// establishes for the hand-written edge cases.
func TestSPDXJSONEdgeCases(t *testing.T) {
	inv := read(t, ReadSPDXJSON, "edge.spdx.json")
	m := byName(inv)
	if len(inv.Components) != 5 || inv.Format != "spdx-json 2.3" {
		t.Fatalf("%d components: %+v", len(inv.Components), inv.Components)
	}
	app, lib, tool, vend := m["app"], m["lib"], m["tool"], m["vendored élève"]
	if app.Metadata[SubjectKey] != "true" || app.Type != "application" || app.Supplier != "Jane Doe (jane@example.com)" || app.Licenses[0] != "Apache-2.0" {
		t.Errorf("app: %+v", app)
	}
	// DependsOn: STATIC_LINK lib, BUILD_DEPENDENCY_OF tool, DEV_DEPENDENCY_OF
	// tool, and lib again: like tools-golang's model, a reference into
	// another document keeps only its element ID.
	if !reflect.DeepEqual(app.DependsOn, []string{"lib", "tool", "tool", "lib"}) {
		t.Errorf("app depends on %v", app.DependsOn)
	}
	if lib.Parent != "app" || lib.Relationship != inventory.RelContains || lib.Metadata[SubjectKey] != "true" || lib.Supplier != "NoSpace" || lib.Ecosystem != "AlmaLinux:9" {
		t.Errorf("lib: %+v", lib)
	}
	if tool.Parent != "app" || tool.Relationship != inventory.RelDependsOn {
		t.Errorf("tool: %+v", tool)
	}
	// hasFiles makes app CONTAINS vendored (lib ANCESTOR_OF vendored does
	// not: lib already has a parent).
	if vend.Parent != "app" || vend.Relationship != inventory.RelContains || vend.PURL != "pkg:pypi/django-rest-framework@3.14.0" ||
		vend.Supplier != "" || len(vend.Hashes) != 4 || vend.Hashes[1] != (inventory.Hash{Algorithm: "SHA3-256", Value: "ab"}) ||
		len(vend.CPEs) != 1 || vend.Licenses[0] != "MIT OR Apache-2.0" || vend.Version != "" {
		t.Errorf("vendored: %+v", vend)
	}
	if v := m["variant"]; v.Parent != "lib" || v.Relationship != inventory.RelVariant {
		t.Errorf("variant: %+v", v)
	}

	old := read(t, ReadSPDXJSON, "old.spdx21.json")
	if old.Format != "spdx-json 2.1" || len(old.Components) != 2 || old.Components[0].Type != "" || old.Components[0].Parent != "b" {
		t.Errorf("SPDX 2.1: %s %+v", old.Format, old.Components)
	}
	mid := read(t, ReadSPDXJSON, "mid.spdx22.json")
	a, b := mid.Components[0], mid.Components[1]
	if mid.Format != "spdx-json 2.2" || a.Type != "" || a.Metadata[SubjectKey] != "true" || b.Parent != "a" || b.Relationship != inventory.RelContains {
		t.Errorf("SPDX 2.2: %s %+v", mid.Format, mid.Components)
	}
}

func TestSPDXJSONBadInput(t *testing.T) {
	pkgs := func(s string) string {
		return `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[` + s + `]}`
	}
	tests := []struct {
		name, data string
		lim        limit.Limits
		want       string
	}{
		{"no version", `{"SPDXID":"SPDXRef-DOCUMENT"}`, limit.Limits{}, "no spdxVersion"},
		{"version case", `{"SPDXVERSION":"SPDX-2.3"}`, limit.Limits{}, "no spdxVersion"},
		{"version type", `{"spdxVersion":2.3}`, limit.Limits{}, "at /spdxVersion (byte 14): expected a string, found a number"},
		{"version 3", `{"spdxVersion":"SPDX-3.0"}`, limit.Limits{}, `unsupported SPDX version "SPDX-3.0"`},
		{"not object", `["spdxVersion"]`, limit.Limits{}, "expected an object, found an array"},
		{"truncated", `{"spdxVersion":"SPDX-2.3","packages":[{"name":"a"`, limit.Limits{}, "unexpected EOF"},
		{"trailing", `{"spdxVersion":"SPDX-2.3"} x`, limit.Limits{}, "invalid character"},
		{"bad id", pkgs(`{"SPDXID":"a"}`), limit.Limits{}, "at /packages/0/SPDXID (byte 75): failed to parse ElementID: a"},
		{"null id", pkgs(`{"SPDXID":null}`), limit.Limits{}, "failed to parse ElementID: null"},
		{"bad doc id", `{"spdxVersion":"SPDX-2.3","SPDXID":"DOCUMENT"}`, limit.Limits{}, "failed to parse ElementID"},
		{"bad supplier", pkgs(`{"supplier":"Jane"}`), limit.Limits{}, "failed to parse Supplier 'Jane'"},
		{"bad creator", `{"spdxVersion":"SPDX-2.3","creationInfo":{"creators":["hand"]}}`, limit.Limits{}, "failed to parse Creator"},
		{"bad relationship", `{"spdxVersion":"SPDX-2.3","relationships":[{"spdxElementId":"x"}]}`, limit.Limits{}, "failed to parse ElementID: x"},
		{"bad describes 2.3", `{"spdxVersion":"SPDX-2.3","documentDescribes":["x"]}`, limit.Limits{}, "failed to parse ElementID: x"},
		{"hasFiles type 2.2", `{"packages":[{"hasFiles":"x"}],"spdxVersion":"SPDX-2.2"}`, limit.Limits{}, "expected an array, found a string"},
		{"purpose type 2.3", pkgs(`{"primaryPackagePurpose":1}`), limit.Limits{}, "expected a string, found a number"},
		{"name type", pkgs(`{"name":["a"]}`), limit.Limits{}, "at /packages/0/name (byte 73): expected a string, found an array"},
		{"checksum type", pkgs(`{"checksums":{}}`), limit.Limits{}, "expected an array, found an object"},
		{"too many", pkgs(`{"name":"a"},null,{"name":"c"}`), limit.Limits{MaxComponents: 2}, "more than 2 packages"},
		{"too large", pkgs(`{"name":"` + strings.Repeat("a", 2000) + `"}`), limit.Limits{MaxFileBytes: 1000}, "exceeds limit"},
		{"deep", `{"spdxVersion":"SPDX-2.3","x":` + strings.Repeat("[", 100000), limit.Limits{}, "exceeded max depth"},
		{"packages again", `{"spdxVersion":"SPDX-2.3","packages":[],"relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-b"}],"packages":[]}`, limit.Limits{}, `a second "packages" member after "relationships"`},
		{"null package", pkgs(`null,{"SPDXID":"SPDXRef-a","name":"a","supplier":null},null`), limit.Limits{MaxComponents: 2}, "more than 2 packages"},
		{"invalid utf8", pkgs("{\"name\":\"\xff\"}"), limit.Limits{}, "invalid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSPDXJSON(context.Background(), strings.NewReader(tt.data), "doc.spdx.json", tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "doc.spdx.json: spdx-json: ") {
				t.Fatalf("err = %v, want one naming doc.spdx.json and containing %q", err, tt.want)
			}
		})
	}
}

func TestSPDXJSONCancelled(t *testing.T) {
	var doc bytes.Buffer
	if err := sbomtest.WriteSPDX(&doc, 5000); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadSPDXJSON(ctx, &doc, "big.spdx.json", limit.Limits{}); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzSPDXJSONMatchesLibrary checks that the streaming reader and
// tools-golang give the same inventory whenever both accept a document,
// and that the streaming reader accepts every document tools-golang
// accepts, except where it is deliberately stricter (invalid UTF-8) or
// where encoding/json's handling differs in ways an SBOM does not use
// (escapes that decode to invalid UTF-8, duplicate member names).
func FuzzSPDXJSONMatchesLibrary(f *testing.F) {
	addSeeds(f, "small.spdx.json", "edge.spdx.json", "old.spdx21.json", "mid.spdx22.json")
	f.Add([]byte(`{"spdxVersion":"SPDX-2.2","SPDXID":"SPDXRef-D","documentDescribes":["SPDXRef-a"],"packages":[{"SPDXID":"SPDXRef-a","name":"a","hasFiles":["SPDXRef-b"]},{"SPDXID":"SPDXRef-b","supplier":"Organization: x"}]}`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","checksums":[{"algorithm":"SHA1","checksumValue":"AB"}],"externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:npm/a@1"}]}],"relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadSPDXJSON(context.Background(), bytes.NewReader(data), "fuzz", fuzzLimits)
		want, rerr := readSPDXJSONReference(data, "fuzz", fuzzLimits)
		if rerr != nil || !utf8.Valid(data) || bytes.Contains(data, []byte(`\u`)) {
			return
		}
		if jsontext.NewDecoder(bytes.NewReader(data)).SkipValue() != nil {
			return // duplicate member names
		}
		if err != nil {
			t.Fatalf("tools-golang accepts the document, the streaming reader does not: %v", err)
		}
		got.Format = want.Format // tools-golang's version is the first "spdxVersion" anywhere
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("streaming reader and tools-golang differ:\n got %+v\nwant %+v", got, want)
		}
	})
}
