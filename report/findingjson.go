package report

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/assayhq/assay/scan"
)

// appendFinding appends f as JSON, byte for byte what json.Marshal(f)
// produces (TestAppendFindingMatchesMarshal holds it to that), without
// reflection: a large scan writes hundreds of thousands of findings.
func appendFinding(b []byte, f *scan.Finding) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = appendString(b, f.ID)
	b = append(b, `,"aliases":`...)
	b = appendStrings(b, f.Aliases)
	if f.Summary != "" {
		b = append(b, `,"summary":`...)
		b = appendString(b, f.Summary)
	}
	c := &f.Component
	b = append(b, `,"component":{"name":`...)
	b = appendString(b, c.Name)
	b = append(b, `,"version":`...)
	b = appendString(b, c.Version)
	b = append(b, `,"ecosystem":`...)
	b = appendString(b, c.Ecosystem)
	b = append(b, `,"purl":`...)
	b = appendString(b, c.PURL)
	if len(c.CPEs) > 0 {
		b = append(b, `,"cpes":`...)
		b = appendStrings(b, c.CPEs)
	}
	if len(c.Locations) > 0 {
		b = append(b, `,"locations":`...)
		b = appendStrings(b, c.Locations)
	}
	b = append(b, `},"target":`...)
	b = appendString(b, f.Target)
	b = append(b, `,"severity":{"level":`...)
	b = appendString(b, f.Severity.Level)
	b = append(b, `,"score":`...)
	var err error
	if b, err = appendFloat(b, f.Severity.Score); err != nil {
		return nil, err
	}
	b = append(b, `,"vector":`...)
	b = appendString(b, f.Severity.Vector)
	b = append(b, `,"source":`...)
	b = appendString(b, f.Severity.Source)
	b = append(b, `},"kev":`...)
	if f.KEV == nil {
		b = append(b, "null"...)
	} else { // rare: the generic encoder is fine
		kb, err := json.Marshal(f.KEV)
		if err != nil {
			return nil, err
		}
		b = append(b, kb...)
	}
	b = append(b, `,"epss":`...)
	if f.EPSS == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"cve":`...)
		b = appendString(b, f.EPSS.CVE)
		b = append(b, `,"score":`...)
		if b, err = appendFloat(b, f.EPSS.Score); err != nil {
			return nil, err
		}
		b = append(b, `,"percentile":`...)
		if b, err = appendFloat(b, f.EPSS.Percentile); err != nil {
			return nil, err
		}
		b = append(b, '}')
	}
	b = append(b, `,"fixed":`...)
	b = appendStrings(b, f.Fixed)
	b = append(b, `,"match":{"by":`...)
	b = appendString(b, f.Match.By)
	b = append(b, `,"identifier":`...)
	b = appendString(b, f.Match.Identifier)
	b = append(b, `,"advisory":`...)
	b = appendString(b, f.Match.Advisory)
	b = append(b, `,"rule":`...)
	b = appendString(b, f.Match.Rule)
	b = append(b, '}')
	if len(f.Upstream) > 0 {
		b = append(b, `,"upstream":`...)
		b = appendStrings(b, f.Upstream)
	}
	b = append(b, `,"suppressed":`...)
	if f.Suppressed == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"by":`...)
		b = appendString(b, f.Suppressed.By)
		b = append(b, `,"reason":`...)
		b = appendString(b, f.Suppressed.Reason)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

// appendStrings encodes a string slice; nil is null, as encoding/json has
// it.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendFloat encodes a float64 the way encoding/json does (ES6 number
// formatting); NaN and infinities are errors there too.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString encodes s as a JSON string with encoding/json's escaping:
// HTML-sensitive <, > and & as \u00XX, invalid UTF-8 as \ufffd, and
// U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
