package signals

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Problem categories (issue 5's output contract) counted as backdoor-like
// for F1: each gives an outsider control of the device or its
// credentials.
var backdoorCategories = map[string]bool{
	"backdoor-account":        true,
	"backdoor-service":        true,
	"remote-access-service":   true,
	"debug-interface":         true,
	"hardcoded-password-hash": true,
	"empty-password":          true,
	"private-key":             true,
	"api-secret":              true,
	"insecure-update":         true,
}

// endpointCategory is the problem category of an outbound endpoint (F5).
const endpointCategory = "outbound-endpoint"

// scanDoc is the part of an assay.scan/v1 document the signals use.
type scanDoc struct {
	Targets []struct {
		Kind       string `json:"kind"`
		Components int    `json:"components"`
		Assessed   int    `json:"assessed"`
	} `json:"targets"`
	Findings []struct {
		ID        string `json:"id"`
		Component struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			PURL    string `json:"purl"`
		} `json:"component"`
		Severity struct {
			Level string `json:"level"`
		} `json:"severity"`
		KEV        json.RawMessage `json:"kev"`
		Suppressed json.RawMessage `json:"suppressed"`
	} `json:"findings"`
	// Problems lists the hidden problems found in firmware images (the
	// key may be absent when there are none: targets of kind firmware say
	// the image was analysed).
	Problems *[]struct {
		Category   string          `json:"category"`
		Severity   string          `json:"severity"`
		Path       string          `json:"path"`
		Detail     string          `json:"detail"`
		Evidence   string          `json:"evidence"`
		Suppressed json.RawMessage `json:"suppressed"`
	} `json:"problems"`
}

// present reports whether a JSON value is given and not null.
func present(v json.RawMessage) bool {
	s := strings.TrimSpace(string(v))
	return s != "" && s != "null"
}

// scan reads the signals of an assay.scan/v1 document. Suppressed
// findings (VEX, ignore rules) do not count; a vulnerability found in the
// same component twice (two targets of one scan) counts once. Problems of
// severity info are not counted.
func (d *Document) scan(data []byte) error {
	var doc scanDoc
	if err := decode(data, ScanSchema, &doc); err != nil {
		return err
	}
	s := &d.Signals
	firmware := doc.Problems != nil
	for i, t := range doc.Targets {
		if t.Components < 0 || t.Assessed < 0 {
			return fmt.Errorf("targets[%d]: negative component count", i)
		}
		s.ComponentsTotal += t.Components
		s.ComponentsUnknown += max(t.Components-t.Assessed, 0)
		firmware = firmware || t.Kind == "firmware"
	}
	s.VulnsAssessed = s.ComponentsTotal > 0
	seen := map[string]bool{}
	for _, f := range doc.Findings {
		if present(f.Suppressed) {
			continue
		}
		comp := f.Component.PURL
		if comp == "" {
			comp = f.Component.Name + "@" + f.Component.Version
		}
		if k := f.ID + "\x00" + comp; seen[k] {
			continue
		} else {
			seen[k] = true
		}
		if present(f.KEV) {
			s.KEV++
		}
		switch strings.ToLower(f.Severity.Level) {
		case "critical":
			s.Critical++
		case "high":
			s.High++
		}
	}
	if s.VulnsAssessed {
		d.Families = append(d.Families, FamilyVulns)
	}
	if !firmware {
		return nil
	}
	s.FirmwareAssessed = true
	d.Families = append(d.Families, FamilyFirmware)
	endpoints := map[string]bool{}
	if doc.Problems == nil {
		return nil
	}
	for _, p := range *doc.Problems {
		if present(p.Suppressed) || strings.EqualFold(p.Severity, "info") {
			continue
		}
		switch {
		case backdoorCategories[p.Category]:
			s.Backdoor++
		case p.Category == endpointCategory:
			for _, e := range endpointsOf(p.Path, p.Detail, string(p.Evidence)) {
				if !endpoints[e] {
					endpoints[e] = true
					s.Endpoints++
				}
			}
		}
	}
	return nil
}

// urlRE finds URLs in problem text.
var urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>,;]+`)

// endpointsOf names the endpoints of one outbound-endpoint problem, so
// that an endpoint found in several files counts once: the URLs in its
// detail or evidence, else the comma-separated list after the detail's
// last colon ("contacts 2 outbound endpoint(s): a.example, 192.0.2.7"),
// else the problem itself.
func endpointsOf(path, detail, evidence string) []string {
	if us := urlRE.FindAllString(detail+" "+evidence, -1); len(us) > 0 {
		for i, u := range us {
			us[i] = strings.TrimRight(u, ".:)")
		}
		return us
	}
	if i := strings.LastIndex(detail, ": "); i >= 0 {
		var out []string
		for _, v := range strings.Split(detail[i+2:], ",") {
			if v = strings.TrimSpace(v); v != "" && v != "…" && !strings.ContainsAny(v, " \t") {
				out = append(out, v)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []string{path + "\x00" + detail + "\x00" + evidence}
}
