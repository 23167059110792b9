package sbom

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/assayhq/assay/extract/limit"
)

// fuzzLimits keeps each fuzz iteration small and fast.
var fuzzLimits = limit.Limits{MaxFileBytes: 1 << 20, MaxComponents: 10000, MaxDepth: 16}

func addSeeds(f *testing.F, files ...string) {
	for _, file := range files {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func fuzzReader(f *testing.F, fn reader, seeds ...string) {
	addSeeds(f, seeds...)
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := fn(context.Background(), bytes.NewReader(data), "fuzz", fuzzLimits)
		if err == nil && inv == nil {
			t.Fatal("nil inventory without error")
		}
	})
}

func FuzzCycloneDXJSON(f *testing.F) {
	fuzzReader(f, ReadCycloneDXJSON, "nested.cdx.json")
}

func FuzzCycloneDXXML(f *testing.F) {
	fuzzReader(f, ReadCycloneDXXML, "small.cdx.xml", "entities.cdx.xml")
}

func FuzzSPDXJSON(f *testing.F) {
	fuzzReader(f, ReadSPDXJSON, "small.spdx.json", "edge.spdx.json", "old.spdx21.json", "mid.spdx22.json")
}

func FuzzSPDXTagValue(f *testing.F) {
	fuzzReader(f, ReadSPDXTagValue, "small.spdx")
}

func FuzzSPDX3(f *testing.F) {
	fuzzReader(f, ReadSPDX3, "small.spdx3.json")
}
