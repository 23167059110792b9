// Package inventory is the shared vocabulary of Assay: the software
// components found in a target and what could not be assessed.
//
// Extractors (package extract) produce an Inventory; matching, detection,
// review and reporting consume it. The package holds data types and small
// helpers only; it knows nothing of file formats or advisories.
package inventory

import (
	"cmp"
	"slices"
)

// Schema is the value of the "schema" field of the JSON form of an
// Inventory (see the assay inventory command).
const Schema = "assay.inventory/v1"

// Kind says what sort of input an Inventory was read from.
type Kind string

// Kinds of inventory targets.
const (
	KindSBOM      Kind = "sbom"      // a CycloneDX or SPDX document
	KindLockfile  Kind = "lockfile"  // a package manager lockfile or manifest
	KindBinary    Kind = "binary"    // an executable (for example a Go binary)
	KindOSPackage Kind = "ospkg"     // an OS package database (dpkg, apk, rpm, opkg)
	KindImage     Kind = "image"     // a container image (docker save, OCI)
	KindDirectory Kind = "directory" // a directory tree or unpacked root filesystem
	KindMixed     Kind = "mixed"     // several inputs of different kinds
	KindFirmware  Kind = "firmware"  // a firmware image, unpacked
)

// Relationships of a component to its Parent.
const (
	RelDependsOn = "depends-on" // the parent depends on this component
	RelContains  = "contains"   // the parent contains this component (nested, bundled)
	RelVariant   = "variant"    // pedigree: this component is a variant of the parent
	RelAncestor  = "ancestor"   // pedigree: this component is an ancestor of the parent
)

// Inventory is everything found in one target: its components and the
// parts that could not be assessed, with the reason. A consumer must never
// treat an Inventory with Unassessed entries as fully checked.
type Inventory struct {
	// Target is the path (or name) of what was inventoried.
	Target string `json:"target"`
	// Kind says what sort of input Target is.
	Kind Kind `json:"kind"`
	// Format names the concrete format when Target is a single document,
	// such as "cyclonedx-json 1.6", "spdx-tv 2.2", "go.mod" or "dpkg".
	Format string `json:"format,omitempty"`
	// Components are the software components found, in input order.
	Components []Component `json:"components"`
	// Unassessed lists the files or parts that were skipped or failed.
	Unassessed []Unassessed `json:"unassessed,omitempty"`
}

// Unassessed is a file or part of the input that could not be assessed.
type Unassessed struct {
	// Path is where in the target it is (a file path, or path!member).
	Path string `json:"path"`
	// Reason says why, in words a reviewer understands.
	Reason string `json:"reason"`
}

// Component is one software component.
type Component struct {
	// ID identifies the component inside its Inventory (a bom-ref, an SPDX
	// ID, or a generated value); Parent refers to it.
	ID string `json:"id,omitempty"`
	// Name is the package name as its ecosystem spells it (a Go module
	// path, an npm name with scope, a Maven group:artifact, a binary
	// distro package name).
	Name string `json:"name"`
	// Version is the version as the ecosystem spells it (Go versions keep
	// their "v" prefix, except the "stdlib" component).
	Version string `json:"version,omitempty"`
	// Ecosystem is an OSV ecosystem string ("Go", "PyPI", "npm",
	// "Debian:12", "Alpine:v3.18", ...), empty when unknown.
	Ecosystem string `json:"ecosystem,omitempty"`
	// PURL is the package URL per the purl specification, empty when none
	// can be built.
	PURL string `json:"purl,omitempty"`
	// CPEs are CPE 2.3 names when the input gives them.
	CPEs []string `json:"cpes,omitempty"`
	// Hashes are digests of the component's artifact when known.
	Hashes []Hash `json:"hashes,omitempty"`
	// Supplier names the supplier or author when the input gives it.
	Supplier string `json:"supplier,omitempty"`
	// Licenses are SPDX license expressions or names when given.
	Licenses []string `json:"licenses,omitempty"`
	// Type is the component type when known ("library", "application",
	// "operating-system", "firmware", "file", ...).
	Type string `json:"type,omitempty"`
	// SourceName and SourceVersion name the source package a distro binary
	// package was built from; matching against distro advisories uses them.
	SourceName    string `json:"sourceName,omitempty"`
	SourceVersion string `json:"sourceVersion,omitempty"`
	// Parent is the ID of the component this one belongs to, and
	// Relationship how (RelDependsOn, RelContains, ...), when the format
	// says so.
	Parent       string `json:"parent,omitempty"`
	Relationship string `json:"relationship,omitempty"`
	// DependsOn lists the IDs of the direct dependencies when the format
	// gives a dependency graph.
	DependsOn []string `json:"dependsOn,omitempty"`
	// Locations are where in the input the component was found.
	Locations []Location `json:"locations"`
	// Metadata holds extra facts as key/value pairs, for example "goos",
	// "goarch", "arch", "distro" or "replaced-by".
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Location says where a component was found.
type Location struct {
	// Path is the file (relative to the target, slash-separated); for
	// nested inputs such as image layers it is "outer!inner".
	Path string `json:"path"`
	// Line is the 1-based line number when known.
	Line int `json:"line,omitempty"`
	// Layer is the image layer digest when found in a container image.
	Layer string `json:"layer,omitempty"`
	// Image is the reference (repository tag, OCI ref name or manifest
	// digest) of the image it was found in, when the input holds images.
	Image string `json:"image,omitempty"`
	// Container lists the containers enclosing the innermost filesystem
	// of a firmware image, outermost first; Path is then the path inside
	// that filesystem, starting with "/".
	Container []string `json:"container,omitempty"`
}

// Hash is a digest of an artifact.
type Hash struct {
	// Algorithm is the algorithm name as CycloneDX spells it ("SHA-256",
	// "SHA-1", "MD5", "SHA-512", ...).
	Algorithm string `json:"alg"`
	// Value is the lower-case hex digest (or the input's own encoding).
	Value string `json:"value"`
}

// Metadata keys used by the extractors.
const (
	MetaGOOS       = "goos"        // Go binary target OS
	MetaGOARCH     = "goarch"      // Go binary target architecture
	MetaArch       = "arch"        // package architecture
	MetaDistro     = "distro"      // distro ID and version, e.g. "debian 12"
	MetaReplacedBy = "replaced-by" // Go module replacement (path@version or dir)
	MetaIndirect   = "indirect"    // "true" for indirect Go requirements
	MetaMainModule = "main"        // "true" for a Go main module
	MetaEOL        = "eol"         // "true" when the component's release cycle is past its end of life
	MetaEOLDate    = "eol-date"    // end-of-life date of the cycle (YYYY-MM-DD)
	MetaEOLCycle   = "eol-cycle"   // endoflife.date product and cycle, e.g. "openssl 1.1.1"
	MetaEvidence   = "evidence"    // what identified the component (banner and offset, database)
)

// Add appends components found at loc to the inventory.
func (inv *Inventory) Add(cs ...Component) {
	inv.Components = append(inv.Components, cs...)
}

// Skip records a path that could not be assessed and why.
func (inv *Inventory) Skip(path, reason string) {
	inv.Unassessed = append(inv.Unassessed, Unassessed{Path: path, Reason: reason})
}

// Merge appends the components and unassessed entries of other.
func (inv *Inventory) Merge(other *Inventory) {
	inv.Components = append(inv.Components, other.Components...)
	inv.Unassessed = append(inv.Unassessed, other.Unassessed...)
}

// MapPaths replaces every location path and unassessed path p with
// fn(p), for example to nest an inner inventory under its archive
// ("image.tar!" + p).
func (inv *Inventory) MapPaths(fn func(string) string) {
	for i := range inv.Components {
		for j := range inv.Components[i].Locations {
			l := &inv.Components[i].Locations[j]
			l.Path = fn(l.Path)
		}
	}
	for i := range inv.Unassessed {
		inv.Unassessed[i].Path = fn(inv.Unassessed[i].Path)
	}
}

// Sort orders components by ecosystem, name, version and first location,
// and unassessed entries by path, for stable output.
func (inv *Inventory) Sort() {
	slices.SortStableFunc(inv.Components, func(a, b Component) int {
		return cmp.Or(
			cmp.Compare(a.Ecosystem, b.Ecosystem),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version),
			cmp.Compare(firstPath(a), firstPath(b)),
		)
	})
	slices.SortStableFunc(inv.Unassessed, func(a, b Unassessed) int { return cmp.Compare(a.Path, b.Path) })
}

func firstPath(c Component) string {
	if len(c.Locations) == 0 {
		return ""
	}
	return c.Locations[0].Path
}
