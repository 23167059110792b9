package vulndb

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/assayhq/assay/advisory"
)

func TestAffectedCodecRoundTrip(t *testing.T) {
	tests := [][]advisory.Affected{
		nil,
		{{Package: advisory.Package{Ecosystem: "Go", Name: "stdlib"}}},
		{{
			Package:  advisory.Package{Ecosystem: "PyPI", Name: "django", PURL: "pkg:pypi/django"},
			Severity: []advisory.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Source: "x"}},
			Ranges: []advisory.Range{
				{Type: "ECOSYSTEM", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "3.2.16"}, {LastAffected: "4.0"}, {Limit: "5"}}},
				{Type: "GIT", Repo: "https://github.com/django/django", Events: []advisory.Event{{Introduced: "abc"}}, DatabaseSpecific: json.RawMessage(`{"k":1}`)},
			},
			Versions:          []string{"3.2", "3.2.1", "ünïcode"},
			EcosystemSpecific: json.RawMessage(`{"imports":[{"path":"os","goos":["windows"]}]}`),
			DatabaseSpecific:  json.RawMessage(`{"source":"x"}`),
		}, {Package: advisory.Package{Ecosystem: "Debian:11", Name: "xorg-server"}}},
	}
	for _, afs := range tests {
		got, err := decodeAffected(encodeAffected(afs))
		if err != nil {
			t.Fatal(err)
		}
		if len(afs) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, afs) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, afs)
		}
	}
}

func TestAffectedCodecRejectsCorruption(t *testing.T) {
	enc := encodeAffected([]advisory.Affected{{Package: advisory.Package{Ecosystem: "Go", Name: "m"}, Versions: []string{"1.0"}}})
	for i := 1; i < len(enc); i++ {
		if _, err := decodeAffected(enc[:i]); err == nil {
			t.Errorf("truncated at %d of %d: no error", i, len(enc))
		}
	}
	if _, err := decodeAffected(append(enc, 0)); err == nil {
		t.Error("trailing byte: no error")
	}
	if _, err := decodeAffected([]byte{9}); err == nil {
		t.Error("unknown version: no error")
	}
}

func FuzzDecodeAffected(f *testing.F) {
	f.Add(encodeAffected([]advisory.Affected{{Package: advisory.Package{Ecosystem: "Go", Name: "m"}, Ranges: []advisory.Range{{Type: "SEMVER", Events: []advisory.Event{{Introduced: "0"}, {Fixed: "1.2.3"}}}}}}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		afs, err := decodeAffected(data)
		if err != nil {
			return
		}
		if again, err := decodeAffected(encodeAffected(afs)); err != nil || len(again) != len(afs) {
			t.Fatalf("re-encoding a decoded value failed: %v", err)
		}
	})
}
