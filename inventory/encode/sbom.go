package encode

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/inventory"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	tvwriter "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/writer"
)

// flat numbers every component of every inventory with a document-unique
// reference and maps each inventory's own IDs to those references.
type flat struct {
	refs []string
	comp []inventory.Component
	// byID maps inventory index and component ID to the reference.
	byID []map[string]string
}

func flatten(invs []*inventory.Inventory) flat {
	var f flat
	for _, inv := range invs {
		ids := map[string]string{}
		for _, c := range inv.Components {
			ref := fmt.Sprintf("c%d", len(f.comp)+1)
			if c.ID != "" {
				if _, dup := ids[c.ID]; !dup {
					ids[c.ID] = ref
				}
			}
			f.refs = append(f.refs, ref)
			f.comp = append(f.comp, c)
		}
		f.byID = append(f.byID, ids)
	}
	return f
}

// CycloneDX writes the inventories as one CycloneDX 1.6 BOM (JSON, or
// XML when xml is set). Parent/DependsOn become the dependency graph;
// unassessed entries become BOM properties "assay:unassessed".
func CycloneDX(w io.Writer, invs []*inventory.Inventory, xml bool) error {
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuidFrom(invs)
	bom.Metadata = &cdx.Metadata{
		Timestamp: time.Now().UTC().Format(time.RFC3339),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{{Type: cdx.ComponentTypeApplication, Name: "assay"}}},
	}
	f := flatten(invs)
	comps := make([]cdx.Component, 0, len(f.comp))
	deps := map[string][]string{}
	var order []string
	i := 0
	for n, inv := range invs {
		for _, c := range inv.Components {
			ref := f.refs[i]
			i++
			comps = append(comps, cdxComponent(c, ref))
			add := func(parent, child string) {
				if _, ok := deps[parent]; !ok {
					order = append(order, parent)
				}
				deps[parent] = append(deps[parent], child)
			}
			if p, ok := f.byID[n][c.Parent]; ok && c.Relationship == inventory.RelDependsOn {
				add(p, ref)
			}
			for _, d := range c.DependsOn {
				if r, ok := f.byID[n][d]; ok {
					add(ref, r)
				}
			}
		}
	}
	bom.Components = &comps
	if len(order) > 0 {
		ds := make([]cdx.Dependency, 0, len(order))
		for _, ref := range order {
			on := uniq(deps[ref])
			ds = append(ds, cdx.Dependency{Ref: ref, Dependencies: &on})
		}
		bom.Dependencies = &ds
	}
	var props []cdx.Property
	for _, inv := range invs {
		for _, u := range inv.Unassessed {
			props = append(props, cdx.Property{Name: "assay:unassessed", Value: u.Path + ": " + u.Reason})
		}
	}
	if len(props) > 0 {
		bom.Properties = &props
	}
	format := cdx.BOMFileFormatJSON
	if xml {
		format = cdx.BOMFileFormatXML
	}
	enc := cdx.NewBOMEncoder(w, format)
	enc.SetPretty(true)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func cdxComponent(c inventory.Component, ref string) cdx.Component {
	typ := cdx.ComponentType(c.Type)
	switch typ {
	case cdx.ComponentTypeApplication, cdx.ComponentTypeContainer, cdx.ComponentTypeDevice, cdx.ComponentTypeFile,
		cdx.ComponentTypeFirmware, cdx.ComponentTypeFramework, cdx.ComponentTypeLibrary, cdx.ComponentTypeOS,
		cdx.ComponentTypePlatform, cdx.ComponentTypeData, cdx.ComponentTypeMachineLearningModel:
	default:
		typ = cdx.ComponentTypeLibrary
	}
	out := cdx.Component{BOMRef: ref, Type: typ, Name: c.Name, Version: c.Version, PackageURL: c.PURL}
	if len(c.CPEs) > 0 {
		out.CPE = c.CPEs[0]
	}
	if c.Supplier != "" {
		out.Supplier = &cdx.OrganizationalEntity{Name: c.Supplier}
	}
	if len(c.Hashes) > 0 {
		hs := make([]cdx.Hash, 0, len(c.Hashes))
		for _, h := range c.Hashes {
			hs = append(hs, cdx.Hash{Algorithm: cdx.HashAlgorithm(h.Algorithm), Value: h.Value})
		}
		out.Hashes = &hs
	}
	if len(c.Licenses) > 0 {
		ls := make(cdx.Licenses, 0, len(c.Licenses))
		for _, l := range c.Licenses {
			ls = append(ls, cdx.LicenseChoice{Expression: l})
		}
		out.Licenses = &ls
	}
	var props []cdx.Property
	prop := func(k, v string) {
		if v != "" {
			props = append(props, cdx.Property{Name: "assay:" + k, Value: v})
		}
	}
	prop("ecosystem", c.Ecosystem)
	prop("sourceName", c.SourceName)
	prop("sourceVersion", c.SourceVersion)
	for _, l := range c.Locations {
		prop("location", l.Path)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Metadata)) {
		prop(k, c.Metadata[k])
	}
	if len(props) > 0 {
		out.Properties = &props
	}
	return out
}

var spdxIDUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// SPDX writes the inventories as one SPDX 2.3 document (JSON, or
// tag-value when tv is set). The document DESCRIBES every component
// without a parent; Parent/DependsOn become CONTAINS and DEPENDS_ON
// relationships.
func SPDX(w io.Writer, invs []*inventory.Inventory, tv bool) error {
	f := flatten(invs)
	id := func(ref string) common.ElementID {
		return common.ElementID("Package-" + spdxIDUnsafe.ReplaceAllString(ref, "-"))
	}
	var targets []string
	for _, inv := range invs {
		targets = append(targets, inv.Target)
	}
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    "DOCUMENT",
		DocumentName:      strings.Join(targets, ", "),
		DocumentNamespace: "https://assay.invalid/spdx/" + uuidFrom(invs),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{{CreatorType: "Tool", Creator: "assay"}},
			Created:  time.Now().UTC().Format(time.RFC3339),
		},
	}
	i := 0
	for n, inv := range invs {
		for _, c := range inv.Components {
			ref := f.refs[i]
			i++
			doc.Packages = append(doc.Packages, spdxPackage(c, id(ref)))
			rel := func(a, b common.ElementID, typ string) {
				doc.Relationships = append(doc.Relationships, &spdx.Relationship{
					RefA: common.MakeDocElementID("", string(a)), RefB: common.MakeDocElementID("", string(b)), Relationship: typ,
				})
			}
			parent, hasParent := f.byID[n][c.Parent]
			switch {
			case hasParent && c.Relationship == inventory.RelContains:
				rel(id(parent), id(ref), "CONTAINS")
			case hasParent && c.Relationship == inventory.RelDependsOn:
				rel(id(parent), id(ref), "DEPENDS_ON")
			case hasParent && c.Relationship == inventory.RelVariant:
				rel(id(ref), id(parent), "VARIANT_OF")
			case hasParent && c.Relationship == inventory.RelAncestor:
				rel(id(ref), id(parent), "ANCESTOR_OF")
			default:
				rel("DOCUMENT", id(ref), "DESCRIBES")
			}
			for _, d := range c.DependsOn {
				if r, ok := f.byID[n][d]; ok && r != parent {
					rel(id(ref), id(r), "DEPENDS_ON")
				}
			}
		}
	}
	if tv {
		return tvwriter.RenderDocument(doc, w)
	}
	// What tools-golang's json.Write does; that package is not linked for
	// it, as its reader converts to SPDX 3 (see extract/sbom/spdxtv.go).
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(doc)
}

func spdxPackage(c inventory.Component, id common.ElementID) *spdx.Package {
	p := &spdx.Package{
		PackageName:             c.Name,
		PackageSPDXIdentifier:   id,
		PackageVersion:          c.Version,
		PackageDownloadLocation: "NOASSERTION",
		PackageLicenseConcluded: "NOASSERTION",
		PackageLicenseDeclared:  "NOASSERTION",
		PackageCopyrightText:    "NOASSERTION",
	}
	if p.PackageName == "" {
		p.PackageName = "NOASSERTION"
	}
	if len(c.Licenses) == 1 {
		p.PackageLicenseDeclared = c.Licenses[0]
	}
	if c.Supplier != "" {
		p.PackageSupplier = &common.Supplier{SupplierType: "Organization", Supplier: c.Supplier}
	}
	if c.PURL != "" {
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{Category: "PACKAGE-MANAGER", RefType: "purl", Locator: c.PURL})
	}
	for _, cpe := range c.CPEs {
		p.PackageExternalReferences = append(p.PackageExternalReferences, &spdx.PackageExternalReference{Category: "SECURITY", RefType: "cpe23Type", Locator: cpe})
	}
	for _, h := range c.Hashes {
		if alg, ok := spdxAlgorithm(h.Algorithm); ok {
			p.PackageChecksums = append(p.PackageChecksums, common.Checksum{Algorithm: alg, Value: h.Value})
		}
	}
	if len(c.Locations) > 0 {
		p.PackageSourceInfo = "found in " + c.Locations[0].Path
	}
	return p
}

func spdxAlgorithm(a string) (common.ChecksumAlgorithm, bool) {
	switch a {
	case "SHA-1", "SHA-224", "SHA-256", "SHA-384", "SHA-512":
		return common.ChecksumAlgorithm("SHA" + a[4:]), true
	case "SHA3-256", "SHA3-384", "SHA3-512":
		return common.ChecksumAlgorithm("SHA3_" + a[5:]), true
	case "MD5":
		return common.MD5, true
	}
	return "", false
}

// uuidFrom derives a stable UUID-shaped identifier from the inventory
// contents, so that the same input gives the same serial number.
func uuidFrom(invs []*inventory.Inventory) string {
	h := sha256.New()
	for _, inv := range invs {
		fmt.Fprintln(h, inv.Target, len(inv.Components))
		for _, c := range inv.Components {
			fmt.Fprintln(h, c.Name, c.Version, c.PURL)
		}
	}
	s := hex.EncodeToString(h.Sum(nil))
	return s[0:8] + "-" + s[8:12] + "-5" + s[13:16] + "-8" + s[17:20] + "-" + s[20:32]
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
