package identify

import (
	"strings"

	"github.com/assayhq/assay/inventory"
)

// signatureComponent builds the component for a signature hit.
func signatureComponent(m match, loc inventory.Location, evidence string) inventory.Component {
	return genericComponent(m.sig.name, m.version, m.sig.typ, m.sig.cpes, loc, evidence)
}

// genericComponent builds a component without an ecosystem: a generic
// purl and NVD CPE 2.3 names (each "part:vendor:product").
func genericComponent(name, version, typ string, cpes []string, loc inventory.Location, evidence string) inventory.Component {
	c := inventory.Component{
		ID:        "pkg:generic/" + name + "@" + version,
		Name:      name,
		Version:   version,
		PURL:      "pkg:generic/" + name + "@" + version,
		Type:      typ,
		Locations: []inventory.Location{loc},
		Metadata:  map[string]string{inventory.MetaEvidence: evidence},
	}
	for _, t := range cpes {
		c.CPEs = append(c.CPEs, cpe23(t, version))
	}
	return c
}

// cpe23 renders a CPE 2.3 formatted string for triple "part:vendor:product"
// at version. OpenSSH portable versions ("9.2p1") put the portable release
// in the update field, as NVD does ("9.2", "p1").
func cpe23(triple, version string) string {
	update := "*"
	if strings.HasSuffix(triple, ":openssh") {
		if i := strings.LastIndexByte(version, 'p'); i > 0 {
			version, update = version[:i], version[i:]
		}
	}
	return "cpe:2.3:" + triple + ":" + cpeEscape(version) + ":" + cpeEscape(update) + ":*:*:*:*:*:*"
}

// cpeEscape quotes the characters CPE 2.3 formatted strings reserve.
func cpeEscape(s string) string {
	if s == "*" {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
