package lists

import (
	"fmt"
	"strings"

	"github.com/assayhq/assay/internal/lazyre"
)

// parseOFACCSVSet reads OFAC's CSV set (primary, address, alias and
// comments files with no header row, null "-0-", Windows-1252) as
// published for both the SDN and the consolidated non-SDN list.
func parseOFACCSVSet(prim, add, alt, comments string) parseFunc {
	return func(files map[string][]byte, lim Limits) ([]Entry, string, error) {
		lim = lim.withDefaults()
		rows, err := readCSV(prim, decodeLatin1(files[prim]), ',', lim.MaxEntries)
		if err != nil {
			return nil, "", err
		}
		byNum := map[string]int{}
		entries := make([]Entry, 0, len(rows))
		for _, rec := range rows {
			num := field(rec, 0)
			name := field(rec, 1)
			if num == "" || name == "" {
				continue
			}
			e := Entry{ID: num, Key: ofacKey(num), Name: name, Type: ofacType(field(rec, 2)),
				Programs: splitProgram(field(rec, 3)), Remarks: field(rec, 11)}
			byNum[num] = len(entries)
			entries = append(entries, e)
		}
		if err := joinOFACAux(files, add, alt, comments, byNum, entries, lim); err != nil {
			return nil, "", err
		}
		for i := range entries {
			entries[i].Identifiers = identifiersFromRemarks(entries[i].Remarks)
			entries[i].Aliases = appendUnique(entries[i].Aliases, aliasesFromRemarks(entries[i].Remarks)...)
		}
		return entries, "", nil
	}
}

// joinOFACAux attaches the address, alias and comment rows to their
// primary rows by ent_num; rows for unknown ent_nums are ignored.
func joinOFACAux(files map[string][]byte, add, alt, comments string, byNum map[string]int, entries []Entry, lim Limits) error {
	join := func(name string, apply func(e *Entry, rec []string)) error {
		b, ok := files[name]
		if !ok {
			return nil
		}
		rows, err := readCSV(name, decodeLatin1(b), ',', lim.MaxEntries*8)
		if err != nil {
			return err
		}
		for _, rec := range rows {
			if i, ok := byNum[field(rec, 0)]; ok {
				apply(&entries[i], rec)
			}
		}
		return nil
	}
	if err := join(add, func(e *Entry, rec []string) { e.Countries = appendUnique(e.Countries, countryCode(field(rec, 4))) }); err != nil {
		return err
	}
	if err := join(alt, func(e *Entry, rec []string) { e.Aliases = appendUnique(e.Aliases, field(rec, 3)) }); err != nil {
		return err
	}
	return join(comments, func(e *Entry, rec []string) { e.Remarks += field(rec, 1) })
}

func ofacType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "individual":
		return TypeIndividual
	case "vessel":
		return TypeVessel
	case "aircraft":
		return TypeAircraft
	}
	return TypeEntity
}

// splitProgram splits OFAC's "] [" joined program field ("SDGT] [IRGC").
func splitProgram(p string) []string {
	p = strings.NewReplacer("[", " ", "]", " ").Replace(p)
	return strings.Fields(p)
}

var (
	// remarkID finds identifiers in OFAC remarks such as
	// "Registration Number 1027700167110 (Russia)".
	remarkID = lazyre.New(`(Registration (?:ID|Number)|Tax ID No\.|Legal Entity Number|Unified Social Credit Code \(USCC\)|SWIFT/BIC|IMO|MMSI|Business Registration (?:Document|Number) #?|Company Number|Government Gazette Number|Enterprise Number|Commercial Registry Number|National Foreign Trade Registry Number)\s+([A-Z0-9][A-Za-z0-9\-/]{3,})(?:\s+\(([^)]+)\))?`)
	// remarkAKA finds aliases given only in remarks ("a.k.a. 'BNC'").
	remarkAKA = lazyre.New(`[af]\.k\.a\.,? '([^']+)'`)
)

// remarkIDHints are substrings one of which every remarkID match holds;
// checking them first avoids running the regexp over most remarks.
var remarkIDHints = []string{"Registration", "Tax ID", "Legal Entity", "USCC", "SWIFT", "IMO ", "MMSI", "Company Number", "Gazette", "Enterprise Number", "Registry Number"}

func identifiersFromRemarks(r string) []Identifier {
	hinted := false
	for _, h := range remarkIDHints {
		if strings.Contains(r, h) {
			hinted = true
			break
		}
	}
	if !hinted {
		return nil
	}
	var out []Identifier
	for _, m := range remarkID().FindAllStringSubmatch(r, -1) {
		out = append(out, Identifier{Type: strings.TrimSpace(m[1]), Number: strings.TrimRight(m[2], ".;,"), Country: countryCode(m[3])})
	}
	return out
}

func aliasesFromRemarks(r string) []string {
	var out []string
	for _, m := range remarkAKA().FindAllStringSubmatch(r, -1) {
		out = append(out, m[1])
	}
	return out
}

// ofacKey is the cross-list key for an OFAC ent_num.
func ofacKey(num string) string {
	if num == "" {
		return ""
	}
	return fmt.Sprintf("ofac:%s", num)
}
