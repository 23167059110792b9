package sbomtest

import (
	"bufio"
	"fmt"
	"io"
)

// WriteSPDX writes an SPDX 2.3 JSON document with a root package
// ("SPDXRef-root", described by the document) and n packages of realistic
// shape (supplier, SHA-256 checksum, licenses, npm purl and CPE external
// references, primary purpose), one file, and relationships in which the
// root CONTAINS every package and DEPENDS_ON every tenth one, the way SBOM
// generators such as syft lay them out.
func WriteSPDX(w io.Writer, n int) error {
	b := bufio.NewWriter(w)
	b.WriteString(`{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"big",` +
		`"documentNamespace":"https://example.invalid/spdx/big","creationInfo":{"creators":["Tool: sbomtest"],"created":"2026-01-01T00:00:00Z"},` +
		`"documentDescribes":["SPDXRef-root"],"packages":[` +
		`{"SPDXID":"SPDXRef-root","name":"big","versionInfo":"1.0","downloadLocation":"NOASSERTION","filesAnalyzed":true,` +
		`"hasFiles":["SPDXRef-file-0"],"primaryPackagePurpose":"APPLICATION"}`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `,{"SPDXID":"SPDXRef-pkg-%d","name":"@scope/pkg-%d","versionInfo":"1.%d.0","supplier":"Organization: Scope %d",`+
			`"downloadLocation":"https://registry.npmjs.org/@scope/pkg-%d/-/pkg-%d-1.%d.0.tgz","filesAnalyzed":false,`+
			`"checksums":[{"algorithm":"SHA256","checksumValue":"%064x"}],"licenseConcluded":"MIT","licenseDeclared":"MIT","copyrightText":"NOASSERTION",`+
			`"externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/%%40scope/pkg-%d@1.%d.0"},`+
			`{"referenceCategory":"SECURITY","referenceType":"cpe23Type","referenceLocator":"cpe:2.3:a:scope:pkg-%d:1.%d.0:*:*:*:*:*:*:*"}],`+
			`"primaryPackagePurpose":"LIBRARY"}`,
			i, i, i%100, i%10, i, i, i%100, i, i, i%100, i, i%100)
	}
	b.WriteString(`],"files":[{"SPDXID":"SPDXRef-file-0","fileName":"./package.json","checksums":[{"algorithm":"SHA1","checksumValue":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}],"licenseConcluded":"NOASSERTION","copyrightText":"NOASSERTION"}],"relationships":[` +
		`{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-root"}`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(b, `,{"spdxElementId":"SPDXRef-root","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-pkg-%d"}`, i)
		if i%10 == 0 {
			fmt.Fprintf(b, `,{"spdxElementId":"SPDXRef-root","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-pkg-%d"}`, i)
		}
	}
	b.WriteString(`]}`)
	return b.Flush()
}
