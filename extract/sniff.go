package extract

import (
	"bytes"
	"io"
	"path"
	"strings"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/extract/sbom"
)

// format is a file format recognised from a file's name and first bytes.
type format int

const (
	fmtUnknown format = iota
	fmtCycloneDXJSON
	fmtCycloneDXXML
	fmtSPDXJSON
	fmtSPDXTagValue
	fmtSPDX3
	fmtExecutable
	fmtTar
	fmtArchive
)

// archiveExts are archive file name endings that a walk reports as not
// unpacked (tar is handled separately: it may be a container image).
var archiveExts = []string{
	".zip", ".jar", ".war", ".ear", ".whl", ".egg", ".gem", ".nupkg", ".deb", ".rpm", ".apk", ".ipk",
	".7z", ".rar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".lz4", ".cpio", ".squashfs", ".img", ".iso",
}

// sniff recognises the format of a file from its base name and head.
func sniff(base string, head []byte) format {
	if isExecutable(head) {
		return fmtExecutable
	}
	if len(head) > 262 && bytes.Equal(head[257:262], []byte("ustar")) {
		return fmtTar
	}
	lower := strings.ToLower(base)
	for _, ext := range archiveExts {
		if strings.HasSuffix(lower, ext) {
			return fmtArchive
		}
	}
	if strings.HasSuffix(lower, ".tar") {
		return fmtTar
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case len(text) == 0:
		return fmtUnknown
	case text[0] == '{':
		switch {
		case bytes.Contains(text, []byte(`"bomFormat"`)) && bytes.Contains(text, []byte(`CycloneDX`)):
			return fmtCycloneDXJSON
		case bytes.Contains(text, []byte(`"spdxVersion"`)):
			return fmtSPDXJSON
		case bytes.Contains(text, []byte(`"@context"`)) && bytes.Contains(text, []byte(`spdx.org/rdf/3`)):
			return fmtSPDX3
		}
	case text[0] == '<':
		if bytes.Contains(text, []byte("cyclonedx.org/schema/bom")) && bytes.Contains(text, []byte("<bom")) {
			return fmtCycloneDXXML
		}
	case bytes.HasPrefix(text, []byte("SPDXVersion:")) || bytes.Contains(text, []byte("\nSPDXVersion:")):
		if ext := path.Ext(lower); ext == ".spdx" || ext == ".tv" || ext == ".txt" || ext == "" || bytes.HasPrefix(text, []byte("SPDXVersion:")) {
			return fmtSPDXTagValue
		}
	}
	return fmtUnknown
}

// isExecutable reports whether head starts like an ELF, PE, Mach-O or
// XCOFF executable.
func isExecutable(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return true
	case bytes.HasPrefix(head, []byte("MZ")):
		return true
	case bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(head, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(head, []byte{0xcf, 0xfa, 0xed, 0xfe}),
		bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}):
		return true
	case bytes.HasPrefix(head, []byte{0x01, 0xdf}), bytes.HasPrefix(head, []byte{0x01, 0xf7}):
		return true
	}
	return false
}

// sniffJSONKeys recognises an SBOM from its top-level JSON keys; the
// error says that a limit was exceeded before a key was found.
func sniffJSONKeys(r io.Reader, lim limit.Limits) (format, error) {
	f, err := sbom.DetectJSON(r, lim)
	switch f {
	case sbom.FormatCycloneDXJSON:
		return fmtCycloneDXJSON, nil
	case sbom.FormatSPDXJSON:
		return fmtSPDXJSON, nil
	case sbom.FormatSPDX3:
		return fmtSPDX3, nil
	}
	return fmtUnknown, err
}
