package advisory

import (
	"math"
	"strings"
	"testing"
)

func TestParseCVSS(t *testing.T) {
	tests := []struct {
		vector  string
		version string
		base    float64
		level   string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "critical"},
		{"CVSS:3.0/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "3.0", 4.2, "medium"},
		{"AV:L/AC:M/Au:N/C:P/I:N/A:N", "2.0", 1.9, "low"},
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", "2.0", 10.0, "high"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "critical"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:N", "3.1", 0, "none"},
	}
	for _, tt := range tests {
		s, err := ParseCVSS(tt.vector)
		if err != nil {
			t.Errorf("%s: %v", tt.vector, err)
			continue
		}
		if s.Version != tt.version || math.Abs(s.Base-tt.base) > 0.001 || s.Level != tt.level {
			t.Errorf("%s = %s %.1f %s, want %s %.1f %s", tt.vector, s.Version, s.Base, s.Level, tt.version, tt.base, tt.level)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:X", "CVSS:9.9/AV:N", "hello"} {
		if _, err := ParseCVSS(bad); err == nil {
			t.Errorf("ParseCVSS(%q) succeeded", bad)
		}
	}
}

func TestBest(t *testing.T) {
	sevs := []Severity{
		{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:C/I:C/A:C", Source: "nvd@nist.gov"},
		{Type: "CVSS_V3", Score: "CVSS:3.0/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", Source: "nvd@nist.gov"},
		{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", Source: "cna@example.com"},
		{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"},
		{Type: "Ubuntu", Score: "high"},
		{Type: "CVSS_V3", Score: "garbage"},
	}
	best, ok := Best(Scores(sevs))
	if !ok || best.Version != "3.1" || best.Source != "" || best.Base != 7.5 {
		t.Errorf("best = %+v, want the advisory's own CVSS 3.1 7.5", best)
	}
	sevs = append(sevs, Severity{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", Source: "x"})
	if best, _ := Best(Scores(sevs)); best.Version != "4.0" {
		t.Errorf("best = %+v, want CVSS 4.0 first", best)
	}
	if _, ok := Best(nil); ok {
		t.Error("Best(nil) reported a score")
	}
}

func TestGrouper(t *testing.T) {
	var g Grouper
	g.Add("GO-2023-1840", "CVE-2023-29403", "GHSA-xxxx")
	g.Add("PYSEC-1", "GHSA-yyyy")
	g.Add("OSV-1", "GHSA-yyyy", "CVE-2020-0002")
	g.Add("ALONE")
	got := g.Groups()
	want := map[string]string{
		"GO-2023-1840": "CVE-2023-29403", "CVE-2023-29403": "CVE-2023-29403", "GHSA-xxxx": "CVE-2023-29403",
		"PYSEC-1": "CVE-2020-0002", "GHSA-yyyy": "CVE-2020-0002", "OSV-1": "CVE-2020-0002", "CVE-2020-0002": "CVE-2020-0002",
		"ALONE": "ALONE",
	}
	for id, key := range want {
		if got[id] != key {
			t.Errorf("group of %s = %s, want %s", id, got[id], key)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Django_REST.framework", "django-rest-framework"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"npm", "@Scope/Pkg", "@scope/pkg"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"Debian:12", "OpenSSL", "OpenSSL"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.eco, tt.in); got != tt.want {
			t.Errorf("NormalizeName(%s, %s) = %s, want %s", tt.eco, tt.in, got, tt.want)
		}
	}
}

func TestParseValidates(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"ok", `{"id":"X-1","modified":"2024-01-01T00:00:00Z"}`, ""},
		{"zone-less time", `{"id":"X-1","modified":"2024-01-01T00:00:00"}`, ""},
		{"no id", `{"modified":"2024-01-01T00:00:00Z"}`, "no id"},
		{"bad time", `{"id":"X-1","modified":"soon"}`, "modified"},
		{"bad withdrawn", `{"id":"X-1","modified":"2024-01-01T00:00:00Z","withdrawn":"never"}`, "withdrawn"},
		{"two fields in one event", `{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]}]}`, "exactly one"},
		{"no events", `{"id":"X-1","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"GIT","events":[]}]}]}`, "no events"},
		{"not json", `[1,2]`, "decode"},
		{"deep nesting", strings.Repeat("[", 100_000), "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Parse: %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"schema_version":"1.3.1","id":"GO-2023-1840","modified":"2024-05-20T16:03:47Z","aliases":["CVE-2023-29403"],"affected":[{"package":{"name":"stdlib","ecosystem":"Go"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.19.10"}]}],"ecosystem_specific":{"imports":[{"path":"runtime"}]}}]}`))
	f.Add([]byte(`{"id":"X","modified":"2024-01-01T00:00:00Z","withdrawn":"2024-01-02T00:00:00Z"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err == nil && a.ID == "" {
			t.Fatal("accepted a record without an ID")
		}
	})
}

func FuzzParseCVSS(f *testing.F) {
	for _, v := range []string{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV:L/AC:M/Au:N/C:P/I:N/A:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:3.0/AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		s, err := ParseCVSS(v)
		if err == nil && (s.Base < 0 || s.Base > 10) {
			t.Fatalf("%q scored %v", v, s.Base)
		}
	})
}
