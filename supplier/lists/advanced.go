package lists

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// The OFAC Advanced XML (SDN_ADVANCED.XML) keeps names, documents and
// locations in separate sections that refer to each other by ID: reference
// value tables, Locations, IDRegDocuments, DistinctParties (profiles with
// identities, aliases and features) and SanctionsEntries (programs and
// dates per profile). parseOFACAdvanced collects them in one pass and joins
// them at the end.

type advRef struct {
	ID          string `xml:"ID,attr"`
	ISO2        string `xml:"ISO2,attr"`
	PartyTypeID string `xml:"PartyTypeID,attr"`
	Text        string `xml:",chardata"`
}

type advLocation struct {
	ID        string `xml:"ID,attr"`
	Countries []struct {
		ID string `xml:"CountryID,attr"`
	} `xml:"LocationCountry"`
}

type advDocument struct {
	IdentityID string `xml:"IdentityID,attr"`
	TypeID     string `xml:"IDRegDocTypeID,attr"`
	CountryID  string `xml:"IssuedBy-CountryID,attr"`
	Number     string `xml:"IDRegistrationNo"`
}

type advParty struct {
	FixedRef string `xml:"FixedRef,attr"`
	Comment  string `xml:"Comment"`
	Profiles []struct {
		ID         string `xml:"ID,attr"`
		SubTypeID  string `xml:"PartySubTypeID,attr"`
		Identities []struct {
			ID      string `xml:"ID,attr"`
			Aliases []struct {
				Primary bool `xml:"Primary,attr"`
				Names   []struct {
					Parts []string `xml:"DocumentedNamePart>NamePartValue"`
				} `xml:"DocumentedName"`
			} `xml:"Alias"`
		} `xml:"Identity"`
		Features []struct {
			TypeID    string `xml:"FeatureTypeID,attr"`
			Locations []struct {
				ID string `xml:"LocationID,attr"`
			} `xml:"FeatureVersion>VersionLocation"`
		} `xml:"Feature"`
	} `xml:"Profile"`
}

type advSanctionsEntry struct {
	ProfileID string `xml:"ProfileID,attr"`
	Events    []struct {
		Date advDate `xml:"Date"`
	} `xml:"EntryEvent"`
	Measures []struct {
		Comment string `xml:"Comment"`
	} `xml:"SanctionsMeasure"`
}

type advDate struct {
	Year  int `xml:"Year"`
	Month int `xml:"Month"`
	Day   int `xml:"Day"`
}

func (d advDate) String() string {
	if d.Year == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, max(d.Month, 1), max(d.Day, 1))
}

// advanced is what one pass over the file collects.
type advanced struct {
	date                                 string
	countries, subTypes, docTypes, feats map[string]string
	// subParty maps a party subtype to its party type; partyTypes names
	// the party types (Individual, Entity, ...).
	subParty, partyTypes map[string]string
	locations            map[string][]string // location ID -> country IDs
	docs                 map[string][]advDocument
	parties              []advParty
	entries              map[string][]advSanctionsEntry
}

// parseOFACAdvanced reads OFAC's Advanced XML, zipped or plain.
func parseOFACAdvanced(file string) parseFunc {
	return func(files map[string][]byte, lim Limits) ([]Entry, string, error) {
		raw, err := unpack(file, files[file], ".xml", lim)
		if err != nil {
			return nil, "", err
		}
		a := &advanced{countries: map[string]string{}, subTypes: map[string]string{}, docTypes: map[string]string{}, feats: map[string]string{},
			subParty: map[string]string{}, partyTypes: map[string]string{},
			locations: map[string][]string{}, docs: map[string][]advDocument{}, entries: map[string][]advSanctionsEntry{}}
		ref := func(m map[string]string, iso bool) func(*xml.Decoder, xml.StartElement) error {
			return func(dec *xml.Decoder, se xml.StartElement) error {
				var r advRef
				if err := dec.DecodeElement(&r, &se); err != nil {
					return fmt.Errorf("%s: %w", se.Name.Local, err)
				}
				if iso {
					m[r.ID] = r.ISO2
				} else {
					m[r.ID] = strings.TrimSpace(r.Text)
				}
				if r.PartyTypeID != "" {
					a.subParty[r.ID] = r.PartyTypeID
				}
				return nil
			}
		}
		handlers := map[string]func(*xml.Decoder, xml.StartElement) error{
			"Country": ref(a.countries, true), "PartySubType": ref(a.subTypes, false),
			"IDRegDocType": ref(a.docTypes, false), "FeatureType": ref(a.feats, false),
			"PartyType": ref(a.partyTypes, false),
			"DateOfIssue": func(dec *xml.Decoder, se xml.StartElement) error {
				var d advDate
				if err := dec.DecodeElement(&d, &se); err != nil {
					return fmt.Errorf("DateOfIssue: %w", err)
				}
				a.date = d.String()
				return nil
			},
			"Location": func(dec *xml.Decoder, se xml.StartElement) error {
				var l advLocation
				if err := dec.DecodeElement(&l, &se); err != nil {
					return fmt.Errorf("location element: %w", err)
				}
				for _, c := range l.Countries {
					a.locations[l.ID] = append(a.locations[l.ID], c.ID)
				}
				return nil
			},
			"IDRegDocument": func(dec *xml.Decoder, se xml.StartElement) error {
				var d advDocument
				if err := dec.DecodeElement(&d, &se); err != nil {
					return fmt.Errorf("IDRegDocument: %w", err)
				}
				a.docs[d.IdentityID] = append(a.docs[d.IdentityID], d)
				return nil
			},
			"DistinctParty": func(dec *xml.Decoder, se xml.StartElement) error {
				var p advParty
				if err := dec.DecodeElement(&p, &se); err != nil {
					return fmt.Errorf("DistinctParty: %w", err)
				}
				a.parties = append(a.parties, p)
				return lim.checkCount(len(a.parties))
			},
			"SanctionsEntry": func(dec *xml.Decoder, se xml.StartElement) error {
				var e advSanctionsEntry
				if err := dec.DecodeElement(&e, &se); err != nil {
					return fmt.Errorf("SanctionsEntry: %w", err)
				}
				a.entries[e.ProfileID] = append(a.entries[e.ProfileID], e)
				return nil
			},
		}
		err = streamXML(file, raw, func(dec *xml.Decoder, se xml.StartElement) error {
			if h, ok := handlers[se.Name.Local]; ok {
				return h(dec, se)
			}
			return nil
		})
		if err != nil {
			return nil, "", err
		}
		return a.join(), a.date, nil
	}
}

// join builds one entry per distinct party.
func (a *advanced) join() []Entry {
	var out []Entry
	for _, p := range a.parties {
		e := Entry{ID: p.FixedRef, Key: ofacKey(p.FixedRef), Type: TypeEntity, Remarks: strings.TrimSpace(p.Comment)}
		for _, pr := range p.Profiles {
			e.Type = a.partyType(pr.SubTypeID)
			for _, id := range pr.Identities {
				for _, al := range id.Aliases {
					for _, dn := range al.Names {
						name := strings.Join(strings.Fields(strings.Join(dn.Parts, " ")), " ")
						if al.Primary && e.Name == "" {
							e.Name = name
						} else {
							e.Aliases = append(e.Aliases, name) // made unique below
						}
					}
				}
				for _, d := range a.docs[id.ID] {
					if n := strings.TrimSpace(d.Number); n != "" {
						e.Identifiers = append(e.Identifiers, Identifier{Type: a.docTypes[d.TypeID], Number: n, Country: a.countries[d.CountryID]})
					}
				}
			}
			for _, f := range pr.Features {
				for _, l := range f.Locations {
					for _, c := range a.locations[l.ID] {
						e.Countries = append(e.Countries, a.countries[c])
					}
				}
			}
			for _, se := range a.entries[pr.ID] {
				for _, m := range se.Measures {
					e.Programs = append(e.Programs, strings.TrimSpace(m.Comment))
				}
				for _, ev := range se.Events {
					e.ListedOn = minDate(e.ListedOn, ev.Date.String())
				}
			}
		}
		e.Aliases = deleteValue(appendUnique(nil, e.Aliases...), e.Name)
		e.Countries, e.Programs = appendUnique(nil, e.Countries...), appendUnique(nil, e.Programs...)
		if e.Name == "" && len(e.Aliases) > 0 {
			e.Name, e.Aliases = e.Aliases[0], e.Aliases[1:]
		}
		if e.Name != "" && e.ID != "" {
			out = append(out, e)
		}
	}
	return out
}

// partyType resolves a party subtype: Vessel and Aircraft by name, the
// "Unknown" subtypes by their party type (Individual or Entity).
func (a *advanced) partyType(sub string) string {
	if t := ofacType(a.subTypes[sub]); t != TypeEntity {
		return t
	}
	return ofacType(a.partyTypes[a.subParty[sub]])
}

func deleteValue(list []string, v string) []string {
	out := list[:0]
	for _, s := range list {
		if s != v {
			out = append(out, s)
		}
	}
	return out
}
