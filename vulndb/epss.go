package vulndb

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parseEPSS reads an EPSS scores CSV (gzip-compressed when it starts with
// the gzip magic): an optional "#model_version:…,score_date:…" comment,
// the header "cve,epss,percentile", then one row per CVE. Bad rows are
// skipped and counted.
func parseEPSS(r io.Reader, s sink) (int, error) {
	r, closeFn, err := maybeGunzip(r)
	if err != nil {
		return 0, fmt.Errorf("EPSS scores: gzip: %w", err)
	}
	defer closeFn()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	line, n, header := 0, 0, false
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "#"):
			for _, kv := range strings.Split(strings.TrimPrefix(text, "#"), ",") {
				if k, v, ok := strings.Cut(kv, ":"); ok {
					s.meta("epss_"+strings.TrimSpace(k), strings.TrimSpace(v))
				}
			}
			continue
		case !header:
			if !strings.HasPrefix(strings.ToLower(text), "cve,epss,percentile") {
				return 0, fmt.Errorf("EPSS scores: line %d: want header cve,epss,percentile, got %q", line, trunc(text, 80))
			}
			header = true
			continue
		}
		n++
		score, err := parseEPSSRow(text)
		if err != nil {
			s.skip(fmt.Sprintf("line %d", line), err.Error())
			continue
		}
		if err := s.epss(score); err != nil {
			return n, err
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("EPSS scores: line %d: %w", line+1, err)
	}
	if !header {
		return 0, fmt.Errorf("EPSS scores: no header line")
	}
	return n, nil
}

func parseEPSSRow(text string) (EPSSScore, error) {
	f := strings.Split(text, ",")
	if len(f) < 3 {
		return EPSSScore{}, fmt.Errorf("want 3 fields, got %d", len(f))
	}
	if !cveRE().MatchString(f[0]) {
		return EPSSScore{}, fmt.Errorf("invalid CVE ID %q", trunc(f[0], 40))
	}
	score, err1 := strconv.ParseFloat(f[1], 64)
	pct, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil || score < 0 || score > 1 || pct < 0 || pct > 1 {
		return EPSSScore{}, fmt.Errorf("invalid score or percentile %q,%q", trunc(f[1], 20), trunc(f[2], 20))
	}
	return EPSSScore{CVE: f[0], Score: score, Percentile: pct}, nil
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
