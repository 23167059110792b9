package vulndb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/assayhq/assay/advisory"
)

// The affected entries of one package are stored in a compact binary
// form rather than JSON: matching decodes them for every component it
// looks up, and decoding this form costs a fraction of encoding/json's.
// Layout: uvarint counts and length-prefixed strings, in field order;
// see encodeAffected.

const codecVersion = 1

// encodeAffected encodes affected entries.
func encodeAffected(afs []advisory.Affected) []byte {
	b := []byte{codecVersion}
	b = binary.AppendUvarint(b, uint64(len(afs)))
	for _, af := range afs {
		b = appendStrings(b, af.Package.Ecosystem, af.Package.Name, af.Package.PURL)
		b = binary.AppendUvarint(b, uint64(len(af.Severity)))
		for _, s := range af.Severity {
			b = appendStrings(b, s.Type, s.Score, s.Source)
		}
		b = binary.AppendUvarint(b, uint64(len(af.Ranges)))
		for _, r := range af.Ranges {
			b = appendStrings(b, r.Type, r.Repo, string(r.DatabaseSpecific))
			b = binary.AppendUvarint(b, uint64(len(r.Events)))
			for _, e := range r.Events {
				kind, v := eventKind(e)
				b = append(b, kind)
				b = appendStrings(b, v)
			}
		}
		b = binary.AppendUvarint(b, uint64(len(af.Versions)))
		b = appendStrings(b, af.Versions...)
		b = appendStrings(b, string(af.EcosystemSpecific), string(af.DatabaseSpecific))
	}
	return b
}

func eventKind(e advisory.Event) (byte, string) {
	switch {
	case e.Introduced != "":
		return 'i', e.Introduced
	case e.Fixed != "":
		return 'f', e.Fixed
	case e.LastAffected != "":
		return 'l', e.LastAffected
	default:
		return 'x', e.Limit
	}
}

func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

var errCorrupt = errors.New("corrupt binary encoding")

// decoder reads the encoding; any inconsistency (a count or length past
// the end of the data) is errCorrupt.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) count() int {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) { // every element takes at least a byte
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[k:]
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil || n > len(d.b) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// raw reads a string as a copied byte slice, nil when empty.
func (d *decoder) raw() []byte {
	n := d.count()
	if d.err != nil || n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	var b []byte
	if n > 0 {
		b = bytes.Clone(d.b[:n])
	}
	d.b = d.b[n:]
	return b
}

// float reads a float64 stored by appendFloat.
func (d *decoder) float() float64 {
	if d.err != nil || len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return f
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// decodeAffected decodes encodeAffected's output.
func decodeAffected(b []byte) ([]advisory.Affected, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return nil, fmt.Errorf("%w: unknown version", errCorrupt)
	}
	d := &decoder{b: b[1:]}
	afs := make([]advisory.Affected, d.count())
	for i := range afs {
		af := &afs[i]
		af.Package = advisory.Package{Ecosystem: d.str(), Name: d.str(), PURL: d.str()}
		if n := d.count(); n > 0 {
			af.Severity = make([]advisory.Severity, n)
			for j := range af.Severity {
				af.Severity[j] = advisory.Severity{Type: d.str(), Score: d.str(), Source: d.str()}
			}
		}
		if n := d.count(); n > 0 {
			af.Ranges = make([]advisory.Range, n)
			for j := range af.Ranges {
				r := &af.Ranges[j]
				r.Type, r.Repo, r.DatabaseSpecific = d.str(), d.str(), d.raw()
				r.Events = make([]advisory.Event, d.count())
				for k := range r.Events {
					kind, v := d.byte(), d.str()
					switch kind {
					case 'i':
						r.Events[k].Introduced = v
					case 'f':
						r.Events[k].Fixed = v
					case 'l':
						r.Events[k].LastAffected = v
					case 'x':
						r.Events[k].Limit = v
					default:
						d.err = errCorrupt
					}
				}
			}
		}
		if n := d.count(); n > 0 {
			af.Versions = make([]string, n)
			for j := range af.Versions {
				af.Versions[j] = d.str()
			}
		}
		af.EcosystemSpecific, af.DatabaseSpecific = d.raw(), d.raw()
		if d.err != nil {
			return nil, d.err
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.err = fmt.Errorf("%w: %d trailing bytes", errCorrupt, len(d.b))
	}
	return afs, d.err
}
