package lists

//go:generate go run ./internal/gencountries

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Limits bound what one import reads. The zero value of a field means its
// default.
type Limits struct {
	// MaxFileBytes bounds one downloaded file (default 256 MiB).
	MaxFileBytes int64
	// MaxUnpackedBytes bounds one file after gunzip or unzip (default
	// 512 MiB).
	MaxUnpackedBytes int64
	// MaxEntries bounds the entries of one list (default 500,000).
	MaxEntries int
}

// Default limits.
const (
	DefaultMaxFileBytes     = 256 << 20
	DefaultMaxUnpackedBytes = 512 << 20
	DefaultMaxEntries       = 500_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxFileBytes <= 0 {
		l.MaxFileBytes = DefaultMaxFileBytes
	}
	if l.MaxUnpackedBytes <= 0 {
		l.MaxUnpackedBytes = DefaultMaxUnpackedBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	return l
}

var errTooMany = errors.New("too many entries")

// checkCount fails once n exceeds the entry limit.
func (l Limits) checkCount(n int) error {
	if n > l.withDefaults().MaxEntries {
		return fmt.Errorf("%w (limit %d)", errTooMany, l.withDefaults().MaxEntries)
	}
	return nil
}

// newCSVReader returns a lenient CSV reader over b.
func newCSVReader(b []byte, comma rune) *csv.Reader {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	return r
}

// readCSV reads every record of b, failing past maxRows.
func readCSV(name string, b []byte, comma rune, maxRows int) ([][]string, error) {
	r := newCSVReader(b, comma)
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		if len(out) >= maxRows {
			return nil, fmt.Errorf("parse %s: more than %d rows", name, maxRows)
		}
		out = append(out, rec)
	}
}

// decodeLatin1 converts Windows-1252 bytes to UTF-8 unless b already is
// valid UTF-8, and drops a trailing Ctrl-Z.
func decodeLatin1(b []byte) []byte {
	b = bytes.TrimRight(b, "\x1a")
	if utf8.Valid(b) {
		return b
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// field returns rec[i] trimmed, or "" when absent or OFAC's null "-0-".
func field(rec []string, i int) string {
	if i >= len(rec) {
		return ""
	}
	s := strings.TrimSpace(rec[i])
	if s == "-0-" {
		return ""
	}
	return s
}

// splitList splits a multi-valued field on sep, trimming and dropping
// empty parts.
func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// appendUnique appends the non-empty values of add not already in list.
// Past a few values it checks a set rather than the list, so that an
// entry with n aliases costs O(n), not O(n²) (40,000 aliases of one CSL
// row took 1.4 s); callers collect a field's values and append them in
// one call.
func appendUnique(list []string, add ...string) []string {
	if len(list)+len(add) > 16 {
		seen := make(map[string]bool, len(list)+len(add))
		for _, l := range list {
			seen[l] = true
		}
		for _, a := range add {
			if a != "" && !seen[a] {
				seen[a] = true
				list = append(list, a)
			}
		}
		return list
	}
	for _, a := range add {
		if a == "" {
			continue
		}
		dup := false
		for _, l := range list {
			if l == a {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, a)
		}
	}
	return list
}

var dateLayouts = []string{
	"2006-01-02", "2006-01-02T15:04:05", time.RFC3339, "01/02/2006", "02.01.2006", "02.01.06",
	"January 2, 2006", "2 January 2006", "02 Jan 2006", "2006",
}

// normDate parses s in the common list date layouts and returns it as
// YYYY-MM-DD, or s unchanged when no layout fits.
func normDate(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if l == "2006" {
				return s
			}
			return t.Format("2006-01-02")
		}
	}
	return s
}

// maxDate returns the later of two YYYY-MM-DD dates, ignoring values that
// are not in that form or implausibly far in the future (typos such as
// 3017 occur in published lists).
func maxDate(a, b string) string {
	if len(b) != 10 || b[4] != '-' || b > "2100" {
		return a
	}
	if b > a {
		return b
	}
	return a
}

// countryCode resolves a country name or ISO code to an ISO 3166-1
// alpha-2 code, or "" when unknown.
func countryCode(s string) string {
	k := countryKey(s)
	if k == "" {
		return ""
	}
	return countryTable()[k]
}

// CountryCode resolves a country name ("Russia", "Korea, North") or ISO
// 3166-1 alpha-2 code to the alpha-2 code, or "" when unknown.
func CountryCode(s string) string { return countryCode(s) }

func countryKey(s string) string {
	out := s
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 }) {
		t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if o, _, err := transform.String(t, s); err == nil {
			out = o
		}
	}
	var b strings.Builder
	for _, r := range strings.ToLower(out) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// countryTable maps the countryKey of each country's code and English
// name (countries.go, generated from x/text's CLDR data) and of the
// synonyms below to the code.
var countryTable = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(countryNames, "\n"), "\n") {
		code, name, _ := strings.Cut(line, "\t")
		m[countryKey(code)] = code
		if name != "" {
			m[countryKey(name)] = code
		}
	}
	for name, code := range countrySynonyms {
		m[countryKey(name)] = code
	}
	return m
})

// countrySynonyms are the spellings lists use that differ from CLDR's
// English names.
var countrySynonyms = map[string]string{
	"Russian Federation": "RU", "Korea, North": "KP", "North Korea": "KP", "DPRK": "KP",
	"Democratic People's Republic of Korea": "KP", "Korea, South": "KR", "Republic of Korea": "KR",
	"Burma": "MM", "Iran (Islamic Republic of)": "IR", "Syrian Arab Republic": "SY", "Lao People's Democratic Republic": "LA",
	"Laos": "LA", "Viet Nam": "VN", "Vietnam": "VN", "Congo, Democratic Republic of the": "CD",
	"Democratic Republic of the Congo": "CD", "Congo, Republic of the": "CG", "Turkey": "TR", "Türkiye": "TR",
	"Czech Republic": "CZ", "Macau": "MO", "Macao": "MO", "Hong Kong": "HK", "Taiwan": "TW", "United Kingdom": "GB",
	"UK": "GB", "Great Britain": "GB", "United States": "US", "USA": "US", "United States of America": "US",
	"UAE": "AE", "United Arab Emirates": "AE", "PRC": "CN", "People's Republic of China": "CN", "China": "CN",
	"Cote d'Ivoire": "CI", "Ivory Coast": "CI", "Bolivia (Plurinational State of)": "BO",
	"Venezuela (Bolivarian Republic of)": "VE", "Bahamas, The": "BS", "Gambia, The": "GM", "Palestinian": "PS",
	"West Bank": "PS", "Gaza": "PS", "Moldova, Republic of": "MD", "Tanzania, United Republic of": "TZ",
	"Netherlands": "NL", "The Netherlands": "NL", "Holland": "NL", "Crimea": "UA", "Region: Crimea": "UA",
	"Kosovo": "XK", "Micronesia, Federated States of": "FM", "Saint Kitts and Nevis": "KN",
	"Bosnia-Herzegovina": "BA", "Brunei Darussalam": "BN", "Curacao": "CW", "Eswatini": "SZ", "Swaziland": "SZ",
	"North Macedonia": "MK", "Macedonia": "MK", "Timor-Leste": "TL", "East Timor": "TL", "Cabo Verde": "CV",
}

// stableID derives an entry ID for lists whose publisher gives none: a
// short hash of the identifying fields, stable across refreshes.
func stableID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:6])
}

// streamXML walks the XML in data and calls on for every start element;
// on may consume the element with dec.DecodeElement. Errors name the file.
func streamXML(name string, data []byte, on func(dec *xml.Decoder, se xml.StartElement) error) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse %s: %w", name, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if err := on(dec, se); err != nil {
				return fmt.Errorf("parse %s: %w", name, err)
			}
		}
	}
}

// entryElement is an XML element type that converts to an entry.
type entryElement interface{ entry() (Entry, bool) }

// appendElement decodes the element se into a new T and appends its entry
// (when it has one) to entries, failing past the entry limit.
func appendElement[T any, PT interface {
	*T
	entryElement
}](dec *xml.Decoder, se xml.StartElement, entries *[]Entry, lim Limits) error {
	v := PT(new(T))
	if err := dec.DecodeElement(v, &se); err != nil {
		return fmt.Errorf("%s: %w", se.Name.Local, err)
	}
	if e, ok := v.entry(); ok {
		*entries = append(*entries, e)
		return lim.checkCount(len(*entries))
	}
	return nil
}
