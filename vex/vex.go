// Package vex reads vendor exploitability statements (OpenVEX, CycloneDX
// VEX, CSAF 2.0 VEX) and ignore rules, and decides which findings they
// suppress.
package vex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/openvex/go-vex/pkg/csaf"
	openvex "github.com/openvex/go-vex/pkg/vex"
	"github.com/package-url/packageurl-go"
)

// Statuses of a VEX statement (the OpenVEX names; CycloneDX analysis
// states are mapped onto them).
const (
	NotAffected        = "not_affected"
	Affected           = "affected"
	Fixed              = "fixed"
	UnderInvestigation = "under_investigation"
)

// MaxDocumentBytes bounds one VEX document.
const MaxDocumentBytes = 64 << 20

// Statement is one exploitability statement about a vulnerability in some
// products.
type Statement struct {
	Vulnerability string   // the vulnerability ID (CVE, GHSA, GO-…)
	Aliases       []string // other IDs the statement names
	Products      []string // purls or other product identifiers
	ProductWide   bool     // the statement is about the whole product a scan covers
	Status        string
	Justification string
	Detail        string
	Source        string // the file the statement came from

	index *productIndex // Products indexed by Load; nil for statements made otherwise
}

// productIndex holds a statement's product IDs for Find: without it, each
// lookup parsed every product purl again, so that a statement naming
// 4,000 products took 6 s to check against 4,000 findings.
type productIndex struct {
	exact map[string]bool                     // every product ID as written
	purls map[purlKey][]packageurl.PackageURL // product purls by type, namespace and name
}

type purlKey struct{ typ, namespace, name string }

func indexProducts(products []string) *productIndex {
	ix := &productIndex{exact: map[string]bool{}, purls: map[purlKey][]packageurl.PackageURL{}}
	for _, p := range products {
		ix.exact[p] = true
		if !strings.HasPrefix(p, "pkg:") {
			continue
		}
		if pu, err := packageurl.FromString(p); err == nil {
			k := purlKey{pu.Type, pu.Namespace, pu.Name}
			ix.purls[k] = append(ix.purls[k], pu)
		}
	}
	return ix
}

// Suppresses reports whether the statement removes a finding: the vendor
// says the product is not affected or the vulnerability is fixed in it.
func (s Statement) Suppresses() bool { return s.Status == NotAffected || s.Status == Fixed }

// Reason describes the statement for a suppressed finding.
func (s Statement) Reason() string {
	parts := []string{s.Status}
	if s.Justification != "" {
		parts = append(parts, s.Justification)
	}
	if s.Detail != "" {
		parts = append(parts, s.Detail)
	}
	return strings.Join(parts, ": ")
}

// Load reads one VEX document, detecting its format by content.
func Load(path string) ([]Statement, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxDocumentBytes {
		return nil, fmt.Errorf("%s: %d bytes, over the %d byte limit for VEX documents", path, fi.Size(), MaxDocumentBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var stmts []Statement
	switch {
	case bytes.Contains(data, []byte(`"csaf_version"`)):
		stmts, err = fromCSAF(data)
	case bytes.Contains(data, []byte("openvex")):
		stmts, err = fromOpenVEX(data)
	case bytes.Contains(data, []byte("CycloneDX")) || bytes.Contains(data, []byte("cyclonedx.org/schema/bom")):
		stmts, err = fromCycloneDX(data)
	default:
		return nil, fmt.Errorf("%s: not an OpenVEX, CycloneDX VEX or CSAF VEX document", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range stmts {
		stmts[i].Source = path
		stmts[i].index = indexProducts(stmts[i].Products)
	}
	return stmts, nil
}

func fromOpenVEX(data []byte) ([]Statement, error) {
	doc, err := openvex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("OpenVEX: %w", err)
	}
	return fromOpenVEXDoc(doc), nil
}

func fromOpenVEXDoc(doc *openvex.VEX) []Statement {
	var out []Statement
	for _, st := range doc.Statements {
		s := Statement{
			Vulnerability: string(st.Vulnerability.Name),
			Status:        string(st.Status),
			Justification: string(st.Justification),
			Detail:        firstNonEmpty(st.ImpactStatement, st.StatusNotes),
		}
		for _, a := range st.Vulnerability.Aliases {
			s.Aliases = append(s.Aliases, string(a))
		}
		for _, p := range st.Products {
			s.Products = append(s.Products, productIDs(p.Component)...)
			for _, sc := range p.Subcomponents {
				s.Products = append(s.Products, productIDs(sc.Component)...)
			}
		}
		out = append(out, s)
	}
	return out
}

func productIDs(c openvex.Component) []string {
	var ids []string
	if c.ID != "" {
		ids = append(ids, c.ID)
	}
	for _, id := range c.Identifiers {
		ids = append(ids, id)
	}
	return ids
}

// fromCSAF reads the product_status of each vulnerability of a CSAF 2.0
// VEX document for the products of its product tree that carry an
// identification helper (purl, CPE, ...), as go-vex's OpenCSAF does. The
// tree is walked here rather than by OpenCSAF: its ProductTree.ListProducts
// copies the product list on every insertion and re-inserts each level's
// products at every level above, so a 200 KB chain of nested branches cost
// 55 GB of allocations and a minute and a half.
func fromCSAF(data []byte) ([]Statement, error) {
	var doc csaf.CSAF
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("CSAF: %w", err)
	}
	known := map[string]bool{}
	stack := []*csaf.ProductBranch{&doc.ProductTree}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b.Product.ID != "" && len(b.Product.IdentificationHelper) > 0 {
			known[b.Product.ID] = true
		}
		for i := range b.Branches {
			stack = append(stack, &b.Branches[i])
		}
	}
	var out []Statement
	for _, v := range doc.Vulnerabilities {
		// A product listed twice under one status gives one statement;
		// statuses are read in a stable order.
		seen := map[[2]string]bool{}
		for _, status := range slices.Sorted(maps.Keys(v.ProductStatus)) {
			for _, id := range v.ProductStatus[status] {
				if !known[id] || seen[[2]string{status, id}] {
					continue
				}
				seen[[2]string{status, id}] = true
				st := openvex.StatusFromCSAF(status)
				if st == "" {
					return nil, fmt.Errorf("CSAF: invalid status %q for product %s", status, id)
				}
				out = append(out, Statement{Vulnerability: v.CVE, Status: string(st), Products: []string{id}})
			}
		}
	}
	return out, nil
}

// fromCycloneDX reads the vulnerabilities of a CycloneDX BOM (JSON or
// XML) with their analysis. An "affects" reference to the BOM's own
// subject (metadata.component) makes the statement product-wide; a
// reference to a component resolves to that component's purl.
func fromCycloneDX(data []byte) ([]Statement, error) {
	format := cdx.BOMFileFormatJSON
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '<' {
		format = cdx.BOMFileFormatXML
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), format).Decode(&bom); err != nil {
		return nil, fmt.Errorf("CycloneDX: %w", err)
	}
	refs := map[string]string{}
	subject := ""
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		subject = bom.Metadata.Component.BOMRef
	}
	if bom.Components != nil {
		collectRefs(*bom.Components, refs)
	}
	if bom.Vulnerabilities == nil {
		return nil, nil
	}
	var out []Statement
	for _, v := range *bom.Vulnerabilities {
		if v.Analysis == nil {
			continue
		}
		s := Statement{Vulnerability: v.ID, Status: cdxStatus(v.Analysis.State), Justification: string(v.Analysis.Justification), Detail: v.Analysis.Detail}
		if v.References != nil {
			for _, r := range *v.References {
				s.Aliases = append(s.Aliases, r.ID)
			}
		}
		if v.Affects != nil {
			for _, a := range *v.Affects {
				ref := a.Ref
				if i := strings.LastIndexByte(ref, '#'); i >= 0 && strings.HasPrefix(ref, "urn:cdx:") {
					ref = ref[i+1:]
				}
				switch {
				case ref == subject && subject != "":
					s.ProductWide = true
				case refs[ref] != "":
					s.Products = append(s.Products, refs[ref])
				default:
					s.Products = append(s.Products, ref)
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func collectRefs(cs []cdx.Component, refs map[string]string) {
	for _, c := range cs {
		if c.BOMRef != "" && c.PackageURL != "" {
			refs[c.BOMRef] = c.PackageURL
		}
		if c.Components != nil {
			collectRefs(*c.Components, refs)
		}
	}
}

// cdxStatus maps a CycloneDX impact analysis state to a VEX status.
func cdxStatus(s cdx.ImpactAnalysisState) string {
	switch s {
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return NotAffected
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return Fixed
	case cdx.IASExploitable:
		return Affected
	default:
		return UnderInvestigation
	}
}

// Set is the statements of several documents, later ones taking
// precedence.
type Set []Statement

// Find returns the last statement about any of ids that covers the
// component (by purl, ignoring qualifiers the statement does not name,
// or by name), or nil.
func (s Set) Find(ids []string, purl, name string) *Statement {
	q := &query{purl: purl, name: name}
	var found *Statement
	for i := range s {
		st := &s[i]
		if !namesAny(st, ids) {
			continue
		}
		if st.ProductWide || q.coveredBy(st) {
			found = st
		}
	}
	return found
}

func namesAny(st *Statement, ids []string) bool {
	for _, id := range ids {
		if strings.EqualFold(st.Vulnerability, id) {
			return true
		}
		for _, a := range st.Aliases {
			if strings.EqualFold(a, id) {
				return true
			}
		}
	}
	return false
}

// query is the component Find looks for, its purl parsed once.
type query struct {
	purl, name string
	parsed     *packageurl.PackageURL
	bad        bool // purl is empty or does not parse
}

// coveredBy reports whether one of st's products is the component:
// its name or purl, or a purl naming no other version and only
// qualifiers the component's purl has.
func (q *query) coveredBy(st *Statement) bool {
	if st.index == nil {
		for _, p := range st.Products {
			if p == q.name || p == q.purl || (q.purl != "" && strings.HasPrefix(p, "pkg:") && openvex.PurlMatches(p, q.purl)) {
				return true
			}
		}
		return false
	}
	if st.index.exact[q.name] || st.index.exact[q.purl] {
		return true
	}
	if q.parsed == nil && !q.bad {
		p, err := packageurl.FromString(q.purl)
		q.parsed, q.bad = &p, q.purl == "" || err != nil
	}
	if q.bad {
		return false
	}
	qp := q.parsed
	for _, p := range st.index.purls[purlKey{qp.Type, qp.Namespace, qp.Name}] {
		if purlCovers(p, *qp) {
			return true
		}
	}
	return false
}

// purlCovers is openvex.PurlMatches(p, q) for p and q of the same type,
// namespace and name.
func purlCovers(p, q packageurl.PackageURL) bool {
	if p.Version != "" && p.Version != q.Version {
		return false
	}
	qq := q.Qualifiers.Map()
	for k, v := range p.Qualifiers.Map() {
		if w, ok := qq[k]; !ok || v != w {
			return false
		}
	}
	return true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
