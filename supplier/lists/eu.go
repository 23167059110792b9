package lists

import (
	"encoding/xml"
	"strings"
)

// euEntity is one <sanctionEntity> of the EU Financial Sanctions Files
// XML (namespace http://eu.europa.ec/fpi/fsd/export, version 1.1).
type euEntity struct {
	LogicalID   string `xml:"logicalId,attr"`
	EURef       string `xml:"euReferenceNumber,attr"`
	UNID        string `xml:"unitedNationId,attr"`
	Designation string `xml:"designationDate,attr"`
	Remark      string `xml:"remark"`
	Regulations []struct {
		Programme string `xml:"programme,attr"`
		Published string `xml:"publicationDate,attr"`
	} `xml:"regulation"`
	SubjectType struct {
		Code string `xml:"code,attr"`
	} `xml:"subjectType"`
	Names []struct {
		Whole  string `xml:"wholeName,attr"`
		First  string `xml:"firstName,attr"`
		Middle string `xml:"middleName,attr"`
		Last   string `xml:"lastName,attr"`
	} `xml:"nameAlias"`
	Citizenships []struct {
		Country string `xml:"countryIso2Code,attr"`
	} `xml:"citizenship"`
	Addresses []struct {
		Country string `xml:"countryIso2Code,attr"`
	} `xml:"address"`
	IDs []struct {
		Type    string `xml:"identificationTypeCode,attr"`
		Desc    string `xml:"identificationTypeDescription,attr"`
		Number  string `xml:"number,attr"`
		Country string `xml:"countryIso2Code,attr"`
	} `xml:"identification"`
}

// parseEU reads the EU consolidated financial sanctions list
// (xmlFullSanctionsList_1_1): the data date is the root's generationDate.
func parseEU(files map[string][]byte, lim Limits) ([]Entry, string, error) {
	const name = "eu-fsf.xml"
	raw, err := unpack(name, files[name], ".xml", lim)
	if err != nil {
		return nil, "", err
	}
	var entries []Entry
	date := ""
	err = streamXML(name, raw, func(dec *xml.Decoder, se xml.StartElement) error {
		switch se.Name.Local {
		case "export":
			for _, a := range se.Attr {
				if a.Name.Local == "generationDate" && len(a.Value) >= 10 {
					date = normDate(a.Value[:10])
				}
			}
		case "sanctionEntity":
			return appendElement[euEntity](dec, se, &entries, lim)
		}
		return nil
	})
	return entries, date, err
}

func (ee *euEntity) entry() (Entry, bool) {
	e := Entry{ID: firstNonEmpty(ee.EURef, ee.LogicalID), Type: TypeEntity, Remarks: strings.TrimSpace(ee.Remark), ListedOn: normDate(ee.Designation)}
	if ee.SubjectType.Code == "person" {
		e.Type = TypeIndividual
	}
	if ee.UNID != "" {
		e.Key = "un:" + strings.TrimSpace(ee.UNID)
	}
	for _, n := range ee.Names {
		full := strings.TrimSpace(n.Whole)
		if full == "" {
			full = strings.Join(strings.Fields(n.First+" "+n.Middle+" "+n.Last), " ")
		}
		if e.Name == "" {
			e.Name = full
		} else if full != e.Name {
			e.Aliases = appendUnique(e.Aliases, full)
		}
	}
	if e.Name == "" || e.ID == "" {
		return Entry{}, false
	}
	for _, r := range ee.Regulations {
		e.Programs = appendUnique(e.Programs, strings.TrimSpace(r.Programme))
		e.ListedOn = minDate(e.ListedOn, normDate(r.Published))
	}
	for _, c := range ee.Citizenships {
		e.Countries = appendUnique(e.Countries, countryCode(c.Country))
	}
	for _, a := range ee.Addresses {
		e.Countries = appendUnique(e.Countries, countryCode(a.Country))
	}
	for _, id := range ee.IDs {
		if n := strings.TrimSpace(id.Number); n != "" {
			e.Identifiers = append(e.Identifiers, Identifier{Type: firstNonEmpty(id.Desc, id.Type), Number: n, Country: countryCode(id.Country)})
		}
	}
	return e, true
}
