package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// enhEntity is one <entity> of OFAC's Enhanced XML (the schema shared by
// SDN_ENHANCED.XML and CONS_ENHANCED.XML).
type enhEntity struct {
	ID      string `xml:"id,attr"`
	Type    string `xml:"generalInfo>entityType"`
	Remarks string `xml:"generalInfo>remarks"`
	Lists   []struct {
		Name string `xml:",chardata"`
		Date string `xml:"datePublished,attr"`
	} `xml:"sanctionsLists>sanctionsList"`
	Programs []string `xml:"sanctionsPrograms>sanctionsProgram"`
	Names    []struct {
		Primary      bool `xml:"isPrimary"`
		Translations []struct {
			Full string `xml:"formattedFullName"`
		} `xml:"translations>translation"`
	} `xml:"names>name"`
	Addresses []struct {
		Country string `xml:"country"`
	} `xml:"addresses>address"`
	Docs []struct {
		Type    string `xml:"type"`
		Number  string `xml:"documentNumber"`
		Country string `xml:"issuingCountry"`
	} `xml:"identityDocuments>identityDocument"`
	Features []struct {
		Type  string `xml:"type"`
		Value string `xml:"value"`
	} `xml:"features>feature"`
}

// parseOFACEnhanced reads OFAC's Enhanced XML, zipped or plain.
func parseOFACEnhanced(file string) parseFunc {
	return func(files map[string][]byte, lim Limits) ([]Entry, string, error) {
		raw, err := unpack(file, files[file], ".xml", lim)
		if err != nil {
			return nil, "", err
		}
		var entries []Entry
		date := ""
		err = streamXML(file, raw, func(dec *xml.Decoder, se xml.StartElement) error {
			switch se.Name.Local {
			case "dataAsOf":
				var s string
				if err := dec.DecodeElement(&s, &se); err != nil {
					return fmt.Errorf("dataAsOf: %w", err)
				}
				date = normDate(s)
			case "entity":
				var ee enhEntity
				if err := dec.DecodeElement(&ee, &se); err != nil {
					return fmt.Errorf("entity: %w", err)
				}
				if e, ok := ee.entry(); ok {
					entries = append(entries, e)
					return lim.checkCount(len(entries))
				}
			}
			return nil
		})
		return entries, date, err
	}
}

func (ee *enhEntity) entry() (Entry, bool) {
	e := Entry{ID: ee.ID, Key: ofacKey(ee.ID), Type: ofacType(ee.Type), Programs: ee.Programs, Remarks: strings.TrimSpace(ee.Remarks)}
	for _, n := range ee.Names {
		for _, t := range n.Translations {
			full := strings.TrimSpace(t.Full)
			if n.Primary && e.Name == "" {
				e.Name = full
			} else {
				e.Aliases = appendUnique(e.Aliases, full)
			}
		}
	}
	if e.Name == "" {
		if len(e.Aliases) == 0 {
			return Entry{}, false
		}
		e.Name, e.Aliases = e.Aliases[0], e.Aliases[1:]
	}
	for _, a := range ee.Addresses {
		e.Countries = appendUnique(e.Countries, countryCode(a.Country))
	}
	for _, f := range ee.Features {
		if t := strings.ToLower(f.Type); strings.Contains(t, "country") || strings.Contains(t, "nationality") || strings.Contains(t, "citizenship") {
			e.Countries = appendUnique(e.Countries, countryCode(f.Value))
		}
	}
	for _, d := range ee.Docs {
		if n := strings.TrimSpace(d.Number); n != "" {
			e.Identifiers = append(e.Identifiers, Identifier{Type: strings.TrimSpace(d.Type), Number: n, Country: countryCode(d.Country)})
		}
	}
	for _, l := range ee.Lists {
		e.ListedOn = minDate(e.ListedOn, normDate(l.Date))
	}
	return e, true
}

// minDate returns the earlier of two YYYY-MM-DD dates ("" counts as
// unknown).
func minDate(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}
