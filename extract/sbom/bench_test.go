package sbom

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/assayhq/assay/extract/limit"
)

// generateCycloneDX returns a CycloneDX 1.6 JSON document with n
// components of realistic shape (purl, hashes, license, properties) and a
// dependency graph.
func generateCycloneDX(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"root","type":"application","name":"big","version":"1.0"}},"components":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"bom-ref":"pkg:npm/%%40scope/pkg-%d@1.%d.0","type":"library","group":"@scope","name":"pkg-%d","version":"1.%d.0",`+
			`"purl":"pkg:npm/%%40scope/pkg-%d@1.%d.0","hashes":[{"alg":"SHA-256","content":"%064x"}],`+
			`"licenses":[{"license":{"id":"MIT"}}],"properties":[{"name":"cdx:npm:package:path","value":"node_modules/@scope/pkg-%d"}]}`,
			i, i%100, i, i%100, i, i%100, i, i)
	}
	b.WriteString(`],"dependencies":[{"ref":"root","dependsOn":[`)
	for i := 0; i < n; i += 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"pkg:npm/%%40scope/pkg-%d@1.%d.0"`, i, i%100)
	}
	b.WriteString(`]}]}`)
	return b.Bytes()
}

// BenchmarkCycloneDX100k reads a generated 100,000-component CycloneDX
// JSON SBOM (target: ≤ 2 s and ≤ 300 MiB peak RSS).
func BenchmarkCycloneDX100k(b *testing.B) {
	doc := generateCycloneDX(100_000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		inv, err := ReadCycloneDXJSON(context.Background(), bytes.NewReader(doc), "big.json", limit.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Components) != 100_001 {
			b.Fatalf("%d components", len(inv.Components))
		}
	}
}

func TestGeneratedCycloneDX(t *testing.T) {
	inv, err := ReadCycloneDXJSON(context.Background(), bytes.NewReader(generateCycloneDX(100)), "gen.json", limit.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Components) != 101 || inv.Components[1].Name != "@scope/pkg-0" || inv.Components[1].Ecosystem != "npm" {
		t.Fatalf("%d components, first %+v", len(inv.Components), inv.Components[1])
	}
	if len(inv.Components[0].DependsOn) != 10 {
		t.Fatalf("root depends on %d", len(inv.Components[0].DependsOn))
	}
}
