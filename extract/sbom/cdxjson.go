package sbom

import (
	"context"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// ReadCycloneDXJSON reads a CycloneDX JSON document (spec 1.2–1.7) from r.
// name is used in locations and errors.
//
// The document is read as a stream of tokens: each top-level component is
// decoded into the cyclonedx-go types (only the fields an inventory uses,
// including nested components and pedigree) and converted before the next
// one is read, and every other value is skipped without being built. The
// whole document is still validated: JSON syntax, UTF-8 (invalid UTF-8 is
// an error), "bomFormat" and "specVersion", and the type of every field
// that is read.
func ReadCycloneDXJSON(ctx context.Context, r io.Reader, name string, lim limit.Limits) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	cr := &cdxJSONReader{tokenReader: newTokenReader(ctx, limitTokens(limit.Reader(r, lim.MaxFileBytes), lim.MaxStringBytes)), maxDepth: lim.MaxDepth}
	conv := newCDXConverter(name, lim)
	var format, spec string
	var deps []cdx.Dependency
	err := cr.object(cdxTopKeys, func(key string) (err error) {
		switch key {
		case "bomFormat":
			format, err = cr.str()
		case "specVersion":
			spec, err = cr.str()
		case "metadata":
			var subject *cdx.Component
			err = cr.object(cdxMetadataKeys, func(string) error {
				subject = nil
				return cr.componentOrNull(&subject, 0)
			})
			if err == nil && subject != nil {
				err = conv.subject(*subject)
			}
		case "components":
			_, err = cr.array(func() error {
				var c cdx.Component
				if err := cr.component(&c, 0); err != nil {
					return err
				}
				return conv.component(c, "", "", 0)
			})
		case "dependencies":
			deps = nil
			_, err = cr.array(func() error {
				d, err := cr.dependency()
				deps = append(deps, d)
				return err
			})
		}
		if err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
		return nil
	})
	if err == nil {
		err = cr.end()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: CycloneDX JSON: %w", name, err)
	}
	if format != "CycloneDX" {
		return nil, fmt.Errorf("%s: not a CycloneDX document (bomFormat %q)", name, format)
	}
	if spec != "" && !cdxSpecVersions[spec] { // cyclonedx-go accepts a missing specVersion too
		return nil, fmt.Errorf("%s: CycloneDX JSON: unsupported specVersion %q (want 1.0 to 1.7)", name, spec)
	}
	conv.dependencies(deps)
	conv.inv.Format = strings.TrimSpace("cyclonedx-json " + spec)
	return conv.inv, nil
}

// cdxSpecVersions are the CycloneDX versions cyclonedx-go accepts.
var cdxSpecVersions = map[string]bool{"1.0": true, "1.1": true, "1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true, "1.7": true}

// JSON member names read from each CycloneDX object.
var (
	cdxTopKeys       = []string{"bomFormat", "specVersion", "metadata", "components", "dependencies"}
	cdxMetadataKeys  = []string{"component"}
	cdxComponentKeys = []string{"bom-ref", "type", "name", "version", "group", "purl", "cpe", "hashes", "licenses",
		"supplier", "manufacturer", "author", "publisher", "components", "pedigree"}
	cdxPedigreeKeys   = []string{"ancestors", "descendants", "variants"}
	cdxHashKeys       = []string{"alg", "content"}
	cdxLicenseKeys    = []string{"license", "expression"}
	cdxLicenseIDKeys  = []string{"id", "name"}
	cdxEntityKeys     = []string{"name"}
	cdxDependencyKeys = []string{"ref", "dependsOn"}
)

// cdxJSONReader decodes the CycloneDX objects an inventory needs.
type cdxJSONReader struct {
	*tokenReader
	maxDepth int
}

// component decodes one component object into c. Components nested more
// than one level beyond maxDepth are skipped: the converter stops at
// maxDepth and records that it did.
func (cr *cdxJSONReader) component(c *cdx.Component, depth int) error {
	return cr.object(cdxComponentKeys, func(key string) (err error) {
		switch key {
		case "bom-ref":
			c.BOMRef, err = cr.str()
		case "type":
			var t string
			t, err = cr.str()
			c.Type = cdx.ComponentType(t)
		case "name":
			c.Name, err = cr.str()
		case "version":
			c.Version, err = cr.str()
		case "group":
			c.Group, err = cr.str()
		case "purl":
			c.PackageURL, err = cr.str()
		case "cpe":
			c.CPE, err = cr.str()
		case "author":
			c.Author, err = cr.str()
		case "publisher":
			c.Publisher, err = cr.str()
		case "supplier":
			c.Supplier, err = cr.entity()
		case "manufacturer":
			c.Manufacturer, err = cr.entity()
		case "hashes":
			c.Hashes, err = cr.hashes()
		case "licenses":
			c.Licenses, err = cr.licenses()
		case "components":
			c.Components, err = cr.components(depth + 1)
		case "pedigree":
			c.Pedigree, err = cr.pedigree(depth + 1)
		}
		return err
	})
}

// componentOrNull decodes a component that may be null.
func (cr *cdxJSONReader) componentOrNull(dst **cdx.Component, depth int) error {
	if cr.dec.PeekKind() == 'n' {
		_, err := cr.dec.ReadToken()
		return err
	}
	var c cdx.Component
	if err := cr.component(&c, depth); err != nil {
		return err
	}
	*dst = &c
	return nil
}

// components decodes an array of components at depth.
func (cr *cdxJSONReader) components(depth int) (*[]cdx.Component, error) {
	if depth > cr.maxDepth+1 {
		return nil, cr.dec.SkipValue()
	}
	var list []cdx.Component
	ok, err := cr.array(func() error {
		list = append(list, cdx.Component{})
		return cr.component(&list[len(list)-1], depth)
	})
	if !ok {
		return nil, err
	}
	return &list, err
}

func (cr *cdxJSONReader) pedigree(depth int) (*cdx.Pedigree, error) {
	var p cdx.Pedigree
	null := cr.dec.PeekKind() == 'n'
	err := cr.object(cdxPedigreeKeys, func(key string) (err error) {
		switch key {
		case "ancestors":
			p.Ancestors, err = cr.components(depth)
		case "descendants":
			p.Descendants, err = cr.components(depth)
		case "variants":
			p.Variants, err = cr.components(depth)
		}
		return err
	})
	if null {
		return nil, err
	}
	return &p, err
}

func (cr *cdxJSONReader) entity() (*cdx.OrganizationalEntity, error) {
	var e cdx.OrganizationalEntity
	null := cr.dec.PeekKind() == 'n'
	err := cr.object(cdxEntityKeys, func(string) (err error) {
		e.Name, err = cr.str()
		return err
	})
	if null {
		return nil, err
	}
	return &e, err
}

func (cr *cdxJSONReader) hashes() (*[]cdx.Hash, error) {
	var list []cdx.Hash
	ok, err := cr.array(func() error {
		var h cdx.Hash
		err := cr.object(cdxHashKeys, func(key string) (err error) {
			var s string
			s, err = cr.str()
			if key == "alg" {
				h.Algorithm = cdx.HashAlgorithm(s)
			} else {
				h.Value = s
			}
			return err
		})
		list = append(list, h)
		return err
	})
	if !ok {
		return nil, err
	}
	return &list, err
}

func (cr *cdxJSONReader) licenses() (*cdx.Licenses, error) {
	var list cdx.Licenses
	ok, err := cr.array(func() error {
		var l cdx.LicenseChoice
		err := cr.object(cdxLicenseKeys, func(key string) (err error) {
			if key == "expression" {
				l.Expression, err = cr.str()
				return err
			}
			null := cr.dec.PeekKind() == 'n'
			var lic cdx.License
			err = cr.object(cdxLicenseIDKeys, func(key string) (err error) {
				if key == "id" {
					lic.ID, err = cr.str()
				} else {
					lic.Name, err = cr.str()
				}
				return err
			})
			if l.License = nil; !null {
				l.License = &lic
			}
			return err
		})
		list = append(list, l)
		return err
	})
	if !ok {
		return nil, err
	}
	return &list, err
}

func (cr *cdxJSONReader) dependency() (cdx.Dependency, error) {
	var d cdx.Dependency
	err := cr.object(cdxDependencyKeys, func(key string) (err error) {
		if key == "ref" {
			d.Ref, err = cr.str()
			return err
		}
		list, ok, err := cr.strings()
		if d.Dependencies = nil; ok {
			d.Dependencies = &list
		}
		return err
	})
	return d, err
}
