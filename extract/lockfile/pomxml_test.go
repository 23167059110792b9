package lockfile

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/osv-scalibr/extractor/filesystem/language/java/pomxml"

	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// TestPOMLikeScalibr checks that pomParser finds what osv-scalibr's
// pomxml extractor, which it replaces, finds: every component it finds,
// with the same version, purl and line, and an error for the same files.
// Ours may find more: dependencies whose version is a property of a
// parent POM, which osv-scalibr drops. It runs on
// testdata/maven and, when ASSAY_POM_CORPUS names a directory, on every
// pom.xml and *.pom under it (for example /usr/share/maven-repo).
func TestPOMLikeScalibr(t *testing.T) {
	lim := limit.Limits{}.WithDefaults()
	ex, err := pomxml.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	theirs := plugin.Scalibr("pom.xml", inventory.KindLockfile, ex, lim, nil)
	ours := pomParser(lim)
	roots := []string{filepath.Join("testdata", "maven")}
	if dir := os.Getenv("ASSAY_POM_CORPUS"); dir != "" {
		roots = append(roots, dir)
	}
	files, extra := 0, 0
	for _, root := range roots {
		fsys := os.DirFS(root)
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !ours.Match(p, nil) {
				return err
			}
			files++
			want, werr := theirs.Parse(context.Background(), fsys, p)
			got, gerr := ours.Parse(context.Background(), fsys, p)
			if (werr != nil) != (gerr != nil) {
				t.Errorf("%s: scalibr error %v, ours %v", p, werr, gerr)
				return nil
			}
			if werr != nil {
				return nil
			}
			g := byName(got)
			for name, w := range byName(want) {
				if !reflect.DeepEqual(w, g[name]) {
					t.Errorf("%s: %s: scalibr %+v, ours %+v", p, name, w, g[name])
				}
			}
			extra += len(g) - len(want.Components)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d POMs compared; %d more components found", files, extra)
}

func byName(inv *inventory.Inventory) map[string]inventory.Component {
	out := map[string]inventory.Component{}
	for _, c := range inv.Components {
		out[c.Name] = c
	}
	return out
}

func TestPOM(t *testing.T) {
	lim := limit.Limits{}.WithDefaults()
	fsys := os.DirFS(filepath.Join("testdata", "maven"))
	inv, err := pomParser(lim).Parse(context.Background(), fsys, "multi/app/pom.xml")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range inv.Components {
		got[c.PURL] = c.Locations[0].Path + ":" + strconv.Itoa(c.Locations[0].Line)
	}
	want := map[string]string{
		// ${log4j.version} from the POM's own properties.
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1": "multi/app/pom.xml:14",
		// ${jackson.version} from the parent's properties.
		"pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.10": "multi/app/pom.xml:19",
		// Versions from the parent's dependency management.
		"pkg:maven/org.apache.commons/commons-text@1.9": "multi/app/pom.xml:24",
		"pkg:maven/com.google.guava/guava@29.0-jre":     "multi/app/pom.xml:28",
		// A version range gives its lower bound; the group is a property.
		"pkg:maven/io.netty/netty-codec-http@4.1.42.Final":                  "multi/app/pom.xml:32",
		"pkg:maven/org.lwjgl/lwjgl@3.2.3?classifier=natives-linux&type=zip": "multi/app/pom.xml:37",
		// The active-by-default profile.
		"pkg:maven/org.springframework/spring-web@5.2.0.RELEASE": "multi/app/pom.xml:50",
		// Inherited from the parent: located at <parent>.
		"pkg:maven/org.yaml/snakeyaml@1.26": "multi/app/pom.xml:4",
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("multi/app/pom.xml:\ngot  %v\nwant %v", got, want)
	}
}

func TestPOMErrors(t *testing.T) {
	for name, data := range map[string]string{
		"truncated": "<project><dependencies><dependency>",
		"not xml":   "\x00\x01 not xml",
		"too large": "<project>" + strings.Repeat(" ", 8<<10) + "</project>",
		// Each property uses the one before twice: 2^40 bytes if expanded.
		"property bomb": "<project><properties><p0>x</p0>" + bombProperties(40) + "</properties>" +
			"<dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>${p40}</version></dependency></dependencies></project>",
	} {
		fsys := fstest.MapFS{"pom.xml": {Data: []byte(data)}}
		_, err := pomParser(limit.Limits{MaxFileBytes: 4 << 10}.WithDefaults()).Parse(context.Background(), fsys, "pom.xml")
		if err == nil || !strings.Contains(err.Error(), "pom.xml") {
			t.Errorf("%s: error %v, want one naming pom.xml", name, err)
		}
	}
}

// FuzzPOMLikeScalibr checks on one-file trees that pomParser neither
// fails nor panics where osv-scalibr's extractor succeeds, and finds
// what it finds.
func FuzzPOMLikeScalibr(f *testing.F) {
	for _, p := range []string{"pom.xml", "multi/app/pom.xml", "multi/pom.xml", "latin1.pom"} {
		data, err := os.ReadFile(filepath.Join("testdata", "maven", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	lim := limit.Limits{MaxFileBytes: 1 << 20}.WithDefaults()
	ex, err := pomxml.New(nil)
	if err != nil {
		f.Fatal(err)
	}
	theirs := plugin.Scalibr("pom.xml", inventory.KindLockfile, ex, lim, nil)
	ours := pomParser(lim)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"pom.xml": {Data: data}}
		want, werr := theirs.Parse(context.Background(), fsys, "pom.xml")
		got, gerr := ours.Parse(context.Background(), fsys, "pom.xml")
		if werr != nil {
			return
		}
		if gerr != nil {
			t.Fatalf("scalibr read it, ours: %v", gerr)
		}
		g := byName(got)
		for name, w := range byName(want) {
			if !reflect.DeepEqual(w, g[name]) {
				t.Errorf("%s: scalibr %+v, ours %+v", name, w, g[name])
			}
		}
	})
}

// bombProperties returns properties p1..pn, each using the one before
// twice.
func bombProperties(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "<p%d>${p%d}${p%d}</p%d>", i, i-1, i-1, i)
	}
	return b.String()
}

func TestPOMExpansionBound(t *testing.T) {
	lim := limit.Limits{}.WithDefaults()
	for _, tt := range []struct {
		name    string
		n       int // properties doubling a 1-byte value
		wantErr bool
	}{
		{"2^20 bytes", 20, false},
		{"2^25 bytes", 25, true},
	} {
		pom := "<project><properties><p0>x</p0>" + bombProperties(tt.n) + "</properties><dependencies><dependency>" +
			"<groupId>g</groupId><artifactId>a</artifactId><version>${p" + strconv.Itoa(tt.n) + "}</version></dependency></dependencies></project>"
		_, err := pomParser(lim).Parse(context.Background(), fstest.MapFS{"pom.xml": {Data: []byte(pom)}}, "pom.xml")
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}
