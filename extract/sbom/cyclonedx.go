// Package sbom reads software bills of materials — CycloneDX (JSON, XML)
// and SPDX (2.x JSON and tag-value, 3.0 JSON-LD) — into an inventory.
//
// CycloneDX JSON and SPDX 2 JSON are decoded as a stream of tokens: each
// top-level component (package) is decoded into the cyclonedx-go
// (spdx/tools-golang) types and converted on its own, so memory grows with
// the inventory, not with the document tree. Single JSON and XML tokens
// are bounded by limit.Limits.MaxStringBytes.
package sbom

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/package-url/packageurl-go"
)

// ReadCycloneDXXML reads a CycloneDX XML document (spec 1.0–1.7) from r,
// streaming it: each <component> under <components> is decoded on its
// own with the cyclonedx-go types. The Go XML decoder expands no DTD
// entities and fetches nothing, so entity bombs and external entities are
// errors.
func ReadCycloneDXXML(ctx context.Context, r io.Reader, name string, lim limit.Limits) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	xd := xml.NewDecoder(limitXMLTokens(limit.Reader(r, lim.MaxFileBytes), lim.MaxStringBytes))
	conv := newCDXConverter(name, lim)
	ns, err := xmlRoot(xd)
	if err != nil {
		return nil, fmt.Errorf("%s: CycloneDX XML: %w", name, err)
	}
	var deps []cdx.Dependency
	err = eachXMLChild(ctx, xd, func(el xml.StartElement) error {
		switch el.Name.Local {
		case "metadata":
			var md cdx.Metadata
			if err := xd.DecodeElement(&md, &el); err != nil || md.Component == nil {
				return err
			}
			return conv.subject(*md.Component)
		case "components":
			return eachXMLChild(ctx, xd, func(el xml.StartElement) error {
				if el.Name.Local != "component" {
					return xd.Skip()
				}
				var c cdx.Component
				if err := xd.DecodeElement(&c, &el); err != nil {
					return err
				}
				return conv.component(c, "", "", 0)
			})
		case "dependencies":
			return eachXMLChild(ctx, xd, func(el xml.StartElement) error {
				var d cdx.Dependency
				if err := xd.DecodeElement(&d, &el); err != nil {
					return err
				}
				deps = append(deps, d)
				return nil
			})
		}
		return xd.Skip()
	})
	if err != nil {
		return nil, fmt.Errorf("%s: CycloneDX XML: %w", name, err)
	}
	conv.dependencies(deps)
	conv.inv.Format = "cyclonedx-xml " + strings.TrimPrefix(ns, "http://cyclonedx.org/schema/bom/")
	return conv.inv, nil
}

// xmlRoot reads up to the root element and checks it is a CycloneDX <bom>;
// it returns the namespace.
func xmlRoot(xd *xml.Decoder) (string, error) {
	for {
		tok, err := xd.Token()
		if err != nil {
			return "", err
		}
		if el, ok := tok.(xml.StartElement); ok {
			if el.Name.Local != "bom" || !strings.HasPrefix(el.Name.Space, "http://cyclonedx.org/schema/bom/") {
				return "", fmt.Errorf("not a CycloneDX XML document (root <%s xmlns=%q>)", el.Name.Local, el.Name.Space)
			}
			return el.Name.Space, nil
		}
	}
}

// eachXMLChild calls fn for each child element of the current element and
// consumes the current element's end tag. fn must consume the child
// (DecodeElement or Skip).
func eachXMLChild(ctx context.Context, xd *xml.Decoder, fn func(xml.StartElement) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := xd.Token()
		if err != nil {
			return err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if err := fn(el); err != nil {
				return fmt.Errorf("<%s>: %w", el.Name.Local, err)
			}
		case xml.EndElement:
			return nil
		}
	}
}

// SubjectKey is the metadata key set to "true" on the component that a
// CycloneDX document describes (metadata.component) or an SPDX document
// describes (DESCRIBES).
const SubjectKey = "subject"

type cdxConverter struct {
	name  string
	lim   limit.Limits
	inv   *inventory.Inventory
	index map[string]int // bom-ref → component index
	deep  bool           // nesting deeper than MaxDepth was seen
}

func newCDXConverter(name string, lim limit.Limits) *cdxConverter {
	return &cdxConverter{
		name:  name,
		lim:   lim,
		inv:   &inventory.Inventory{Target: name, Kind: inventory.KindSBOM},
		index: map[string]int{},
	}
}

func (cv *cdxConverter) subject(c cdx.Component) error {
	first := len(cv.inv.Components)
	if err := cv.component(c, "", "", 0); err != nil {
		return err
	}
	setMeta(&cv.inv.Components[first], SubjectKey, "true")
	return nil
}

// component converts c and, recursively, its nested components and
// pedigree.
func (cv *cdxConverter) component(c cdx.Component, parent, rel string, depth int) error {
	if depth > cv.lim.MaxDepth {
		if !cv.deep {
			cv.deep = true
			cv.inv.Skip(cv.name, fmt.Sprintf("components nested deeper than %d levels were not read", cv.lim.MaxDepth))
		}
		return nil
	}
	if err := limit.Count(len(cv.inv.Components)+1, cv.lim.MaxComponents, "components"); err != nil {
		return err
	}
	ic := cdxComponent(c, cv.name)
	ic.Parent, ic.Relationship = parent, rel
	if ic.ID == "" {
		ic.ID = fmt.Sprintf("component-%d", len(cv.inv.Components)+1)
	} else {
		cv.index[ic.ID] = len(cv.inv.Components)
	}
	cv.inv.Add(ic)
	id := ic.ID
	if c.Components != nil {
		for _, sub := range *c.Components {
			if err := cv.component(sub, id, inventory.RelContains, depth+1); err != nil {
				return err
			}
		}
	}
	if p := c.Pedigree; p != nil {
		for _, set := range []struct {
			list *[]cdx.Component
			rel  string
		}{{p.Ancestors, inventory.RelAncestor}, {p.Variants, inventory.RelVariant}, {p.Descendants, "descendant"}} {
			if set.list == nil {
				continue
			}
			for _, sub := range *set.list {
				if err := cv.component(sub, id, set.rel, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (cv *cdxConverter) dependencies(deps []cdx.Dependency) {
	for _, d := range deps {
		i, ok := cv.index[d.Ref]
		if !ok || d.Dependencies == nil {
			continue
		}
		cv.inv.Components[i].DependsOn = append(cv.inv.Components[i].DependsOn, (*d.Dependencies)...)
	}
}

// cdxComponent converts one CycloneDX component (without its children).
func cdxComponent(c cdx.Component, file string) inventory.Component {
	ic := inventory.Component{
		ID:        c.BOMRef,
		Name:      c.Name,
		Version:   c.Version,
		Type:      string(c.Type),
		Locations: []inventory.Location{{Path: file}},
	}
	canon, p, ok := pkgurl.Normalize(c.PackageURL)
	if ok {
		ic.PURL = canon
		ic.Ecosystem = pkgurl.Ecosystem(p)
		ic.SourceName, ic.SourceVersion = sourceFromPURL(p)
	}
	if c.Group != "" {
		sep := "/"
		if ok && p.Type == packageurl.TypeMaven {
			sep = ":"
		}
		ic.Name = c.Group + sep + c.Name
	}
	if c.CPE != "" {
		ic.CPEs = []string{c.CPE}
	}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			ic.Hashes = append(ic.Hashes, inventory.Hash{Algorithm: string(h.Algorithm), Value: strings.ToLower(h.Value)})
		}
	}
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			switch {
			case l.Expression != "":
				ic.Licenses = append(ic.Licenses, l.Expression)
			case l.License != nil && l.License.ID != "":
				ic.Licenses = append(ic.Licenses, l.License.ID)
			case l.License != nil && l.License.Name != "":
				ic.Licenses = append(ic.Licenses, l.License.Name)
			}
		}
	}
	switch {
	case c.Supplier != nil && c.Supplier.Name != "":
		ic.Supplier = c.Supplier.Name
	case c.Manufacturer != nil && c.Manufacturer.Name != "":
		ic.Supplier = c.Manufacturer.Name
	case c.Publisher != "":
		ic.Supplier = c.Publisher
	case c.Author != "":
		ic.Supplier = c.Author
	}
	return ic
}

// sourceFromPURL returns the source package named by a distro purl's
// "upstream" qualifier (deb: "openssl" or "openssl@3.0.11-1"; rpm:
// "openssl-3.0.7-1.el9.src.rpm").
func sourceFromPURL(p packageurl.PackageURL) (name, version string) {
	up := p.Qualifiers.Map()["upstream"]
	if up == "" {
		return "", ""
	}
	switch p.Type {
	case packageurl.TypeRPM:
		return pkgurl.SplitSourceRPM(up)
	default:
		name, version, _ = strings.Cut(up, "@")
		return name, version
	}
}

func setMeta(c *inventory.Component, k, v string) {
	if c.Metadata == nil {
		c.Metadata = map[string]string{}
	}
	c.Metadata[k] = v
}
