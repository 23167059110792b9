package lists

// parseDPL reads the BIS Denied Persons List (dpl.txt): tab-separated with
// a quoted header row.
func parseDPL(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "dpl.txt"
	return tableList(name, decodeLatin1(files[name]), '\t', lim, []string{"name"}, func(h header, rec []string) (Entry, string) {
		e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "effective_date")), Name: h.get(rec, "name"), Type: TypeEntity,
			ListedOn: normDate(h.get(rec, "effective_date")), EndDate: normDate(h.get(rec, "expiration_date")),
			Remarks: h.get(rec, "action") + " " + h.get(rec, "fr_citation")}
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		return e, normDate(h.get(rec, "last_update"))
	})
}
