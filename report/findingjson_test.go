package report

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/assayhq/assay/match"
	"github.com/assayhq/assay/scan"
	"github.com/assayhq/assay/vulndb"
)

// fill sets every field reachable from v to a non-zero value (slices get
// two elements, pointers a value), so that a field the hand-written
// encoder does not know about shows up as a difference from
// encoding/json.
func fill(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(7.25)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(3)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(3)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), s)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(v.Index(0), s+"0")
		fill(v.Index(1), s+"1")
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, s+"k")
		fill(e, s+"v")
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), s+v.Type().Field(i).Name)
			}
		}
	}
}

func TestAppendFindingMatchesMarshal(t *testing.T) {
	var full scan.Finding
	fill(reflect.ValueOf(&full).Elem(), "x<&>\u2028\"\\\n")
	tests := []struct {
		name string
		f    scan.Finding
	}{
		{"zero (nil slices and pointers)", scan.Finding{}},
		{"every field set", full},
		{"typical", scan.Finding{
			ID: "GO-2023-1988", Aliases: []string{"CVE-2023-3978", "GHSA-2wrh-6pvc-2jm9"}, Summary: "Improper rendering of text nodes in golang.org/x/net/html",
			Component: scan.Component{Name: "golang.org/x/net", Version: "v0.7.0", Ecosystem: "Go", PURL: "pkg:golang/golang.org/x/net@v0.7.0", Locations: []string{"go.mod"}},
			Target:    "go.mod", Severity: scan.Severity{Level: "medium", Score: 6.1, Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", Source: "nvd@nist.gov"},
			EPSS:  &vulndb.EPSSScore{CVE: "CVE-2023-3978", Score: 0.00043, Percentile: 0.10718},
			Fixed: []string{}, Match: match.Evidence{By: "purl", Identifier: "pkg:golang/golang.org/x/net@v0.7.0", Advisory: "GO-2023-1988", Rule: "introduced 0, fixed 0.13.0"},
		}},
		{"kev, suppressed, empty lists", scan.Finding{ID: "CVE-1", Aliases: []string{}, Fixed: []string{}, Upstream: []string{},
			Component:  scan.Component{CPEs: []string{}, Locations: []string{}},
			KEV:        &vulndb.KEVEntry{CVE: "CVE-1", DateAdded: "2024-01-01", CWEs: []string{"CWE-79"}},
			Suppressed: &scan.Suppression{By: "vex:a.json", Reason: "not_affected: vulnerable_code_not_present"}}},
		{"awkward strings", scan.Finding{ID: "a\x00b\x1f\x7f\b\f\r\t", Summary: "bad \xff\xfe utf-8, \u2029, 😀, é, <script>&amp;</script>"}},
	}
	for _, x := range []float64{0, 1, -2.5, 1e-7, 1.5e-9, 1e21, 123456789012345678, 0.000001, 9.999999e20, math.SmallestNonzeroFloat64} {
		tests = append(tests, struct {
			name string
			f    scan.Finding
		}{"score " + json.Number(jsonFloat(x)).String(), scan.Finding{Severity: scan.Severity{Score: x}, EPSS: &vulndb.EPSSScore{Score: x, Percentile: -x}}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(&tt.f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendFinding(nil, &tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("appendFinding:\n%s\njson.Marshal:\n%s", got, want)
			}
		})
	}
	if _, err := appendFinding(nil, &scan.Finding{Severity: scan.Severity{Score: math.NaN()}}); err == nil {
		t.Error("NaN score encoded without an error")
	}
}

func jsonFloat(x float64) string {
	b, _ := json.Marshal(x)
	return string(b)
}

// FuzzAppendString holds the string and number encoders to
// encoding/json's output on arbitrary input.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&</a>", "\x00\x01\x1f\b\f\n\r\t\\", "\xff\xc3", "\u2028\u2029", "日本語 😀"} {
		f.Add(s, 1.5)
	}
	f.Add("", 1e-7)
	f.Add("", 1e21)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
		want, werr := json.Marshal(x)
		got, gerr := appendFloat(nil, x)
		if (werr != nil) != (gerr != nil) || werr == nil && string(got) != string(want) {
			t.Errorf("appendFloat(%v) = %s %v, want %s %v", x, got, gerr, want, werr)
		}
	})
}
