package vulndb

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/assayhq/assay/advisory"
)

// sink receives what a feed parser reads. Parsers never touch the
// database: the update writes through a sink, and tests and fuzz targets
// collect into one.
type sink interface {
	// advisory receives one valid record, prepared for storage.
	advisory(r *record) error
	// kev receives one KEV catalogue entry.
	kev(e *KEVEntry) error
	// epss receives one EPSS score.
	epss(s EPSSScore) error
	// skip records a malformed record that was left out, and why.
	skip(record, reason string)
	// meta records a property of the feed (e.g. the EPSS score date).
	meta(key, value string)
}

// KEVEntry is one entry of the CISA Known Exploited Vulnerabilities
// catalogue, with the field names of its JSON feed.
type KEVEntry struct {
	CVE                        string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription,omitempty"`
	RequiredAction             string   `json:"requiredAction,omitempty"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes,omitempty"`
	CWEs                       []string `json:"cwes,omitempty"`
}

// EPSSScore is the Exploit Prediction Scoring System probability of a CVE
// and its percentile.
type EPSSScore struct {
	CVE        string  `json:"cve"`
	Score      float64 `json:"score"`
	Percentile float64 `json:"percentile"`
}

// collector is a sink that keeps everything in memory (tests, fuzzing).
type collector struct {
	advisories []*advisory.Advisory
	kevs       []*KEVEntry
	scores     []EPSSScore
	skipped    []string
	metas      map[string]string
}

func (c *collector) advisory(r *record) error {
	c.advisories = append(c.advisories, r.adv)
	return nil
}
func (c *collector) kev(e *KEVEntry) error      { c.kevs = append(c.kevs, e); return nil }
func (c *collector) epss(s EPSSScore) error     { c.scores = append(c.scores, s); return nil }
func (c *collector) skip(record, reason string) { c.skipped = append(c.skipped, record+": "+reason) }
func (c *collector) meta(key, value string) {
	if c.metas == nil {
		c.metas = map[string]string{}
	}
	c.metas[key] = value
}

// record is an advisory prepared for storage: encoded, with its package
// and CPE index rows. Preparing is the costly part of an import, so
// parsers do it in parallel and the single database writer only stores.
type record struct {
	adv      *advisory.Advisory
	modified string
	summary  string // one line
	scores   []byte // encoded []advisory.Score of the record and its affected entries
	data     []byte
	pkgs     []pkgRow
	cpes     [][2]string // vendor, product
}

// pkgRow is one (ecosystem, normalized name) with the record's affected
// entries for that package, encoded.
type pkgRow struct {
	ecosystem, name string
	data            []byte
}

// prepare encodes a valid advisory for storage.
func prepare(a *advisory.Advisory) (*record, error) {
	mod, err := advisory.ParseTime(a.Modified)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.ID, err)
	}
	a.Modified = mod.Format(timeLayout)
	r := &record{adv: a, modified: a.Modified, summary: oneLine(a.Summary, a.Details)}
	if r.data, err = json.Marshal(a); err != nil {
		return nil, fmt.Errorf("encode %s: %w", a.ID, err)
	}
	scores := advisory.Scores(a.Severity)
	for _, af := range a.Affected {
		scores = append(scores, advisory.Scores(af.Severity)...)
	}
	if r.scores, err = json.Marshal(scores); err != nil {
		return nil, fmt.Errorf("encode %s: %w", a.ID, err)
	}
	type key struct{ eco, name string }
	byPkg := map[key][]advisory.Affected{}
	var order []key
	for _, af := range a.Affected {
		if af.Package.Name == "" {
			continue
		}
		k := key{af.Package.Ecosystem, advisory.NormalizeName(af.Package.Ecosystem, af.Package.Name)}
		if _, ok := byPkg[k]; !ok {
			order = append(order, k)
		}
		byPkg[k] = append(byPkg[k], af)
	}
	for _, k := range order {
		r.pkgs = append(r.pkgs, pkgRow{k.eco, k.name, encodeAffected(byPkg[k])})
	}
	seen := map[[2]string]bool{}
	for _, c := range a.Configurations {
		for _, n := range c.Nodes {
			for _, m := range n.CPEMatch {
				if v, p, ok := advisory.CPEVendorProduct(m.Criteria); ok && !seen[[2]string{v, p}] {
					seen[[2]string{v, p}] = true
					r.cpes = append(r.cpes, [2]string{v, p})
				}
			}
		}
	}
	return r, nil
}

// emit prepares a and sends it to s.
func emit(s sink, a *advisory.Advisory) error {
	r, err := prepare(a)
	if err != nil {
		return err
	}
	return s.advisory(r)
}

// oneLine returns the first line of the first non-empty text, at most
// 200 bytes.
func oneLine(texts ...string) string {
	for _, s := range texts {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		if len(s) > 200 {
			s = s[:200]
		}
		return s
	}
	return ""
}
