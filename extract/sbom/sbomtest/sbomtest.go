// Package sbomtest generates large SBOMs for benchmarks of the SBOM
// readers (go test -bench, bench/inventory-100k.sh).
package sbomtest

import (
	"bufio"
	"fmt"
	"io"
)

// WriteCycloneDX writes a CycloneDX 1.6 JSON document with a
// metadata.component (bom-ref "root") and n components of realistic shape
// (npm purl, SHA-256 hash, license, property), and a dependency list in
// which the root depends on every tenth component.
func WriteCycloneDX(w io.Writer, n int) error {
	b := bufio.NewWriter(w)
	b.WriteString(`{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"bom-ref":"root","type":"application","name":"big","version":"1.0"}},"components":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `{"bom-ref":"pkg:npm/%%40scope/pkg-%d@1.%d.0","type":"library","group":"@scope","name":"pkg-%d","version":"1.%d.0",`+
			`"purl":"pkg:npm/%%40scope/pkg-%d@1.%d.0","hashes":[{"alg":"SHA-256","content":"%064x"}],`+
			`"licenses":[{"license":{"id":"MIT"}}],"properties":[{"name":"cdx:npm:package:path","value":"node_modules/@scope/pkg-%d"}]}`,
			i, i%100, i, i%100, i, i%100, i, i)
	}
	b.WriteString(`],"dependencies":[{"ref":"root","dependsOn":[`)
	for i := 0; i < n; i += 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(b, `"pkg:npm/%%40scope/pkg-%d@1.%d.0"`, i, i%100)
	}
	b.WriteString(`]}]}`)
	return b.Flush()
}
