// Package signals turns evidence documents produced by Assay's own
// commands into review.Signals, the facts the automated factor proposals
// are made from (docs/review.md, "Automated proposals from evidence").
//
// It reads two documents:
//
//   - an assay.scan/v1 result ("assay scan --format json"): vulnerability
//     counts and coverage, and for firmware images the "problems" array of
//     hidden-problem findings;
//   - an assay.supplier-assessment/v1 result ("assay supplier assess
//     --format json"): restricted-party matches, foreign-state ownership,
//     export control, end of life and single sourcing.
//
// Each document is one evidence item; Proposals links every factor
// proposal to exactly the documents whose signals it used.
package signals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/review"
)

// MaxDocumentBytes bounds one evidence document read by Parse.
const MaxDocumentBytes = 256 << 20

// Schemas of the documents Parse reads.
const (
	ScanSchema     = "assay.scan/v1"
	SupplierSchema = "assay.supplier-assessment/v1"
)

// Families of evidence a document carries; they decide which factors a
// document's evidence link is attached to.
const (
	FamilyVulns    = "vulns"    // vulnerability matching (F1)
	FamilyFirmware = "firmware" // firmware hidden problems (F1, F5)
	FamilySupplier = "supplier" // supplier assessment (F2, F3, F5)
)

// Document is one parsed evidence document.
type Document struct {
	// Name is the file name, used in errors and as the evidence name.
	Name string
	// Schema is the document's "schema" value.
	Schema string
	// Families lists the evidence families the document carries.
	Families []string
	// Signals are the facts read from the document (Evidence empty; the
	// caller sets SHA256 once the document is attached).
	Signals review.Signals
	// SHA256 is the digest of the attached evidence item, if any.
	SHA256 string
}

// EvidenceType is the review evidence type of the document
// (review.EvidenceTypes).
func (d *Document) EvidenceType() string {
	switch {
	case slices.Contains(d.Families, FamilySupplier):
		return "SUPPLIER_PROFILE"
	case slices.Contains(d.Families, FamilyFirmware):
		return "FIRMWARE_ANALYSIS"
	}
	return "SCAN"
}

// Factors are the review factors the document's families bear on.
func (d *Document) Factors() []string {
	var out []string
	for _, f := range []string{"F1", "F2", "F3", "F5"} {
		if slices.ContainsFunc(d.Families, func(fam string) bool { return slices.Contains(familyFactors[fam], f) }) {
			out = append(out, f)
		}
	}
	return out
}

// familyFactors maps an evidence family to the factors proposed from it
// (review.ProposeFactors).
var familyFactors = map[string][]string{
	FamilyVulns:    {"F1"},
	FamilyFirmware: {"F1", "F5"},
	FamilySupplier: {"F2", "F3", "F5"},
}

// Options tune how documents are read.
type Options struct {
	// Jurisdiction is the ISO country code of the reviewing state: state
	// ownership by its own government is not foreign (default "CN").
	Jurisdiction string
	// StateShare is the effective share (percent) of foreign-state
	// ownership from which the vendor counts as foreign-state owned or
	// controlled (default 25, a blocking minority).
	StateShare float64
}

func (o Options) withDefaults() Options {
	if o.Jurisdiction == "" {
		o.Jurisdiction = "CN"
	}
	if o.StateShare <= 0 {
		o.StateShare = 25
	}
	o.Jurisdiction = strings.ToUpper(o.Jurisdiction)
	return o
}

// Parse reads an evidence document, recognised by its "schema" field.
func Parse(name string, data []byte, opt Options) (*Document, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("%s: %d bytes exceeds the limit of %d", name, len(data), MaxDocumentBytes)
	}
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: not a JSON evidence document: %w", name, err)
	}
	d := &Document{Name: name, Schema: head.Schema}
	var err error
	switch head.Schema {
	case ScanSchema:
		err = d.scan(data)
	case SupplierSchema:
		err = d.supplier(data, opt.withDefaults())
	case "":
		err = errors.New("no \"schema\" field")
	default:
		err = fmt.Errorf("schema %q: want %s or %s", head.Schema, ScanSchema, SupplierSchema)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

// decode decodes data into v, naming the schema in errors.
func decode(data []byte, schema string, v any) error {
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		return fmt.Errorf("parse %s: %w", schema, err)
	}
	return nil
}

// Merge combines the signals of several documents: counts add up, flags
// are or-ed and the evidence lists are joined without duplicates.
func Merge(sigs ...review.Signals) review.Signals {
	var m review.Signals
	for _, s := range sigs {
		m.Criticality = max(m.Criticality, s.Criticality)
		m.VulnsAssessed = m.VulnsAssessed || s.VulnsAssessed
		m.KEV += s.KEV
		m.Critical += s.Critical
		m.High += s.High
		m.ComponentsTotal += s.ComponentsTotal
		m.ComponentsUnknown += s.ComponentsUnknown
		m.FirmwareAssessed = m.FirmwareAssessed || s.FirmwareAssessed
		m.Backdoor += s.Backdoor
		m.Endpoints += s.Endpoints
		m.ForeignEndpoints += s.ForeignEndpoints
		m.SupplierAssessed = m.SupplierAssessed || s.SupplierAssessed
		m.SingleSource = m.SingleSource || s.SingleSource
		m.EndOfSupport = m.EndOfSupport || s.EndOfSupport
		m.RestrictedHits += s.RestrictedHits
		m.ExportControlled = m.ExportControlled || s.ExportControlled
		m.ForeignState = m.ForeignState || s.ForeignState
		m.RemoteAccess = m.RemoteAccess || s.RemoteAccess
		m.SBOMIncomplete = m.SBOMIncomplete || s.SBOMIncomplete
		for _, e := range s.Evidence {
			if !slices.Contains(m.Evidence, e) {
				m.Evidence = append(m.Evidence, e)
			}
		}
	}
	return m
}

// Proposals merges the documents' signals, applies the proposal rules
// (review.ProposeFactors) with the given criticality (1..5, 0 for the
// default) and links each factor's proposal to the digests of exactly
// the documents that bear on it.
func Proposals(docs []*Document, criticality int, source string, now time.Time) []review.FactorProposal {
	sigs := make([]review.Signals, 0, len(docs))
	for _, d := range docs {
		sigs = append(sigs, d.Signals)
	}
	m := Merge(sigs...)
	m.Criticality = criticality
	props := review.ProposeFactors(m, source, now)
	for i := range props {
		var ev []string
		for _, d := range docs {
			if d.SHA256 != "" && slices.Contains(d.Factors(), props[i].Factor) && !slices.Contains(ev, d.SHA256) {
				ev = append(ev, d.SHA256)
			}
		}
		props[i].Evidence = ev
	}
	return props
}
