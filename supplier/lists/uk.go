package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// ukDesignation is one <Designation> of the UK Sanctions List XML
// (FCDO, UK-Sanctions-List.xml).
type ukDesignation struct {
	UniqueID  string   `xml:"UniqueID"`
	GroupID   string   `xml:"OFSIGroupID"`
	UNRef     string   `xml:"UNReferenceNumber"`
	Kind      string   `xml:"IndividualEntityShip"`
	Regime    string   `xml:"RegimeName"`
	Imposed   string   `xml:"SanctionsImposed"`
	Other     string   `xml:"OtherInformation"`
	Designed  string   `xml:"DateDesignated"`
	Names     []ukName `xml:"Names>Name"`
	NonLatin  []string `xml:"NonLatinNames>NonLatinName>NameNonLatinScript"`
	Addresses []struct {
		Country string `xml:"AddressCountry"`
	} `xml:"Addresses>Address"`
	Nationalities []string `xml:"IndividualDetails>Individual>Nationalities>Nationality"`
	BusinessRegs  []string `xml:"EntityDetails>BusinessRegistrationNumbers>BusinessRegistrationNumber"`
	Parents       []string `xml:"EntityDetails>ParentCompanies>ParentCompany"`
	IMO           string   `xml:"ShipDetails>IMONumbers>IMONumber"`
}

// ukName is one name: Name1 to Name5 are forenames (or parts), Name6 the
// surname or the whole entity name.
type ukName struct {
	Parts []string `xml:"Name1"`
	N2    string   `xml:"Name2"`
	N3    string   `xml:"Name3"`
	N4    string   `xml:"Name4"`
	N5    string   `xml:"Name5"`
	N6    string   `xml:"Name6"`
	Type  string   `xml:"NameType"`
}

func (n ukName) full() string {
	return strings.Join(strings.Fields(strings.Join(append(n.Parts, n.N2, n.N3, n.N4, n.N5, n.N6), " ")), " ")
}

// parseUK reads the UK Sanctions List XML; the data date is
// <DateGenerated> (dd/mm/yyyy).
func parseUK(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "UK-Sanctions-List.xml"
	raw, err := unpack(name, files[name], ".xml", lim)
	if err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	err = streamXML(name, raw, func(dec *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "DateGenerated":
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return fmt.Errorf("DateGenerated: %w", err)
			}
			date = ukDate(s)
		case "Designation":
			return appendElement[ukDesignation](dec, se, &entries, lim)
		}
		return nil
	})
	return entries, date, err
}

// ukDate converts the UK list's dd/mm/yyyy to YYYY-MM-DD ("" when it is
// not a full date, such as dd/mm/1950).
func ukDate(s string) string {
	t, err := time.Parse("02/01/2006", strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	return t.Format("2006-01-02")
}

func (d *ukDesignation) entry() (Entry, bool) {
	e := Entry{ID: strings.TrimSpace(d.UniqueID), Type: TypeEntity, ListedOn: ukDate(d.Designed), Remarks: strings.TrimSpace(d.Other)}
	switch strings.ToLower(strings.TrimSpace(d.Kind)) {
	case "individual":
		e.Type = TypeIndividual
	case "ship":
		e.Type = TypeVessel
	}
	if g := strings.TrimSpace(d.GroupID); g != "" {
		e.Key = "ofsi:" + g
	}
	for _, n := range d.Names {
		full := n.full()
		if strings.TrimSpace(n.Type) == "Primary Name" && e.Name == "" {
			e.Name = full
			continue
		}
		e.Aliases = appendUnique(e.Aliases, full)
	}
	if e.Name == "" && len(e.Aliases) > 0 {
		e.Name, e.Aliases = e.Aliases[0], e.Aliases[1:]
	}
	if e.Name == "" || e.ID == "" {
		return Entry{}, false
	}
	for _, n := range d.NonLatin {
		e.Aliases = appendUnique(e.Aliases, strings.TrimSpace(n))
	}
	e.Programs = appendUnique(nil, strings.TrimSpace(d.Regime))
	for _, c := range d.Nationalities {
		e.Countries = appendUnique(e.Countries, countryCode(c))
	}
	for _, a := range d.Addresses {
		e.Countries = appendUnique(e.Countries, countryCode(a.Country))
	}
	for _, r := range d.BusinessRegs {
		if r = strings.TrimSpace(r); r != "" {
			e.Identifiers = append(e.Identifiers, Identifier{Type: "Business Registration Number", Number: r})
		}
	}
	if imo := strings.TrimSpace(d.IMO); imo != "" {
		e.Identifiers = append(e.Identifiers, Identifier{Type: "IMO", Number: imo})
	}
	for _, p := range d.Parents {
		e.Parents = appendUnique(e.Parents, strings.TrimSpace(p))
	}
	return e, true
}
