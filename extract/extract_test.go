package extract

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/extract/internal/imagetest"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const cdxDoc = `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"lodash","version":"4.17.20","purl":"pkg:npm/lodash@4.17.20"}]}`

func names(inv *inventory.Inventory) map[string]inventory.Component {
	m := map[string]inventory.Component{}
	for _, c := range inv.Components {
		m[c.Name+"@"+c.Version] = c
	}
	return m
}

func TestPathSingleFiles(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body string
		want       string // component name@version, or "" for an error
		errWant    string
	}{
		{"bom.json", cdxDoc, "lodash@4.17.20", ""},
		{"sbom.txt", "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\nDocumentNamespace: https://x\nCreator: Tool: t\nCreated: 2024-01-01T00:00:00Z\n\nPackageName: zlib\nSPDXID: SPDXRef-z\nPackageVersion: 1.3\nPackageDownloadLocation: NOASSERTION\n", "zlib@1.3", ""},
		{"go.mod", "module example.com/m\n\ngo 1.22\n\nrequire golang.org/x/mod v0.20.0\n", "golang.org/x/mod@v0.20.0", ""},
		{"status", "Package: bash\nStatus: install ok installed\nVersion: 5.2\nArchitecture: amd64\n", "bash@5.2", ""},
		{"readme.md", "# hello", "", "unsupported or unrecognised format"},
		{"go.sum", "x v1 h1:a=\n", "", "go.sum alone"},
		{"broken.cdx.json", `{"bomFormat":"CycloneDX","components":[{`, "", "unexpected EOF"},
		{"plain.tar", string(imagetest.Tar([]imagetest.Entry{{Name: "a", Body: "b"}})), "", "not a container image"},
		{"lib.jar", "PK\x03\x04", "", "archive not unpacked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, tt.name, tt.body)
			inv, err := Path(context.Background(), p, Options{})
			if tt.errWant != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errWant) || !strings.HasPrefix(err.Error(), p+": ") {
					t.Fatalf("err = %v, want %q naming %s once", err, tt.errWant, p)
				}
				if strings.Count(err.Error(), p) != 1 {
					t.Errorf("file named more than once: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, ok := names(inv)[tt.want]
			if !ok {
				t.Fatalf("missing %s: %+v", tt.want, inv.Components)
			}
			if c.Locations[0].Path != p {
				t.Errorf("location %v, want %s", c.Locations, p)
			}
		})
	}
}

func TestPathMissing(t *testing.T) {
	_, err := Path(context.Background(), filepath.Join(t.TempDir(), "nope.json"), Options{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
}

// TestLongJSONValue checks that a value longer than MaxStringBytes is an
// error naming the file and the limit, both when it hides the identifying
// key beyond the head of the file and when it comes after it.
func TestLongJSONValue(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 20000)
	for name, body := range map[string]string{
		"late-key.json":  `{"description":"` + long + `","bomFormat":"CycloneDX","specVersion":"1.6"}`,
		"early-key.json": `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"name":"a","description":"` + long + `"}]}`,
		"spdx.json":      `{"spdxVersion":"SPDX-2.3","packages":[{"name":"a","description":"` + long + `"}]}`,
	} {
		p := write(t, dir, name, body)
		_, err := Path(context.Background(), p, Options{Limits: limit.Limits{MaxStringBytes: 10000}})
		if !errors.Is(err, limit.ErrTooLarge) || !strings.HasPrefix(err.Error(), p+": ") || !strings.Contains(err.Error(), "a JSON string of more than 10000 bytes at byte ") {
			t.Errorf("%s: err = %v", name, err)
		}
		if _, err := Path(context.Background(), p, Options{}); err != nil {
			t.Errorf("%s with the default limits: %v", name, err)
		}
	}
}

func TestWalk(t *testing.T) {
	outside := t.TempDir()
	write(t, outside, "secret/go.mod", "module example.com/secret\n\ngo 1.22\n\nrequire example.com/leak v1.0.0\n")
	dir := t.TempDir()
	write(t, dir, "svc/go.mod", "module example.com/svc\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n")
	write(t, dir, "svc/go.sum", "github.com/pkg/errors v0.8.0 h1:x=\n")
	write(t, dir, "web/package-lock.json", `{"lockfileVersion":3,"packages":{"":{"name":"w"},"node_modules/lodash":{"version":"4.17.20"}}}`)
	write(t, dir, "sbom/bom.json", cdxDoc)
	write(t, dir, "sbom/bad.cdx.json", `{"bomFormat":"CycloneDX","components":[{"name":`)
	write(t, dir, "dist/app.zip", "PK\x03\x04")
	write(t, dir, "docs/readme.md", "irrelevant")
	write(t, dir, ".git/config", "[core]")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret", "go.mod"), filepath.Join(dir, "go.mod")); err != nil {
		t.Fatal(err)
	}
	inv, err := Path(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := names(inv)
	for _, want := range []string{"github.com/pkg/errors@v0.9.1", "lodash@4.17.20", "example.com/svc@"} {
		if _, ok := m[want]; !ok {
			t.Errorf("missing %s", want)
		}
	}
	if _, ok := m["github.com/pkg/errors@v0.8.0"]; ok {
		t.Error("stale go.sum version reported")
	}
	for k := range m {
		if strings.Contains(k, "leak") || strings.Contains(k, "secret") {
			t.Errorf("followed a symlink out of the root: %s", k)
		}
	}
	un := map[string]string{}
	for _, u := range inv.Unassessed {
		un[u.Path] = u.Reason
	}
	if !strings.Contains(un["sbom/bad.cdx.json"], "unexpected EOF") || !strings.Contains(un["dist/app.zip"], "archive") {
		t.Errorf("unassessed: %v", un)
	}
	if _, ok := un["docs/readme.md"]; ok || len(un) != 2 {
		t.Errorf("unassessed: %v", un)
	}
	if inv.Kind != inventory.KindDirectory {
		t.Errorf("kind %q", inv.Kind)
	}
}

func TestWalkBinariesAndLimits(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "bin/selftest", string(data))
	write(t, dir, "big/bom.json", `{"bomFormat":"CycloneDX","components":[`+strings.Repeat(`{"name":"x"},`, 200)+`{"name":"y"}]}`)
	inv, err := Path(context.Background(), dir, Options{Limits: limit.Limits{MaxFileBytes: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	var std bool
	for _, c := range inv.Components {
		std = std || (c.Name == "stdlib" && c.Locations[0].Path == "bin/selftest")
	}
	if !std {
		t.Errorf("Go binary not inventoried: %+v", inv.Components)
	}
	if len(inv.Unassessed) != 1 || inv.Unassessed[0].Path != "big/bom.json" || !strings.Contains(inv.Unassessed[0].Reason, "exceeds limit") {
		t.Errorf("unassessed: %+v", inv.Unassessed)
	}
	inv, err = Path(context.Background(), dir, Options{Limits: limit.Limits{MaxFiles: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inv.Unassessed); n == 0 || !strings.Contains(inv.Unassessed[n-1].Reason, "more than 1 files") {
		t.Errorf("MaxFiles: %+v", inv.Unassessed)
	}
}

func checkImage(t *testing.T, inv *inventory.Inventory, prefix string) {
	t.Helper()
	m := names(inv)
	ssl, ok := m["libssl3@3.0.11-1~deb12u2"]
	if !ok || ssl.Ecosystem != "Debian:12" || ssl.SourceName != "openssl" || !strings.HasPrefix(ssl.Locations[0].Layer, "sha256:") ||
		ssl.Locations[0].Path != prefix+"var/lib/dpkg/status" {
		t.Errorf("libssl3: %+v (all: %v)", ssl, m)
	}
	if _, ok := m["golang.org/x/text@v0.14.0"]; !ok {
		t.Error("go.mod in upper layer missing")
	}
	if _, ok := m["github.com/pkg/errors@v0.9.1"]; ok {
		t.Error("go.mod under opaque whiteout reported")
	}
	if inv.Kind != inventory.KindImage {
		t.Errorf("kind %q", inv.Kind)
	}
	var tool, evil bool
	for _, u := range inv.Unassessed {
		tool = tool || (u.Path == prefix+"bin/tool" && strings.Contains(u.Reason, "without Go build information"))
		evil = evil || strings.Contains(u.Path, "../evil")
	}
	if !tool || !evil {
		t.Errorf("unassessed: %+v", inv.Unassessed)
	}
}

func TestDockerArchive(t *testing.T) {
	p := write(t, t.TempDir(), "image.tar", string(imagetest.DockerArchive(imagetest.Sample(), false)))
	inv, err := Path(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, inv, p+"!")
	if inv.Format != "docker-archive" {
		t.Errorf("format %q", inv.Format)
	}
}

func TestOCILayoutDir(t *testing.T) {
	dir := t.TempDir()
	if err := imagetest.WriteOCI(dir, imagetest.Sample()); err != nil {
		t.Fatal(err)
	}
	inv, err := Path(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkImage(t, inv, "")
}

func TestMissingLayer(t *testing.T) {
	p := write(t, t.TempDir(), "image.tar", string(imagetest.DockerArchive(imagetest.Sample(), true)))
	_, err := Path(context.Background(), p, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing") || !strings.HasPrefix(err.Error(), p) {
		t.Fatalf("err = %v", err)
	}
}

func TestFS(t *testing.T) {
	fsys := fstest.MapFS{
		"rootfs/etc/os-release":        {Data: []byte("ID=alpine\nVERSION_ID=3.19.1\n")},
		"rootfs/lib/apk/db/installed":  {Data: []byte("P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n")},
		"rootfs/usr/share/doc/x/a.txt": {Data: []byte("text")},
	}
	inv, err := FS(context.Background(), fsys, "rootfs", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Components) != 1 || inv.Components[0].Ecosystem != "Alpine:v3.19" || inv.Components[0].Locations[0].Path != "rootfs/lib/apk/db/installed" {
		t.Fatalf("%+v", inv.Components)
	}
}

func FuzzSniff(f *testing.F) {
	f.Add("bom.json", []byte(cdxDoc))
	f.Add("x.spdx", []byte("SPDXVersion: SPDX-2.3\n"))
	f.Add("a.xml", []byte(`<bom xmlns="http://cyclonedx.org/schema/bom/1.5">`))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		_ = sniff(name, head)
		_, _ = sniffJSONKeys(strings.NewReader(string(head)), limit.Limits{MaxStringBytes: 1 << 10})
	})
}

// TestPathSymlinkArgument checks that a symbolic link named by the user is
// followed (to a file or a directory elsewhere), unlike links met during a
// walk.
func TestPathSymlinkArgument(t *testing.T) {
	outside := t.TempDir()
	write(t, outside, "real/go.mod", "module example.com/real\n\ngo 1.22\n\nrequire github.com/pkg/errors v0.9.1\n")
	dir := t.TempDir()
	for _, l := range []struct{ target, link string }{
		{filepath.Join(outside, "real", "go.mod"), "go.mod"},
		{filepath.Join(outside, "real"), "tree"},
		{filepath.Join("..", filepath.Base(outside), "real", "go.mod"), "relative-go.mod"},
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ arg, loc string }{
		{filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.mod")},
		{filepath.Join(dir, "tree"), "go.mod"},
		{filepath.Join(dir, "relative-go.mod"), filepath.Join(dir, "relative-go.mod")},
	} {
		t.Run(filepath.Base(tc.arg), func(t *testing.T) {
			inv, err := Path(context.Background(), tc.arg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := names(inv)["github.com/pkg/errors@v0.9.1"]
			if !ok {
				t.Fatalf("components %v", names(inv))
			}
			if got := c.Locations[0].Path; got != tc.loc {
				t.Errorf("location %q, want %q", got, tc.loc)
			}
		})
	}
}

// TestMultiImageArchive checks that every image of a docker save archive
// is inventoried, each component naming its image, and that --max-images
// bounds the number read.
func TestMultiImageArchive(t *testing.T) {
	layer := func(mod string) []imagetest.Layer {
		return []imagetest.Layer{{Entries: []imagetest.Entry{{Name: "app/go.mod", Body: "module example.com/app\n\ngo 1.22\n\nrequire " + mod + "\n"}}}}
	}
	p := write(t, t.TempDir(), "images.tar", string(imagetest.DockerArchiveImages(
		[]string{"one:1", "", "three:3"},
		[][]imagetest.Layer{layer("github.com/a/a v1.0.0"), layer("github.com/b/b v1.2.0"), layer("github.com/c/c v1.3.0")})))
	tests := []struct {
		max  int
		want map[string]string // name@version → image
		skip int
	}{
		{0, map[string]string{"github.com/a/a@v1.0.0": "one:1", "github.com/b/b@v1.2.0": "", "github.com/c/c@v1.3.0": "three:3"}, 0},
		{2, map[string]string{"github.com/a/a@v1.0.0": "one:1", "github.com/b/b@v1.2.0": ""}, 1},
	}
	for _, tt := range tests {
		inv, err := Path(context.Background(), p, Options{Limits: limit.Limits{MaxImages: tt.max}})
		if err != nil {
			t.Fatal(err)
		}
		m := names(inv)
		if len(m) != len(tt.want)+1 { // + example.com/app@ (one key for all images)
			t.Errorf("max %d: components %v", tt.max, m)
		}
		for _, c := range inv.Components {
			key := c.Name + "@" + c.Version
			if img, ok := tt.want[key]; ok && (c.Locations[0].Image != img || c.Locations[0].Path != p+"!app/go.mod") {
				t.Errorf("max %d: %s at %+v, want image %q", tt.max, key, c.Locations[0], img)
			}
			if _, ok := tt.want[key]; !ok && key != "example.com/app@" {
				t.Errorf("max %d: unexpected %s", tt.max, key)
			}
		}
		if len(inv.Unassessed) != tt.skip || (tt.skip > 0 && (inv.Unassessed[0].Path != p || !strings.Contains(inv.Unassessed[0].Reason, "only the first 2"))) {
			t.Errorf("max %d: unassessed %+v", tt.max, inv.Unassessed)
		}
	}
}
