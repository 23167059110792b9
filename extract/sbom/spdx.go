package sbom

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/spdx/tools-golang/spdx"
)

// ReadSPDXTagValue reads an SPDX 2.1–2.3 tag-value document from r with
// spdx/tools-golang, which reads the whole document: memory is bounded by
// Limits.MaxFileBytes rather than streamed.
func ReadSPDXTagValue(ctx context.Context, r io.Reader, name string, lim limit.Limits) (*inventory.Inventory, error) {
	return readSPDX2(ctx, r, name, lim, "spdx-tv", tvVersion, readTagValue)
}

func readSPDX2(ctx context.Context, r io.Reader, name string, lim limit.Limits, format string,
	version *regexp.Regexp, parse func(io.Reader) (*spdx.Document, error)) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	data, err := limit.ReadAll(r, lim.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	doc, err := parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", name, format, err)
	}
	return spdxInventory(ctx, doc, name, format+" "+spdxVersion(version, data), lim)
}

var tvVersion = regexp.MustCompile(`(?m)^SPDXVersion:\s*SPDX-([0-9.]+)`)

// spdxVersion returns the version the document declares (the library
// converts every 2.x document to its 2.3 model).
func spdxVersion(re *regexp.Regexp, data []byte) string {
	if m := re.FindSubmatch(data); m != nil {
		return string(m[1])
	}
	return "2"
}

func spdxInventory(ctx context.Context, doc *spdx.Document, name, format string, lim limit.Limits) (*inventory.Inventory, error) {
	if doc == nil {
		return nil, fmt.Errorf("%s: empty SPDX document", name)
	}
	inv := &inventory.Inventory{Target: name, Kind: inventory.KindSBOM, Format: format}
	if err := limit.Count(len(doc.Packages), lim.MaxComponents, "packages"); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range doc.Packages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if p != nil {
			inv.Add(spdxPackage(p, name))
		}
	}
	rels := make([]spdxRel, 0, len(doc.Relationships))
	for _, r := range doc.Relationships {
		if r != nil {
			rels = append(rels, spdxRel{a: string(r.RefA.ElementRefID), b: string(r.RefB.ElementRefID), typ: r.Relationship})
		}
	}
	relateSPDX(inv, spdxIndex(inv), rels)
	return inv, nil
}

// spdxRel is an SPDX 2 relationship: element a relates to element b (the
// element IDs without "SPDXRef-"; references into other documents by their
// element ID only).
type spdxRel struct{ a, b, typ string }

// between reports whether r can relate packages of index: DESCRIBES
// needs a package as its object, DESCRIBED_BY as its subject, every other
// relationship both.
func (r spdxRel) between(index map[string]int) bool {
	_, a := index[r.a]
	_, b := index[r.b]
	switch strings.ToUpper(r.typ) {
	case "DESCRIBES":
		return b
	case "DESCRIBED_BY":
		return a
	}
	return a && b
}

// spdxIndex maps the SPDX IDs of the packages of inv to their indexes
// (the last of equal IDs).
func spdxIndex(inv *inventory.Inventory) map[string]int {
	index := make(map[string]int, len(inv.Components))
	for i, c := range inv.Components {
		index[c.ID] = i
	}
	return index
}

// relateSPDX records the relationships between packages of inv (index
// from spdxIndex): the described package (DESCRIBES) is marked as the
// subject, containment, dependency, variant and ancestry become Parent
// and DependsOn. Relationships to elements that are not packages (files,
// the document) are ignored.
func relateSPDX(inv *inventory.Inventory, index map[string]int, rels []spdxRel) {
	for _, r := range rels {
		a, b := r.a, r.b
		switch typ := strings.ToUpper(r.typ); typ {
		case "DESCRIBES":
			if i, ok := index[b]; ok {
				setMeta(&inv.Components[i], SubjectKey, "true")
			}
		case "DESCRIBED_BY":
			if i, ok := index[a]; ok {
				setMeta(&inv.Components[i], SubjectKey, "true")
			}
		case "CONTAINS":
			link(inv, index, a, b, inventory.RelContains)
		case "CONTAINED_BY":
			link(inv, index, b, a, inventory.RelContains)
		case "DEPENDS_ON", "DYNAMIC_LINK", "STATIC_LINK", "RUNTIME_DEPENDENCY_OF", "BUILD_DEPENDENCY_OF":
			if strings.HasSuffix(typ, "_OF") {
				a, b = b, a
			}
			link(inv, index, a, b, inventory.RelDependsOn)
		case "DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF":
			link(inv, index, b, a, inventory.RelDependsOn)
		case "VARIANT_OF":
			link(inv, index, b, a, inventory.RelVariant)
		case "ANCESTOR_OF":
			link(inv, index, b, a, inventory.RelAncestor)
		}
	}
}

// link records that parent relates to child: child gets its first parent,
// and a depends-on relationship is added to the parent's DependsOn.
func link(inv *inventory.Inventory, index map[string]int, parent, child, rel string) {
	pi, pok := index[parent]
	ci, cok := index[child]
	if !pok || !cok || pi == ci {
		return
	}
	c := &inv.Components[ci]
	if c.Parent == "" {
		c.Parent, c.Relationship = parent, rel
	}
	if rel == inventory.RelDependsOn {
		inv.Components[pi].DependsOn = append(inv.Components[pi].DependsOn, child)
	}
}

func spdxPackage(p *spdx.Package, file string) inventory.Component {
	c := inventory.Component{
		ID:        string(p.PackageSPDXIdentifier),
		Name:      p.PackageName,
		Version:   p.PackageVersion,
		Type:      strings.ToLower(p.PrimaryPackagePurpose),
		Locations: []inventory.Location{{Path: file}},
	}
	for _, ref := range p.PackageExternalReferences {
		if ref == nil {
			continue
		}
		switch strings.ToLower(ref.RefType) {
		case "purl":
			if c.PURL != "" {
				continue
			}
			if canon, pu, ok := pkgurl.Normalize(ref.Locator); ok {
				c.PURL = canon
				c.Ecosystem = pkgurl.Ecosystem(pu)
				c.SourceName, c.SourceVersion = sourceFromPURL(pu)
			}
		case "cpe23type", "cpe22type":
			c.CPEs = append(c.CPEs, ref.Locator)
		}
	}
	for _, h := range p.PackageChecksums {
		c.Hashes = append(c.Hashes, inventory.Hash{Algorithm: spdxHashName(string(h.Algorithm)), Value: strings.ToLower(h.Value)})
	}
	if p.PackageSupplier != nil && p.PackageSupplier.Supplier != "" && p.PackageSupplier.Supplier != "NOASSERTION" {
		c.Supplier = p.PackageSupplier.Supplier
	}
	for _, l := range []string{p.PackageLicenseConcluded, p.PackageLicenseDeclared} {
		if l != "" && l != "NOASSERTION" && l != "NONE" {
			c.Licenses = append(c.Licenses, l)
			break
		}
	}
	return c
}

// spdxHashName maps SPDX checksum algorithm names ("SHA256") to the
// CycloneDX spelling ("SHA-256") used by inventory.Hash.
func spdxHashName(a string) string {
	switch a {
	case "SHA1", "SHA224", "SHA256", "SHA384", "SHA512":
		return "SHA-" + a[3:]
	case "SHA3_256", "SHA3_384", "SHA3_512":
		return "SHA3-" + a[5:]
	case "BLAKE2b_256", "BLAKE2b_384", "BLAKE2b_512":
		return "BLAKE2b-" + a[8:]
	}
	return a
}
