package vulndb

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/assayhq/assay/advisory"
	"github.com/assayhq/assay/internal/lazyre"
)

// debianReleases maps Debian code names to the release numbers OSV uses
// in ecosystem names ("Debian:11").
var debianReleases = map[string]string{
	"buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2",
	"woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
	"jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
	"trixie": "13", "forky": "14", "duke": "15",
}

var (
	debianHeaderRE  = lazyre.New(`^\[(\d{1,2} [A-Z][a-z]{2} \d{4})\]\s+([A-Z]+-\d+(?:-\d+)?)\s+(.*)$`)
	debianPackageRE = lazyre.New(`^\[([a-z-]+)\]\s+-\s+(\S+)\s+(\S+)`)
	debianCVEsRE    = lazyre.New(`^\{([^}]*)\}`)
)

// parseDebianList reads a Debian security tracker advisory list
// (data/DSA/list, data/DLA/list) and normalizes each advisory: the source
// package fixed in each release becomes an affected entry in ecosystem
// "Debian:<release>" with range introduced 0, fixed <version>; the CVEs
// become upstream IDs. Entries that do not parse are skipped and counted.
func parseDebianList(r io.Reader, list string, s sink) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	var (
		cur  *advisory.Advisory
		n    int
		line int
		seen = map[string]bool{}
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		a := cur
		cur = nil
		if len(a.Affected) == 0 && len(a.Upstream) == 0 {
			// "DSA-4205-1 jessie end-of-life", key change notices, …
			s.skip(a.ID, fmt.Sprintf("an announcement, not a package advisory (no fixed packages, no CVEs): %q", trunc(a.Summary, 60)))
			return nil
		}
		if seen[a.ID] {
			s.skip(a.ID, "duplicate advisory ID")
			return nil
		}
		seen[a.ID] = true
		if err := a.Validate(); err != nil {
			s.skip(a.ID, err.Error())
			return nil
		}
		return emit(s, a)
	}
	for sc.Scan() {
		line++
		text := sc.Text()
		if !strings.HasPrefix(text, " ") && !strings.HasPrefix(text, "\t") {
			if err := flush(); err != nil {
				return n, err
			}
			if strings.TrimSpace(text) == "" {
				continue
			}
			n++
			a, err := debianHeader(text, list)
			if err != nil {
				s.skip(fmt.Sprintf("%s line %d", list, line), err.Error())
				continue
			}
			cur = a
			continue
		}
		if cur != nil {
			debianDetail(cur, strings.TrimSpace(text))
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("%s list line %d: %w", list, line+1, err)
	}
	return n, flush()
}

func debianHeader(text, list string) (*advisory.Advisory, error) {
	m := debianHeaderRE().FindStringSubmatch(text)
	if m == nil {
		return nil, fmt.Errorf("not an advisory header: %q", trunc(text, 80))
	}
	date, err := time.Parse("2 Jan 2006", m[1])
	if err != nil {
		return nil, fmt.Errorf("%s: date %q: %w", m[2], m[1], err)
	}
	ds, _ := json.Marshal(map[string]string{"source": "debian-security-tracker", "list": list})
	return &advisory.Advisory{
		ID:               m[2],
		Modified:         date.Format(timeLayout),
		Published:        date.Format(timeLayout),
		Summary:          strings.TrimSpace(m[3]),
		References:       []advisory.Reference{{Type: "ADVISORY", URL: "https://security-tracker.debian.org/tracker/" + m[2]}},
		DatabaseSpecific: ds,
	}, nil
}

// debianDetail applies one indented line: a CVE list, a fixed version in
// a release, or a note (ignored).
func debianDetail(a *advisory.Advisory, text string) {
	if m := debianCVEsRE().FindStringSubmatch(text); m != nil {
		a.Upstream = append(a.Upstream, strings.Fields(m[1])...)
		return
	}
	m := debianPackageRE().FindStringSubmatch(text)
	if m == nil {
		return
	}
	rel, ok := debianReleases[m[1]]
	if !ok {
		return // sid, testing or an unknown suite: no numbered release
	}
	version := m[3]
	var events []advisory.Event
	switch {
	case version == "<unfixed>":
		events = []advisory.Event{{Introduced: "0"}}
	case strings.HasPrefix(version, "<"):
		return // <not-affected>, <end-of-life>, …
	default:
		events = []advisory.Event{{Introduced: "0"}, {Fixed: version}}
	}
	a.Affected = append(a.Affected, advisory.Affected{
		Package: advisory.Package{Ecosystem: "Debian:" + rel, Name: m[2]},
		Ranges:  []advisory.Range{{Type: "ECOSYSTEM", Events: events}},
	})
}
