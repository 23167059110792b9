package sbom

import (
	"bytes"
	"context"
	"testing"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/sbom/sbomtest"
	"github.com/assayhq/assay/inventory"
)

// generateCycloneDX returns a CycloneDX 1.6 JSON document with n
// components (see sbomtest.WriteCycloneDX).
func generateCycloneDX(n int) []byte {
	var b bytes.Buffer
	if err := sbomtest.WriteCycloneDX(&b, n); err != nil {
		panic(err)
	}
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

// generateSPDX returns an SPDX 2.3 JSON document with n packages besides
// the root (see sbomtest.WriteSPDX).
func generateSPDX(n int) []byte {
	var b bytes.Buffer
	if err := sbomtest.WriteSPDX(&b, n); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// BenchmarkSPDX100k reads a generated SPDX 2.3 JSON SBOM of 100,000
// packages and 110,000 relationships with the streaming reader.
func BenchmarkSPDX100k(b *testing.B) {
	benchmarkSPDX(b, func(doc []byte) (*inventory.Inventory, error) {
		return ReadSPDXJSON(context.Background(), bytes.NewReader(doc), "big.spdx.json", limit.Limits{})
	})
}

// BenchmarkSPDX100kLibrary reads the same document with tools-golang's
// whole-document json.Read, as assay did before the streaming reader.
func BenchmarkSPDX100kLibrary(b *testing.B) {
	benchmarkSPDX(b, func(doc []byte) (*inventory.Inventory, error) {
		return readSPDXJSONReference(doc, "big.spdx.json", limit.Limits{})
	})
}

func benchmarkSPDX(b *testing.B, read func([]byte) (*inventory.Inventory, error)) {
	doc := generateSPDX(100_000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		inv, err := read(doc)
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Components) != 100_001 || len(inv.Components[0].DependsOn) != 10_000 {
			b.Fatalf("%d components", len(inv.Components))
		}
	}
}
