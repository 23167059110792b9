package vulndb

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/assayhq/assay/advisory"
)

// codecBriefs are briefs with every field set and with none.
var codecBriefs = []*Brief{
	{Key: "GO-2024-0001", IDs: []string{"GO-2024-0001"}, Summary: map[string]string{"GO-2024-0001": ""},
		Upstream: map[string][]string{"GO-2024-0001": {}}},
	{
		Key: "CVE-2021-44228", IDs: []string{"CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q", "DLA-2842-1"},
		Summary:  map[string]string{"GHSA-jfh8-c2jp-5v3q": "Remote code injection in Log4j", "DLA-2842-1": "apache-log4j2 - security update"},
		Upstream: map[string][]string{"GHSA-jfh8-c2jp-5v3q": {}, "DLA-2842-1": {"CVE-2021-44228", "CVE-2021-45046"}},
		Severity: &advisory.Score{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", Base: 10, Level: "critical", Source: "nvd@nist.gov"},
		KEV: []*KEVEntry{{CVE: "CVE-2021-44228", VendorProject: "Apache", Product: "Log4j2", VulnerabilityName: "Apache Log4j2 Remote Code Execution Vulnerability",
			DateAdded: "2021-12-10", ShortDescription: "ünïcode", RequiredAction: "Apply updates.", DueDate: "2021-12-24",
			KnownRansomwareCampaignUse: "Known", Notes: "https://example.org", CWEs: []string{"CWE-20", "CWE-400"}}},
		EPSS: []EPSSScore{{CVE: "CVE-2021-44228", Score: 0.94358, Percentile: 0.99999}, {CVE: "CVE-2021-45046", Score: 1e-5, Percentile: 0}},
	},
}

func TestBriefCodecRoundTrip(t *testing.T) {
	for _, b := range codecBriefs {
		got, err := decodeBrief(encodeBrief(b))
		if err != nil {
			t.Fatalf("%s: %v", b.Key, err)
		}
		if !reflect.DeepEqual(got, b) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, b)
		}
	}
}

func TestBriefCodecRejectsCorruption(t *testing.T) {
	enc := encodeBrief(codecBriefs[1])
	for i := 1; i < len(enc); i++ {
		if _, err := decodeBrief(enc[:i]); err == nil {
			t.Errorf("truncated at %d of %d: no error", i, len(enc))
		}
	}
	if _, err := decodeBrief(append(enc, 0)); err == nil {
		t.Error("trailing byte: no error")
	}
	if _, err := decodeBrief([]byte{9}); err == nil {
		t.Error("unknown version: no error")
	}
}

func FuzzDecodeBrief(f *testing.F) {
	for _, b := range codecBriefs {
		f.Add(encodeBrief(b))
	}
	f.Add([]byte{1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := decodeBrief(data)
		if err != nil {
			return
		}
		// Encodings are compared, not values: a NaN score is not equal
		// to itself.
		enc := encodeBrief(b)
		again, err := decodeBrief(enc)
		if err != nil || !bytes.Equal(encodeBrief(again), enc) {
			t.Fatalf("re-encoding a decoded brief: %+v, %v; want %+v", again, err, b)
		}
	})
}
