package vulndb

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/assayhq/assay/advisory"
)

// Stored briefs use the binary form of the affected entries (see
// codec.go), not JSON: a Go binary's scan reads a brief for each of the
// standard library's advisories, and encoding/json made decoding them two
// thirds of reading them. Layout, in order: the key; the IDs; per stored
// member (by ID), its ID, summary and upstream IDs; the severity (a
// presence byte, then version, vector, base score, level, source); the
// KEV entries; the EPSS scores.

const briefCodecVersion = 1

// encodeBrief encodes b.
func encodeBrief(b *Brief) []byte {
	out := []byte{briefCodecVersion}
	out = appendStrings(out, b.Key)
	out = appendList(out, b.IDs)
	ids := make([]string, 0, len(b.Summary))
	for id := range b.Summary {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out = binary.AppendUvarint(out, uint64(len(ids)))
	for _, id := range ids {
		out = appendStrings(out, id, b.Summary[id])
		out = appendList(out, b.Upstream[id])
	}
	if s := b.Severity; s == nil {
		out = append(out, 0)
	} else {
		out = append(out, 1)
		out = appendStrings(out, s.Version, s.Vector)
		out = appendFloat(out, s.Base)
		out = appendStrings(out, s.Level, s.Source)
	}
	out = binary.AppendUvarint(out, uint64(len(b.KEV)))
	for _, k := range b.KEV {
		out = appendStrings(out, k.CVE, k.VendorProject, k.Product, k.VulnerabilityName, k.DateAdded,
			k.ShortDescription, k.RequiredAction, k.DueDate, k.KnownRansomwareCampaignUse, k.Notes)
		out = appendList(out, k.CWEs)
	}
	out = binary.AppendUvarint(out, uint64(len(b.EPSS)))
	for _, e := range b.EPSS {
		out = appendStrings(out, e.CVE)
		out = appendFloat(appendFloat(out, e.Score), e.Percentile)
	}
	return out
}

// appendList appends a count and the strings.
func appendList(b []byte, ss []string) []byte {
	return appendStrings(binary.AppendUvarint(b, uint64(len(ss))), ss...)
}

// list reads appendList's output; an empty list is nil.
func (d *decoder) list() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = d.str()
	}
	return ss
}

// decodeBrief decodes encodeBrief's output.
func decodeBrief(data []byte) (*Brief, error) {
	if len(data) == 0 || data[0] != briefCodecVersion {
		return nil, fmt.Errorf("%w: unknown brief version", errCorrupt)
	}
	d := &decoder{b: data[1:]}
	b := &Brief{Key: d.str(), IDs: d.list()}
	n := d.count()
	b.Summary, b.Upstream = make(map[string]string, n), make(map[string][]string, n)
	for range n {
		id, summary := d.str(), d.str()
		b.Summary[id] = summary
		up := make([]string, d.count()) // never nil, like strings.Fields' result
		for i := range up {
			up[i] = d.str()
		}
		b.Upstream[id] = up
	}
	switch d.byte() {
	case 0:
	case 1:
		b.Severity = &advisory.Score{Version: d.str(), Vector: d.str(), Base: d.float(), Level: d.str(), Source: d.str()}
	default:
		d.err = errCorrupt
	}
	if n := d.count(); n > 0 {
		b.KEV = make([]*KEVEntry, n)
		for i := range b.KEV {
			b.KEV[i] = &KEVEntry{CVE: d.str(), VendorProject: d.str(), Product: d.str(), VulnerabilityName: d.str(),
				DateAdded: d.str(), ShortDescription: d.str(), RequiredAction: d.str(), DueDate: d.str(),
				KnownRansomwareCampaignUse: d.str(), Notes: d.str(), CWEs: d.list()}
		}
	}
	if n := d.count(); n > 0 {
		b.EPSS = make([]EPSSScore, n)
		for i := range b.EPSS {
			b.EPSS[i] = EPSSScore{CVE: d.str(), Score: d.float(), Percentile: d.float()}
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	if d.err != nil {
		return nil, d.err
	}
	return b, nil
}
