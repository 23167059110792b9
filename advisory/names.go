package advisory

import (
	"regexp"
	"strings"
)

var pep503 = regexp.MustCompile(`[-_.]+`)

// NormalizeName returns the canonical form of a package name for lookups
// in its ecosystem: PEP 503 for PyPI, lower case for ecosystems whose
// names are case-insensitive, and the name unchanged elsewhere (Go module
// paths and Maven coordinates are case-sensitive).
func NormalizeName(ecosystem, name string) string {
	switch BaseEcosystem(ecosystem) {
	case "PyPI":
		return pep503.ReplaceAllString(strings.ToLower(name), "-")
	case "npm", "crates.io", "NuGet", "Packagist", "Hackage", "Pub", "Hex":
		return strings.ToLower(name)
	}
	return name
}

// BaseEcosystem strips a release suffix: "Debian:12" → "Debian",
// "AlmaLinux:9" → "AlmaLinux".
func BaseEcosystem(ecosystem string) string {
	if i := strings.IndexByte(ecosystem, ':'); i >= 0 {
		return ecosystem[:i]
	}
	return ecosystem
}
