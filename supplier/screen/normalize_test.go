package screen

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/assayhq/assay/supplier/lists"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Huawei Technologies Co., Ltd.", "huawei technology"},
		{"HUAWEI TECHNOLOGIES COMPANY LIMITED", "huawei technology"},
		{"华为技术有限公司", "huawei technology"},
		{"Рособоронэкспорт", "rosoboroneksport"},
		{"ООО «Ромашка»", "romashka"},
		{"Société Générale S.A.", "generale"},
		{"Müller & Söhne GmbH", "muller sohne"},
		{"Al-Qaida", "qaida"},
		{"S. A. R. L. Example", "example"},
		{"Compeny Limted", "compeny limted"},
		{"Ltd", "ltd"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in).String(); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTokenSim(t *testing.T) {
	if s, _ := tokenSim("hikvision", "hikvison"); s < 0.85 {
		t.Errorf("typo similarity %.3f", s)
	}
	if s, p := tokenSim("mellat", "bellat"); p == "" || s >= 0.9 {
		t.Errorf("first-letter penalty not applied: %.3f %q", s, p)
	}
	if s, _ := tokenSim("zte", "ztf"); s != 0 {
		t.Errorf("short tokens must match exactly, got %.3f", s)
	}
}

// testSnapshot is a tiny hand-made list for hermetic screening tests.
func testSnapshot() *lists.Snapshot {
	return &lists.Snapshot{Lists: map[string]*lists.ListState{"t": {ID: "t", Title: "test list", Date: "2026-01-01"}},
		Entries: map[string][]lists.Entry{"us-ofac-sdn": {
			{List: "us-ofac-sdn", ID: "1", Type: lists.TypeEntity, Name: "Example Rocket Works JSC", Aliases: []string{"ERW"}, Countries: []string{"RU"},
				Identifiers: []lists.Identifier{{Type: "Registration Number", Number: "1027700167110"}}},
			{List: "us-ofac-sdn", ID: "2", Type: lists.TypeEntity, Name: "Example Bank of Commerce"},
		}}}
}

func TestScreenHermetic(t *testing.T) {
	s := New(testSnapshot(), Options{})
	tests := []struct {
		q        Query
		decision string
		method   string
	}{
		{Query{Name: "Example Rocket Works"}, "alert", "name"},
		{Query{Name: "Rocket Works Example Ltd", Country: "Russia"}, "alert", "name"},
		{Query{Name: "Exampel Rocket Works"}, "alert", "name"},
		{Query{Name: "Эксампле Рокет Воркс"}, "alert", "name"},
		{Query{Name: "1027700167110"}, "alert", "identifier"},
		{Query{Name: "Northwind", Identifiers: []string{"1027-7001-67110"}}, "alert", "identifier"},
		{Query{Name: "Example Trading"}, "clear", ""},
	}
	for _, tt := range tests {
		res, err := s.Screen(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if res.Schema != Schema || res.Decision != tt.decision {
			t.Errorf("%q: decision %s, want %s (%+v)", tt.q.Name, res.Decision, tt.decision, res.Matches)
			continue
		}
		if tt.method != "" && res.Matches[0].Breakdown.Method != tt.method {
			t.Errorf("%q: method %s, want %s", tt.q.Name, res.Matches[0].Breakdown.Method, tt.method)
		}
	}
	if _, err := s.Screen(Query{Name: strings.Repeat("x", DefaultMaxQueryBytes+1)}); err == nil {
		t.Error("want an error for an over-long query")
	}
}

func TestBatch(t *testing.T) {
	s := New(testSnapshot(), Options{})
	in := `{"query":"Example Rocket Works","country":"RU"}
not json
{"query":"Acme"}

{"country":"RU"}
`
	var out bytes.Buffer
	st, err := Batch(context.Background(), s, strings.NewReader(in), &out, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || st.Queries != 2 || st.Errors != 2 || st.Alerts != 1 {
		t.Fatalf("stats %+v, lines %q", st, lines)
	}
	var first Result
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Decision != "alert" || first.Country != "RU" {
		t.Errorf("first line %s (%v)", lines[0], err)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Huawei Technologies Co., Ltd.", "华为技术有限公司", "Рособоронэкспорт", "شركة", "S.A.R.L.", "\xff\xfe", "ǅ ß æ"} {
		f.Add(s)
	}
	s := New(testSnapshot(), Options{})
	f.Fuzz(func(t *testing.T, name string) {
		n := Normalize(name)
		if len(n.Keys) != len(n.Tokens) {
			t.Fatalf("keys %d tokens %d", len(n.Keys), len(n.Tokens))
		}
		if len(name) <= DefaultMaxQueryBytes {
			if _, err := s.Screen(Query{Name: name}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzBatchLine(f *testing.F) {
	for _, s := range []string{`{"query":"x","country":"CN"}`, `{}`, `[`, `{"query":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = parseBatchLine(b)
	})
}

func TestArabic(t *testing.T) {
	n := Normalize("صدام حسين التكريتي")
	if !n.Arabic || n.String() != "sdam hsyn tkryty" {
		t.Errorf("Normalize = %q (arabic %v)", n.String(), n.Arabic)
	}
	for _, pair := range [][2]string{{"hsin", "husein"}, {"mhmd", "mohamed"}, {"tkriti", "tikriti"}, {"bd", "abd"}} {
		if skeleton(pair[0]) != skeleton(pair[1]) {
			t.Errorf("skeleton(%q)=%q, skeleton(%q)=%q", pair[0], skeleton(pair[0]), pair[1], skeleton(pair[1]))
		}
	}
}
