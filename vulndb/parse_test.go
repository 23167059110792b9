package vulndb

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

func TestParseEPSS(t *testing.T) {
	tests := []struct {
		name             string
		in               string
		records, skipped int
		wantErr          string
	}{
		{"ok", "#model_version:v2026.06.15,score_date:2026-08-16T00:00:00Z\ncve,epss,percentile\nCVE-1999-0001,0.033510000,0.876500000\n", 1, 0, ""},
		{"no comment", "cve,epss,percentile\nCVE-2024-0001,0.1,0.5\nCVE-2024-0002,0.2,0.6\n", 2, 0, ""},
		{"bad rows", "cve,epss,percentile\nCVE-2024-0001,x,0.5\nnot-a-cve,0.1,0.1\nCVE-2024-0002,0.2\nCVE-2024-0003,1.5,0.1\nCVE-2024-0004,0.2,0.6\n", 5, 4, ""},
		{"no header", "CVE-2024-0001,0.1,0.5\n", 0, 0, "want header"},
		{"empty", "", 0, 0, "no header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector
			n, err := parseEPSS(strings.NewReader(tt.in), &c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.records || len(c.skipped) != tt.skipped || len(c.scores) != n-tt.skipped {
				t.Errorf("records %d skipped %v scores %d", n, c.skipped, len(c.scores))
			}
		})
	}
}

func TestParseEPSSGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("#model_version:v1,score_date:2026-01-01T00:00:00Z\ncve,epss,percentile\nCVE-2024-0001,0.1,0.5\n"))
	zw.Close()
	var c collector
	n, err := parseEPSS(&buf, &c)
	if err != nil || n != 1 || c.metas["epss_score_date"] != "2026-01-01T00:00:00Z" {
		t.Fatalf("n=%d err=%v meta=%v", n, err, c.metas)
	}
}

func TestParseKEV(t *testing.T) {
	tests := []struct {
		name             string
		in               string
		records, skipped int
		wantErr          bool
	}{
		{"ok", `{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2025-48384","dateAdded":"2025-08-25","dueDate":"2025-09-15","knownRansomwareCampaignUse":"Unknown"}]}`, 1, 0, false},
		{"bad entry", `{"vulnerabilities":[{"cveID":"nope"},{"cveID":7},{"cveID":"CVE-2020-0001"}]}`, 3, 2, false},
		{"truncated", `{"vulnerabilities":[{"cveID":"CVE-2020-0001"},{"cveID":"CVE-20`, 0, 0, true},
		{"not json", `<html>`, 0, 0, true},
		{"no array", `{"count":0}`, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c collector
			n, err := parseKEV(strings.NewReader(tt.in), &c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && (n != tt.records || len(c.skipped) != tt.skipped) {
				t.Errorf("records %d skipped %v", n, c.skipped)
			}
		})
	}
}

func TestParseDebianList(t *testing.T) {
	in := "[29 Mar 2023] DSA-5380-1 xorg-server - security update\n" +
		"\t{CVE-2023-1393}\n" +
		"\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n" +
		"\t[sid] - xorg-server 2:21.1.7-3\n" +
		"[17 Mar 2023] DSA-5356-2 sox - regression update\n" +
		"\t[bullseye] - sox 14.4.2+git20190427-2+deb11u2\n" +
		"\t[buster] - sox <not-affected> (Vulnerable code not present)\n" +
		"\tNOTE: fixed in testing at time of DSA\n" +
		"[18 Apr 2018] DSA-4205-1 jessie end-of-life\n" +
		"[26 Feb 2009] DSA-1727-1  - SQL injection vulnerabilites\n" +
		"\t[etch] - proftpd-dfsg 1.3.0-19etch2\n" +
		"garbage line\n" +
		"[29 Mar 2023] DSA-5380-1 xorg-server - duplicate\n" +
		"\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n" +
		"[02 Aug 2003] DSA-343 skk, ddskk - insecure temporary file\n" +
		"\t{CVE-2003-0539}\n"
	var c collector
	n, err := parseDebianList(strings.NewReader(in), "DSA", &c)
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 || len(c.advisories) != 4 || len(c.skipped) != 3 {
		t.Fatalf("records %d advisories %d skipped %v", n, len(c.advisories), c.skipped)
	}
	a := c.advisories[0]
	if a.ID != "DSA-5380-1" || len(a.Affected) != 1 || a.Affected[0].Package.Ecosystem != "Debian:11" ||
		a.Affected[0].Ranges[0].Events[1].Fixed != "2:1.20.11-1+deb11u6" || a.Upstream[0] != "CVE-2023-1393" {
		t.Errorf("DSA-5380-1 normalized to %+v", a)
	}
	if got := c.advisories[1].Affected; len(got) != 1 {
		t.Errorf("DSA-5356-2 affected %+v: <not-affected> must not become a range", got)
	}
	if got := c.advisories[2].Affected[0].Package; got.Name != "proftpd-dfsg" || got.Ecosystem != "Debian:4" {
		t.Errorf("DSA-1727-1 package %+v", got)
	}
}

func TestParseAlpine(t *testing.T) {
	in := `{"distroversion":"v3.11","reponame":"main","packages":[
		{"pkg":{"name":"ansible","secfixes":{"2.9.3-r0":["CVE-2019-14904","CVE-2019-14905"],"0":["CVE-2000-0001"]}}},
		{"pkg":{"name":"xen","secfixes":{"4.12.1-r0":["CVE-????-?????  XSA-295"]}}},
		{"pkg":{"secfixes":{}}}]}`
	var m alpineMerger
	var c collector
	n, err := m.add(strings.NewReader(in), "v3.11/main.json", &c)
	if err != nil || n != 3 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if err := m.emit("2020-06-08T00:00:00Z", &c); err != nil {
		t.Fatal(err)
	}
	if len(c.advisories) != 2 || len(c.skipped) != 2 {
		t.Fatalf("advisories %d skipped %v", len(c.advisories), c.skipped)
	}
	a := c.advisories[0]
	if a.ID != "ALPINE-CVE-2019-14904" || a.Aliases[0] != "CVE-2019-14904" || a.Affected[0].Package.Ecosystem != "Alpine:v3.11" {
		t.Errorf("normalized %+v", a)
	}
	if _, err := m.add(strings.NewReader(`{"distroversion":"edge"}`), "edge/main.json", &c); err == nil {
		t.Error("accepted a distroversion that is not v<major>.<minor>")
	}
}

func TestParseNVDFeed(t *testing.T) {
	f, err := os.Open(filepath.Join(mirrortest.VulnDir(t), "nvd", "nvdcve-2.0-embedded.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c collector
	n, err := parseNVDFile(f, &c)
	if err != nil || n != 18 || len(c.advisories) != 18 {
		t.Fatalf("n=%d advisories=%d err=%v skipped=%v", n, len(c.advisories), err, c.skipped)
	}
	withConfigs := 0
	for _, a := range c.advisories {
		if len(a.Configurations) > 0 {
			withConfigs++
		}
	}
	if withConfigs != 12 {
		t.Errorf("%d records with configurations, want 12", withConfigs)
	}
}

func TestParseOSVZipSkipsBadMembers(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, body string) {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	add("GO-2099-0001.json", `{"id":"GO-2099-0001","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"example.com/m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]}]}]}`)
	add("bad.json", `{"id":`)
	add("noid.json", `{"modified":"2024-01-01T00:00:00Z"}`)
	add("badtime.json", `{"id":"X-1","modified":"yesterday"}`)
	add("badrange.json", `{"id":"X-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"WEIRD","events":[{"introduced":"0"}]}]}]}`)
	add("README.txt", "hello")
	zw.Close()
	var c collector
	n, err := parseOSVZip(context.Background(), bytes.NewReader(buf.Bytes()), int64(buf.Len()), &c)
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 || len(c.advisories) != 1 || len(c.skipped) != 5 {
		t.Errorf("records %d advisories %d skipped %v", n, len(c.advisories), c.skipped)
	}
}

func FuzzParseOSVZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("GO-2099-0001.json")
	w.Write([]byte(`{"id":"GO-2099-0001","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2099-0001"],"affected":[{"package":{"ecosystem":"Go","name":"m"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.2.3"}]}]}]}`))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collector
		parseOSVZip(context.Background(), bytes.NewReader(data), int64(len(data)), &c)
	})
}

func FuzzParseKEV(f *testing.F) {
	f.Add([]byte(`{"catalogVersion":"2025.08.25","vulnerabilities":[{"cveID":"CVE-2025-48384","vendorProject":"Git","dateAdded":"2025-08-25","dueDate":"2025-09-15","knownRansomwareCampaignUse":"Unknown"}]}`))
	f.Add([]byte(`{"vulnerabilities":[{"cveID":"CVE-20`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collector
		n, err := parseKEV(bytes.NewReader(data), &c)
		if err == nil && len(c.kevs)+len(c.skipped) != n {
			t.Fatalf("records %d != kevs %d + skipped %d", n, len(c.kevs), len(c.skipped))
		}
	})
}

func FuzzParseEPSS(f *testing.F) {
	f.Add([]byte("#model_version:v2026.06.15,score_date:2026-08-16T00:00:00Z\ncve,epss,percentile\nCVE-1999-0001,0.033510000,0.876500000\n"))
	f.Add([]byte("cve,epss,percentile\nCVE-2024-0001,x,0.5\n"))
	f.Add([]byte{0x1f, 0x8b, 0x08})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collector
		n, err := parseEPSS(bytes.NewReader(data), &c)
		if err == nil && len(c.scores)+len(c.skipped) != n {
			t.Fatalf("records %d != scores %d + skipped %d", n, len(c.scores), len(c.skipped))
		}
	})
}

func FuzzParseNVD(f *testing.F) {
	f.Add([]byte(`{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{"id":"CVE-2022-28391","published":"2022-04-03T21:15:08.087","lastModified":"2024-11-21T06:57:18.627","vulnStatus":"Modified","metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H","baseScore":8.8}}]},"configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"}]}]}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collector
		parseNVD(bytes.NewReader(data), &c)
	})
}

func FuzzParseDebianList(f *testing.F) {
	f.Add([]byte("[29 Mar 2023] DSA-5380-1 xorg-server - security update\n\t{CVE-2023-1393}\n\t[bullseye] - xorg-server 2:1.20.11-1+deb11u6\n"))
	f.Add([]byte("[02 Jul 2002] DSA-135 libapache-mod-ssl -- buffer overflow / DoS\n\t{CVE-2002-0653}\n\t[woody] - libapache-mod-ssl 2.8.9-2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collector
		parseDebianList(bytes.NewReader(data), "DSA", &c)
	})
}

func FuzzParseAlpine(f *testing.F) {
	f.Add([]byte(`{"distroversion":"v3.11","reponame":"main","packages":[{"pkg":{"name":"ansible","secfixes":{"2.9.3-r0":["CVE-2019-14904"]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m alpineMerger
		var c collector
		if _, err := m.add(bytes.NewReader(data), "fuzz.json", &c); err == nil {
			m.emit("2020-01-01T00:00:00Z", &c)
		}
	})
}
