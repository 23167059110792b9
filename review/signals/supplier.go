package signals

import (
	"encoding/json"
	"slices"
	"strings"
)

// supplierDoc is the part of an assay.supplier-assessment/v1 document the
// signals use.
type supplierDoc struct {
	Screenings []struct {
		Decision string `json:"decision"`
	} `json:"screenings"`
	Ownership []struct {
		Path        string   `json:"path"`
		ByOwnership bool     `json:"by_ownership"`
		StateShare  float64  `json:"state_share"`
		Governments []string `json:"governments"`
	} `json:"ownership"`
	Export     []json.RawMessage `json:"export_control"`
	EOL        []eolState        `json:"end_of_life"`
	Dependence []struct {
		SingleSource bool `json:"single_source"`
	} `json:"dependence"`
}

// eolState is one end-of-life status of a supplier assessment.
type eolState struct {
	State string `json:"state"`
}

// supplier reads the signals of an assay.supplier-assessment/v1 document:
// restricted hits are the parties screened at alert level plus the
// entities listed only through the 50 % ownership rule; the vendor is
// foreign-state owned when its effective state share reaches
// opt.StateShare and a government other than opt.Jurisdiction holds it.
func (d *Document) supplier(data []byte, opt Options) error {
	var doc supplierDoc
	if err := decode(data, SupplierSchema, &doc); err != nil {
		return err
	}
	s := &d.Signals
	s.SupplierAssessed = true
	d.Families = []string{FamilySupplier}
	for _, sc := range doc.Screenings {
		if sc.Decision == "alert" {
			s.RestrictedHits++
		}
	}
	for _, o := range doc.Ownership {
		if o.ByOwnership {
			s.RestrictedHits++
		}
		if o.Path == "vendor" && o.StateShare >= opt.StateShare &&
			slices.ContainsFunc(o.Governments, func(g string) bool { return !strings.EqualFold(g, opt.Jurisdiction) }) {
			s.ForeignState = true
		}
	}
	s.ExportControlled = len(doc.Export) > 0
	s.EndOfSupport = slices.ContainsFunc(doc.EOL, func(e eolState) bool { return e.State == "eol" })
	for _, c := range doc.Dependence {
		s.SingleSource = s.SingleSource || c.SingleSource
	}
	return nil
}
