package lists

import (
	"regexp"
	"strings"
)

func curatedType(t string) string {
	if strings.EqualFold(t, "Person") {
		return TypeIndividual
	}
	return TypeEntity
}

// parseCNSanctions reads the curated China list (MOFCOM Unreliable Entity
// List, export-control control and watch lists, MFA countermeasures).
func parseCNSanctions(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "sanctions.csv"
	h, rows, err := readTable(name, files[name], ',', lim)
	if err != nil {
		return nil, "", err
	}
	if err := requireColumns(name, h, "name", "list"); err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		list := h.get(rec, "list")
		if list == "" {
			list = h.get(rec, "body")
		}
		e := Entry{ID: stableID(h.get(rec, "name"), list, h.get(rec, "date")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "type")),
			Programs: appendUnique(nil, list), ListedOn: normDate(h.get(rec, "date")), EndDate: normDate(h.get(rec, "end date")),
			Remarks: h.get(rec, "summary"), URL: h.get(rec, "source url")}
		if e.Name == "" {
			continue
		}
		e.Aliases = appendUnique(splitList(h.get(rec, "alias"), ";"), h.get(rec, "chinese name"))
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		date = maxDate(date, e.ListedOn)
		entries = append(entries, e)
	}
	return entries, date, nil
}

// parse1260H reads the curated DoD Section 1260H list.
func parse1260H(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "sanctions.csv"
	h, rows, err := readTable(name, files[name], ',', lim)
	if err != nil {
		return nil, "", err
	}
	if err := requireColumns(name, h, "name"); err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		n := h.get(rec, "clean name")
		if n == "" {
			n = h.get(rec, "name")
		}
		if n == "" {
			continue
		}
		e := Entry{ID: stableID(n), Name: n, Type: TypeEntity, ListedOn: normDate(h.get(rec, "start date")),
			EndDate: normDate(h.get(rec, "end date")), Remarks: h.get(rec, "note"), URL: h.get(rec, "source url"),
			Programs: []string{"DoD 1260H"}, Countries: []string{"CN"}}
		e.Aliases = appendUnique(splitList(h.get(rec, "alias"), ";"), splitList(h.get(rec, "previous name"), ";")...)
		e.Parents = splitList(h.get(rec, "parent name"), ";")
		date = maxDate(date, e.ListedOn)
		entries = append(entries, e)
	}
	return entries, date, nil
}

// parseSpecialLeg reads the curated NDAA / INKSNA section files.
func parseSpecialLeg(file string) parseFunc {
	return func(files map[string][]byte, lim Limits) ([]Entry, string, error) {
		h, rows, err := readTable(file, files[file], ',', lim)
		if err != nil {
			return nil, "", err
		}
		if err := requireColumns(file, h, "name"); err != nil {
			return nil, "", err
		}
		var entries []Entry
		date := ""
		for _, rec := range rows {
			e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "start-date")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "schema")),
				Aliases: splitList(h.get(rec, "aliases"), ";"), Programs: appendUnique(nil, h.get(rec, "program")),
				ListedOn: normDate(firstNonEmpty(h.get(rec, "start-date"), h.get(rec, "report-date"))), EndDate: normDate(h.get(rec, "end-date")),
				Remarks: h.get(rec, "notes"), URL: h.get(rec, "source_url")}
			if e.Name == "" {
				continue
			}
			e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
			date = maxDate(date, normDate(h.get(rec, "report-date")))
			entries = append(entries, e)
		}
		return entries, date, nil
	}
}

// parseMIEU reads the curated BIS Military-Intelligence End User list.
func parseMIEU(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "mieu.csv"
	h, rows, err := readTable(name, files[name], ',', lim)
	if err != nil {
		return nil, "", err
	}
	if err := requireColumns(name, h, "name"); err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "country")), Name: h.get(rec, "name"), Type: curatedType(h.get(rec, "type")),
			Aliases: splitList(h.get(rec, "alias"), ";"), Programs: appendUnique(nil, h.get(rec, "program")),
			ListedOn: normDate(h.get(rec, "date")), EndDate: normDate(h.get(rec, "end date")), URL: h.get(rec, "source url")}
		if e.Name == "" {
			continue
		}
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		date = maxDate(date, e.ListedOn)
		entries = append(entries, e)
	}
	return entries, date, nil
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
var fccParty = regexp.MustCompile(`(?:produced|provided|supplied)(?:, directly or indirectly,)?(?: or provided)? by (.+?)(?:,| subject to| or any| to the extent|$)`)

// parseFCC reads the FCC Covered List table. Rows that name a producer
// become entity entries (with the description as remarks); rows that cover
// a class of products ("produced in a foreign country") become category
// entries.
func parseFCC(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "table.csv"
	h, rows, err := readTable(name, files[name], ',', lim)
	if err != nil {
		return nil, "", err
	}
	if err := requireColumns(name, h, "covered_equipment_or_services"); err != nil {
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
	m := fccParty.FindStringSubmatch(desc)
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
