package lists

import (
	"strings"

	"github.com/assayhq/assay/internal/lazyre"
)

func curatedType(t string) string {
	if strings.EqualFold(t, "Person") {
		return TypeIndividual
	}
	return TypeEntity
}

// tableList reads a table with a header row and turns each row into an
// entry with row; rows without a name are skipped. The list date is the
// newest row date (row's second result, or the entry's ListedOn).
func tableList(name string, b []byte, comma rune, lim Limits, required []string, row func(h header, rec []string) (Entry, string)) ([]Entry, string, error) {
	h, rows, err := readTable(name, b, comma, lim, required...)
	if err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		e, d := row(h, rec)
		if e.Name == "" {
			continue
		}
		date = maxDate(date, firstNonEmpty(d, e.ListedOn))
		entries = append(entries, e)
	}
	return entries, date, nil
}

// parseCNSanctions reads the curated China list (MOFCOM Unreliable Entity
// List, export-control control and watch lists, MFA countermeasures).
func parseCNSanctions(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "sanctions.csv"
	return tableList(name, files[name], ',', lim, []string{"name", "list"}, func(h header, rec []string) (Entry, string) {
		list := firstNonEmpty(h.get(rec, "list"), h.get(rec, "body"))
		e := Entry{ID: stableID(h.get(rec, "name"), list, h.get(rec, "date")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "type")),
			Programs: appendUnique(nil, list), ListedOn: normDate(h.get(rec, "date")), EndDate: normDate(h.get(rec, "end date")),
			Remarks: h.get(rec, "summary"), URL: h.get(rec, "source url")}
		e.Aliases = appendUnique(splitList(h.get(rec, "alias"), ";"), h.get(rec, "chinese name"))
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		return e, ""
	})
}

// parse1260H reads the curated DoD Section 1260H list.
func parse1260H(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "sanctions.csv"
	return tableList(name, files[name], ',', lim, []string{"name"}, func(h header, rec []string) (Entry, string) {
		n := firstNonEmpty(h.get(rec, "clean name"), h.get(rec, "name"))
		e := Entry{ID: stableID(n), Name: n, Type: TypeEntity, ListedOn: normDate(h.get(rec, "start date")),
			EndDate: normDate(h.get(rec, "end date")), Remarks: h.get(rec, "note"), URL: h.get(rec, "source url"),
			Programs: []string{"DoD 1260H"}, Countries: []string{"CN"}}
		e.Aliases = appendUnique(splitList(h.get(rec, "alias"), ";"), splitList(h.get(rec, "previous name"), ";")...)
		e.Parents = splitList(h.get(rec, "parent name"), ";")
		return e, ""
	})
}

// parseSpecialLeg reads the curated NDAA / INKSNA section files.
func parseSpecialLeg(file string) parseFunc {
	return func(files map[string][]byte, lim Limits) ([]Entry, string, error) {
		return tableList(file, files[file], ',', lim, []string{"name"}, func(h header, rec []string) (Entry, string) {
			e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "start-date")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "schema")),
				Aliases: splitList(h.get(rec, "aliases"), ";"), Programs: appendUnique(nil, h.get(rec, "program")),
				ListedOn: normDate(firstNonEmpty(h.get(rec, "start-date"), h.get(rec, "report-date"))), EndDate: normDate(h.get(rec, "end-date")),
				Remarks: h.get(rec, "notes"), URL: h.get(rec, "source_url")}
			e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
			return e, normDate(h.get(rec, "report-date"))
		})
	}
}

// parseMIEU reads the curated BIS Military-Intelligence End User list.
func parseMIEU(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "mieu.csv"
	return tableList(name, files[name], ',', lim, []string{"name"}, func(h header, rec []string) (Entry, string) {
		e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "country")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "type")),
			Aliases: splitList(h.get(rec, "alias"), ";"), Programs: appendUnique(nil, h.get(rec, "program")),
			ListedOn: normDate(h.get(rec, "date")), EndDate: normDate(h.get(rec, "end date")), URL: h.get(rec, "source url")}
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		return e, ""
	})
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// fccParty extracts the named producer or provider from a Covered List
// description ("... produced by Huawei Technologies Company, including ...").
var fccParty = lazyre.New(`(?:produced|provided|supplied)(?:, directly or indirectly,)?(?: or provided)? by (.+?)(?:,| subject to| or any| to the extent|$)`)

// parseFCC reads the FCC Covered List table. Rows that name a producer
// become entity entries (with the description as remarks); rows that cover
// a class of products ("produced in a foreign country") become category
// entries.
func parseFCC(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "table.csv"
	h, rows, err := readTable(name, files[name], ',', lim, "covered_equipment_or_services")
	if err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		desc := h.get(rec, "covered_equipment_or_services")
		listed := normDate(h.get(rec, "date_of_inclusion_on_covered_list"))
		date = maxDate(date, listed)
		for _, party := range fccParties(desc) {
			entries = append(entries, Entry{ID: stableID(party, listed), Name: party, Type: TypeEntity, ListedOn: listed,
				Remarks: desc, Programs: []string{"FCC Covered List"}})
		}
		if len(fccParties(desc)) == 0 && desc != "" {
			entries = append(entries, Entry{ID: stableID(desc), Name: desc, Type: TypeCategory, ListedOn: listed,
				Remarks: desc, Programs: []string{"FCC Covered List"}})
		}
	}
	return entries, date, nil
}

func fccParties(desc string) []string {
	m := fccParty().FindStringSubmatch(desc)
	if m == nil {
		return nil
	}
	var out []string
	for _, p := range strings.Split(m[1], " and its wholly-owned subsidiary ") {
		p = strings.TrimSuffix(strings.TrimSpace(p), ".")
		if p != "" && !strings.HasPrefix(p, "such entity") {
			out = append(out, p)
		}
	}
	return out
}
