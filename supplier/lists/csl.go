package lists

import (
	"fmt"
	"strings"
)

// header maps the column names of a CSV header row to their index.
type header map[string]int

func newHeader(rec []string) header {
	h := header{}
	for i, c := range rec {
		h[strings.ToLower(strings.Trim(strings.TrimSpace(c), "\ufeff\""))] = i
	}
	return h
}

// get returns the named column of rec, or "".
func (h header) get(rec []string, col string) string {
	i, ok := h[col]
	if !ok {
		return ""
	}
	return field(rec, i)
}

// readTable reads a CSV/TSV file with a header row that must hold the
// columns required.
func readTable(name string, b []byte, comma rune, lim Limits, required ...string) (header, [][]string, error) {
	lim = lim.withDefaults()
	rows, err := readCSV(name, b, comma, lim.MaxEntries+1)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("parse %s: empty file", name)
	}
	h := newHeader(rows[0])
	for _, c := range required {
		if _, ok := h[c]; !ok {
			return nil, nil, fmt.Errorf("parse %s: missing column %q", name, c)
		}
	}
	return h, rows[1:], nil
}

// parseCSL reads trade.gov's consolidated.csv (plain or gzipped).
func parseCSL(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "consolidated.csv"
	raw, err := unpack(name, files[name], ".csv", lim)
	if err != nil {
		return nil, "", err
	}
	h, rows, err := readTable(name, raw, ',', lim, "_id", "source", "name")
	if err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		e := Entry{ID: h.get(rec, "_id"), Name: h.get(rec, "name"), Type: cslType(h.get(rec, "type")),
			ListedOn: normDate(h.get(rec, "start_date")), EndDate: normDate(h.get(rec, "end_date")),
			Remarks: h.get(rec, "remarks"), URL: h.get(rec, "source_information_url")}
		if e.Name == "" {
			continue
		}
		src := h.get(rec, "source")
		e.Programs = append([]string{src}, splitList(h.get(rec, "programs"), ";")...)
		if num := h.get(rec, "entity_number"); num != "" && isOFACSource(src) {
			e.Key = ofacKey(num)
		}
		var aliases, countries []string
		for _, a := range splitList(h.get(rec, "alt_names"), ";") {
			aliases = append(aliases, strings.TrimPrefix(a, "and "))
		}
		for _, a := range splitList(h.get(rec, "addresses"), ";") {
			parts := splitList(a, ",")
			if len(parts) > 0 {
				countries = append(countries, countryCode(parts[len(parts)-1]))
			}
		}
		for _, col := range []string{"citizenships", "nationalities"} {
			for _, c := range splitList(h.get(rec, col), ";") {
				countries = append(countries, countryCode(c))
			}
		}
		e.Aliases, e.Countries = appendUnique(nil, aliases...), appendUnique(nil, countries...)
		e.Identifiers = cslIDs(h.get(rec, "ids"))
		date = maxDate(date, e.ListedOn)
		entries = append(entries, e)
	}
	return entries, date, nil
}

func isOFACSource(src string) bool {
	return strings.Contains(src, "Treasury Department") || strings.HasPrefix(src, "Specially Designated") ||
		strings.Contains(src, "Sectoral Sanctions") || strings.Contains(src, "Non-SDN") || strings.Contains(src, "Foreign Sanctions Evaders") ||
		strings.Contains(src, "Palestinian Legislative") || strings.Contains(src, "Capta") || strings.Contains(src, "CAPTA")
}

func cslType(t string) string {
	if t == "" {
		return TypeEntity
	}
	return ofacType(t)
}

// cslIDs parses the CSL "ids" column: "; "-separated items of the form
// "[country, ][dates, ]number, type".
func cslIDs(s string) []Identifier {
	var out []Identifier
	for _, item := range splitList(s, ";") {
		parts := splitList(item, ",")
		if len(parts) < 2 {
			continue
		}
		typ, num := parts[len(parts)-1], parts[len(parts)-2]
		if !hasDigit(num) {
			continue
		}
		id := Identifier{Type: typ, Number: num}
		if len(parts) > 2 && len(parts[0]) == 2 {
			id.Country = countryCode(parts[0])
		}
		out = append(out, id)
	}
	return out
}

func hasDigit(s string) bool {
	return strings.ContainsAny(s, "0123456789")
}
