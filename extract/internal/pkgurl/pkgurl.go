// Package pkgurl builds and reads package URLs (purl) with the reference
// implementation, and maps them to OSV ecosystems.
package pkgurl

import (
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Make returns the canonical purl string for the parts, or "" when they do
// not form a valid purl. Empty qualifier values are dropped.
func Make(typ, namespace, name, version string, qualifiers map[string]string) string {
	q := map[string]string{}
	for k, v := range qualifiers {
		if v != "" {
			q[k] = v
		}
	}
	if typ == packageurl.TypePyPi {
		name = PEP503(name)
	}
	p := packageurl.NewPackageURL(typ, namespace, name, version, packageurl.QualifiersFromMap(q), "")
	if err := p.Normalize(); err != nil {
		return ""
	}
	return p.ToString()
}

// Go returns the purl of a Go module path at version.
func Go(path, version string) string {
	ns, name := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		ns, name = path[:i], path[i+1:]
	}
	return Make(packageurl.TypeGolang, ns, name, version, nil)
}

// Normalize parses s and returns its canonical form; ok is false when s
// is not a valid purl.
func Normalize(s string) (canon string, p packageurl.PackageURL, ok bool) {
	if s == "" {
		return "", p, false
	}
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", p, false
	}
	if p.Type == packageurl.TypePyPi {
		p.Name = PEP503(p.Name)
	}
	if err := p.Normalize(); err != nil {
		return "", p, false
	}
	return p.ToString(), p, true
}

var pep503Sep = regexp.MustCompile(`[-_.]+`)

// PEP503 returns the normalized form of a Python project name.
func PEP503(name string) string {
	return strings.ToLower(pep503Sep.ReplaceAllString(name, "-"))
}

var simpleEcosystems = map[string]string{
	packageurl.TypeGolang:   "Go",
	packageurl.TypePyPi:     "PyPI",
	packageurl.TypeNPM:      "npm",
	packageurl.TypeCargo:    "crates.io",
	packageurl.TypeMaven:    "Maven",
	packageurl.TypeNuget:    "NuGet",
	packageurl.TypeGem:      "RubyGems",
	packageurl.TypeComposer: "Packagist",
	packageurl.TypePub:      "Pub",
	packageurl.TypeHex:      "Hex",
	packageurl.TypeHackage:  "Hackage",
	packageurl.TypeCran:     "CRAN",
	packageurl.TypeConan:    "ConanCenter",
	packageurl.TypeSwift:    "SwiftURL",
	packageurl.TypeGithub:   "GitHub Actions",
	"opkg":                  "OpenWrt",
}

// Debian release codenames to version numbers, for distro qualifiers
// written as codenames (pkg:deb/debian/x@1?distro=bookworm).
var debianCodenames = map[string]string{
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11",
	"bookworm": "12", "trixie": "13", "forky": "14",
}

// Ecosystem returns the OSV ecosystem of a purl, or "" when unknown.
// Distro purls use their namespace and "distro" qualifier to pick the
// release ("Debian:12", "Ubuntu:22.04", "Alpine:v3.18", "AlmaLinux:9").
func Ecosystem(p packageurl.PackageURL) string {
	if e, ok := simpleEcosystems[p.Type]; ok {
		return e
	}
	distro := p.Qualifiers.Map()["distro"]
	switch p.Type {
	case packageurl.TypeDebian:
		return DistroEcosystem(p.Namespace, distro)
	case packageurl.TypeApk:
		return DistroEcosystem(p.Namespace, distro)
	case packageurl.TypeRPM:
		return DistroEcosystem(p.Namespace, distro)
	}
	return ""
}

// DistroEcosystem maps an os-release style ID and a release (a version
// ID, a codename, or a distro qualifier such as "debian-12",
// "alpine-3.18.4", "almalinux-9.2") to an OSV ecosystem string.
func DistroEcosystem(id, release string) string {
	id = strings.ToLower(id)
	release = strings.TrimPrefix(strings.ToLower(release), id+"-")
	switch id {
	case "debian":
		if v, ok := debianCodenames[release]; ok {
			release = v
		}
		return withRelease("Debian", major(release))
	case "ubuntu":
		return withRelease("Ubuntu", majorMinor(release))
	case "alpine":
		if r := majorMinor(release); r != "" {
			return "Alpine:v" + r
		}
		return "Alpine"
	case "almalinux":
		return withRelease("AlmaLinux", major(release))
	case "rocky":
		return withRelease("Rocky Linux", major(release))
	case "rhel", "redhat":
		return "Red Hat"
	case "openwrt":
		return "OpenWrt"
	case "opensuse", "opensuse-leap", "sles", "suse":
		return ""
	case "wolfi":
		return "Wolfi"
	case "chainguard":
		return "Chainguard"
	case "mariner", "azurelinux":
		return ""
	}
	return ""
}

func withRelease(eco, rel string) string {
	if rel == "" {
		return eco
	}
	return eco + ":" + rel
}

func major(v string) string {
	v, _, _ = strings.Cut(v, ".")
	if !allDigits(v) {
		return ""
	}
	return v
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return ""
	}
	return parts[0] + "." + parts[1]
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// SplitSourceRPM splits a source RPM file name such as
// "openssl-3.0.7-24.el9.src.rpm" into name "openssl" and version
// "3.0.7-24.el9".
func SplitSourceRPM(s string) (name, version string) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, ".rpm"), ".src")
	s = strings.TrimSuffix(s, ".nosrc")
	rel := strings.LastIndex(s, "-")
	if rel <= 0 {
		return s, ""
	}
	ver := strings.LastIndex(s[:rel], "-")
	if ver <= 0 {
		return s, ""
	}
	return s[:ver], s[ver+1:]
}
