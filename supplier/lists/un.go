package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// unParty is one <INDIVIDUAL> or <ENTITY> of the UN consolidated XML.
type unParty struct {
	DataID    string   `xml:"DATAID"`
	First     string   `xml:"FIRST_NAME"`
	Second    string   `xml:"SECOND_NAME"`
	Third     string   `xml:"THIRD_NAME"`
	Fourth    string   `xml:"FOURTH_NAME"`
	Original  string   `xml:"NAME_ORIGINAL_SCRIPT"`
	ListType  string   `xml:"UN_LIST_TYPE"`
	Reference string   `xml:"REFERENCE_NUMBER"`
	ListedOn  string   `xml:"LISTED_ON"`
	Comments  string   `xml:"COMMENTS1"`
	Nation    []string `xml:"NATIONALITY>VALUE"`
	Aliases   []struct {
		Name string `xml:"ALIAS_NAME"`
	} `xml:"INDIVIDUAL_ALIAS"`
	EntAliases []struct {
		Name string `xml:"ALIAS_NAME"`
	} `xml:"ENTITY_ALIAS"`
	Addresses []struct {
		Country string `xml:"COUNTRY"`
	} `xml:"INDIVIDUAL_ADDRESS"`
	EntAddresses []struct {
		Country string `xml:"COUNTRY"`
	} `xml:"ENTITY_ADDRESS"`
	Docs []struct {
		Type    string `xml:"TYPE_OF_DOCUMENT"`
		Number  string `xml:"NUMBER"`
		Country string `xml:"ISSUING_COUNTRY"`
	} `xml:"INDIVIDUAL_DOCUMENT"`
}

// parseUN reads the UN Security Council consolidated list XML.
func parseUN(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "consolidated.xml"
	var entries []Entry
	date := ""
	err := streamXML(name, files[name], func(dec *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "CONSOLIDATED_LIST":
			for _, a := range se.Attr {
				if a.Name.Local == "dateGenerated" && len(a.Value) >= 10 {
					date = a.Value[:10]
				}
			}
		case "INDIVIDUAL", "ENTITY":
			var p unParty
			if err := dec.DecodeElement(&p, &se); err != nil {
				return fmt.Errorf("%s: %w", se.Name.Local, err)
			}
			if e, ok := p.entry(se.Name.Local == "INDIVIDUAL"); ok {
				entries = append(entries, e)
				return lim.checkCount(len(entries))
			}
		}
		return nil
	})
	return entries, date, err
}

func (p *unParty) entry(individual bool) (Entry, bool) {
	name := strings.Join(strings.Fields(strings.Join([]string{p.First, p.Second, p.Third, p.Fourth}, " ")), " ")
	if name == "" {
		return Entry{}, false
	}
	e := Entry{ID: strings.TrimSpace(p.Reference), Name: name, Type: TypeEntity, ListedOn: normDate(p.ListedOn),
		Programs: appendUnique(nil, strings.TrimSpace(p.ListType)), Remarks: strings.TrimSpace(p.Comments)}
	if e.ID == "" {
		e.ID = p.DataID
	}
	if individual {
		e.Type = TypeIndividual
	}
	e.Aliases = appendUnique(e.Aliases, strings.TrimSpace(p.Original))
	for _, a := range append(p.Aliases, p.EntAliases...) {
		e.Aliases = appendUnique(e.Aliases, strings.TrimSpace(a.Name))
	}
	for _, n := range p.Nation {
		e.Countries = appendUnique(e.Countries, countryCode(n))
	}
	for _, a := range append(p.Addresses, p.EntAddresses...) {
		e.Countries = appendUnique(e.Countries, countryCode(a.Country))
	}
	for _, d := range p.Docs {
		if n := strings.TrimSpace(d.Number); n != "" {
			e.Identifiers = append(e.Identifiers, Identifier{Type: strings.TrimSpace(d.Type), Number: n, Country: countryCode(d.Country)})
		}
	}
	return e, true
}
