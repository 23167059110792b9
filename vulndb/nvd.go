package vulndb

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/advisory"
)

// nvdCVE is the part of an NVD CVE API 2.0 record Assay keeps.
type nvdCVE struct {
	ID           string `json:"id"`
	Published    string `json:"published"`
	LastModified string `json:"lastModified"`
	VulnStatus   string `json:"vulnStatus"`
	Descriptions []struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Metrics struct {
		V40 []nvdMetric `json:"cvssMetricV40"`
		V31 []nvdMetric `json:"cvssMetricV31"`
		V30 []nvdMetric `json:"cvssMetricV30"`
		V2  []nvdMetric `json:"cvssMetricV2"`
	} `json:"metrics"`
	Configurations []advisory.Config `json:"configurations"`
	References     []struct {
		URL  string   `json:"url"`
		Tags []string `json:"tags"`
	} `json:"references"`
}

type nvdMetric struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData struct {
		Version      string  `json:"version"`
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
	} `json:"cvssData"`
}

// nvdPage is the top level of an NVD feed file or API response.
type nvdPage struct {
	ResultsPerPage int
	StartIndex     int
	TotalResults   int
}

// parseNVD reads an NVD CVE JSON 2.0 document (a feed file or one API
// page) and sends each CVE, normalized into an advisory, to s. Malformed
// records are skipped and counted.
func parseNVD(r io.Reader, s sink) (int, nvdPage, error) {
	var page nvdPage
	n := 0
	err := streamArray(r, "vulnerabilities", func(raw json.RawMessage) error {
		n++
		var item struct {
			CVE nvdCVE `json:"cve"`
		}
		if err := json.Unmarshal(raw, &item); err != nil {
			s.skip(fmt.Sprintf("vulnerabilities[%d]", n-1), err.Error())
			return nil
		}
		a, err := item.CVE.advisory()
		if err != nil {
			s.skip(fmt.Sprintf("vulnerabilities[%d] %s", n-1, item.CVE.ID), err.Error())
			return nil
		}
		return emit(s, a)
	}, func(key string, raw json.RawMessage) {
		switch key {
		case "resultsPerPage":
			json.Unmarshal(raw, &page.ResultsPerPage)
		case "startIndex":
			json.Unmarshal(raw, &page.StartIndex)
		case "totalResults":
			json.Unmarshal(raw, &page.TotalResults)
		case "timestamp":
			var v string
			if json.Unmarshal(raw, &v) == nil {
				s.meta("nvd_timestamp", v)
			}
		}
	})
	if err != nil {
		return n, page, fmt.Errorf("NVD CVE JSON: %w", err)
	}
	return n, page, nil
}

// advisory normalizes an NVD record: CVSS metrics become severities with
// their source, a rejected CVE is withdrawn, and the CPE configurations
// are kept for matching.
func (c *nvdCVE) advisory() (*advisory.Advisory, error) {
	if !cveRE().MatchString(c.ID) {
		return nil, fmt.Errorf("invalid CVE ID %q", trunc(c.ID, 40))
	}
	mod, err := advisory.ParseTime(c.LastModified)
	if err != nil {
		return nil, fmt.Errorf("lastModified: %w", err)
	}
	a := &advisory.Advisory{
		ID:             c.ID,
		Modified:       mod.Format(timeLayout),
		Configurations: c.Configurations,
	}
	if p, err := advisory.ParseTime(c.Published); err == nil {
		a.Published = p.Format(timeLayout)
	}
	if strings.EqualFold(c.VulnStatus, "Rejected") {
		a.Withdrawn = a.Modified
	}
	for _, d := range c.Descriptions {
		if d.Lang == "en" {
			a.Details = d.Value
			break
		}
	}
	for _, group := range []struct {
		typ     string
		metrics []nvdMetric
	}{{"CVSS_V4", c.Metrics.V40}, {"CVSS_V3", c.Metrics.V31}, {"CVSS_V3", c.Metrics.V30}, {"CVSS_V2", c.Metrics.V2}} {
		for _, m := range group.metrics {
			if m.CVSSData.VectorString != "" {
				a.Severity = append(a.Severity, advisory.Severity{Type: group.typ, Score: m.CVSSData.VectorString, Source: m.Source})
			}
		}
	}
	for _, ref := range c.References {
		a.References = append(a.References, advisory.Reference{Type: "WEB", URL: ref.URL})
	}
	status, _ := json.Marshal(map[string]string{"source": "nvd", "vulnStatus": c.VulnStatus})
	a.DatabaseSpecific = status
	return a, a.Validate()
}

// timeLayout is how Assay stores timestamps: RFC 3339 in UTC.
const timeLayout = "2006-01-02T15:04:05.999999999Z07:00"
