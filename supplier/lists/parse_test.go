package lists

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Small hand-made fixtures in the publishers' layouts (not real entries).
const (
	fixtureSDN = "100,\"EXAMPLE TRADING CO., LTD.\",-0- ,\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Registration Number 1027700167110 (Russia); a.k.a. 'EXTRACO'.\"\r\n" +
		"101,\"DOE, John\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a"
	fixtureALT = "100,1,\"aka\",\"EXAMPLE TRADERS\",-0- \r\n999,2,\"aka\",\"ORPHAN\",-0- \r\n"
	fixtureADD = "100,1,\"1 Main St\",\"Moscow\",\"Russia\",-0- \r\n"
	fixtureDPL = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Effective_Date\"\t\"Expiration_Date\"\t\"Standard_Order\"\t\"Last_Update\"\t\"Action\"\t\"FR_Citation\"\n" +
		"\"EXAMPLE EXPORTS LTD\"\t\"1 ROAD\"\t\"DUBAI\"\t\"\"\t\"AE\"\t\"\"\t\"01/02/2020\"\t\"01/02/2030\"\t\"Y\"\t\"2020-01-05\"\t\"F.R. NOTICE ADDED\"\t\"85 F.R. 1\"\n"
	fixtureUN = `<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="2026-01-02T00:00:00Z"><ENTITIES><ENTITY>
<DATAID>1</DATAID><FIRST_NAME>EXAMPLE FRONT</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPe.999</REFERENCE_NUMBER>
<LISTED_ON>2017-01-01</LISTED_ON><ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>EXFRONT</ALIAS_NAME></ENTITY_ALIAS>
<ENTITY_ADDRESS><COUNTRY>Democratic People's Republic of Korea</COUNTRY></ENTITY_ADDRESS></ENTITY></ENTITIES></CONSOLIDATED_LIST>`
	fixtureFCC = "covered_equipment_or_services,date_of_inclusion_on_covered_list\n" +
		"\"Telecommunications equipment produced by Example Telecom Company, including services.\",\"March 12, 2021\"\n" +
		"\"Routers produced in a foreign country.\",\"March 23, 2026\"\n"
)

func TestParseOFACCSVSet(t *testing.T) {
	parse := parseOFACCSVSet("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
	es, _, err := parse(map[string][]byte{"sdn.csv": []byte(fixtureSDN), "alt.csv": []byte(fixtureALT), "add.csv": []byte(fixtureADD)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("got %d entries, want 2", len(es))
	}
	e := es[0]
	if e.Key != "ofac:100" || e.Type != TypeEntity || !slices.Equal(e.Programs, []string{"SDGT", "IRGC"}) {
		t.Errorf("entry = %+v", e)
	}
	if !slices.Contains(e.Aliases, "EXAMPLE TRADERS") || !slices.Contains(e.Aliases, "EXTRACO") {
		t.Errorf("aliases = %v", e.Aliases)
	}
	if !slices.Equal(e.Countries, []string{"RU"}) {
		t.Errorf("countries = %v", e.Countries)
	}
	if len(e.Identifiers) != 1 || e.Identifiers[0].Number != "1027700167110" || e.Identifiers[0].Country != "RU" {
		t.Errorf("identifiers = %+v", e.Identifiers)
	}
	if es[1].Type != TypeIndividual {
		t.Errorf("type = %s", es[1].Type)
	}
}

func TestParseSmallFormats(t *testing.T) {
	tests := []struct {
		name      string
		parse     parseFunc
		files     map[string][]byte
		wantNames []string
		wantDate  string
	}{
		{"dpl", parseDPL, map[string][]byte{"dpl.txt": []byte(fixtureDPL)}, []string{"EXAMPLE EXPORTS LTD"}, "2020-01-05"},
		{"un", parseUN, map[string][]byte{"consolidated.xml": []byte(fixtureUN)}, []string{"EXAMPLE FRONT"}, "2026-01-02"},
		{"fcc", parseFCC, map[string][]byte{"table.csv": []byte(fixtureFCC)}, []string{"Example Telecom Company", "Routers produced in a foreign country."}, "2026-03-23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, date, err := tt.parse(tt.files, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range es {
				names = append(names, e.Name)
			}
			if !slices.Equal(names, tt.wantNames) || date != tt.wantDate {
				t.Errorf("names %q date %s, want %q %s", names, date, tt.wantNames, tt.wantDate)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	_, _, err := parseUN(map[string][]byte{"consolidated.xml": []byte(fixtureUN)}, Limits{MaxEntries: 0})
	if err != nil {
		t.Fatal(err)
	}
	parse := parseOFACCSVSet("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
	if _, _, err := parse(map[string][]byte{"sdn.csv": []byte(fixtureSDN)}, Limits{MaxEntries: 1}); err == nil {
		t.Error("want an error past MaxEntries")
	}
	if _, err := unpack("x.gz", []byte{0x1f, 0x8b, 0, 0}, "", Limits{}); err == nil {
		t.Error("want an error for a broken gzip stream")
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{"Russia": "RU", "Korea, North": "KP", "cn": "CN", "Türkiye": "TR", "United Kingdom": "GB", "Atlantis": ""} {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParsers feeds arbitrary bytes to every list parser: none may panic.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{fixtureSDN, fixtureDPL, fixtureUN, fixtureFCC, "a,b\n\"x", "<entity id=\"1\"><names>", "\x1f\x8b", "PK\x03\x04"} {
		f.Add([]byte(s))
	}
	for _, p := range []string{"restricted/eu-fsf/xmlFullSanctionsList_1_1.xml", "restricted/uk-fcdo/UK-Sanctions-List.xml", "restricted/us-ofac/SDN_ADVANCED.XML"} {
		b, err := os.ReadFile(filepath.Join(fixtureMirror, filepath.FromSlash(p)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := Limits{MaxEntries: 1000, MaxUnpackedBytes: 1 << 20}
		for _, src := range Sources() {
			files := map[string][]byte{}
			for _, sf := range src.Files {
				files[sf.Name] = b
			}
			_, _, _ = src.parse(files, lim)
		}
	})
}

// cslManyAliases is a CSL file with one row naming n aliases, each twice.
func cslManyAliases(n int) []byte {
	var al []string
	for i := range 2 * n {
		al = append(al, fmt.Sprintf("and A%d", i%n))
	}
	return []byte("_id,source,name,alt_names,citizenships\n1,Entity List (EL) - Bureau of Industry and Security,X," +
		strings.Join(al, ";") + ",CN;CN;RU\n")
}

// TestManyAliases reads a row whose aliases are appended one set lookup
// each, not one list search each (40,000 aliases took 1.4 s).
func TestManyAliases(t *testing.T) {
	const n = 5000
	es, _, err := parseCSL(map[string][]byte{"consolidated.csv": cslManyAliases(n)}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a := es[0].Aliases; len(a) != n || a[0] != "A0" || a[n-1] != fmt.Sprintf("A%d", n-1) {
		t.Errorf("%d aliases (%.3q ...), want %d in order", len(a), a[:min(len(a), 3)], n)
	}
	if c := es[0].Countries; !reflect.DeepEqual(c, []string{"CN", "RU"}) {
		t.Errorf("countries %q, want [CN RU]", c)
	}
	for _, tt := range []struct{ list, add, want []string }{
		{nil, []string{"a", "", "b", "a"}, []string{"a", "b"}},
		{[]string{"a"}, strings.Split("a b c d e f g h i j k l m n o p q r s t a t", " "), strings.Split("a b c d e f g h i j k l m n o p q r s t", " ")},
	} {
		if got := appendUnique(slices.Clone(tt.list), tt.add...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("appendUnique(%q, %q) = %q, want %q", tt.list, tt.add, got, tt.want)
		}
	}
}

func BenchmarkManyAliases(b *testing.B) {
	files := map[string][]byte{"consolidated.csv": cslManyAliases(40000)}
	for b.Loop() {
		parseCSL(files, Limits{})
	}
}
