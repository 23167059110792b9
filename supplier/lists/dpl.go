package lists

// parseDPL reads the BIS Denied Persons List (dpl.txt): tab-separated with
// a quoted header row.
func parseDPL(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "dpl.txt"
	h, rows, err := readTable(name, decodeLatin1(files[name]), '\t', lim)
	if err != nil {
		return nil, "", err
	}
	if err := requireColumns(name, h, "name"); err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	for _, rec := range rows {
		e := Entry{ID: stableID(h.get(rec, "name"), h.get(rec, "effective_date")), Name: h.get(rec, "name"), Type: TypeEntity,
			ListedOn: normDate(h.get(rec, "effective_date")), EndDate: normDate(h.get(rec, "expiration_date")),
			Remarks: h.get(rec, "action") + " " + h.get(rec, "fr_citation")}
		if e.Name == "" {
			continue
		}
		e.Countries = appendUnique(nil, countryCode(h.get(rec, "country")))
		date = maxDate(date, normDate(h.get(rec, "last_update")))
		entries = append(entries, e)
	}
	return entries, date, nil
}
