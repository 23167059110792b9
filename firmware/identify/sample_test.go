package identify

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/firmwaretest"
	"github.com/assayhq/assay/inventory"
)

// TestPublicSample scores Identify against the answer key of the public
// sample: every listed component with its exact upstream version at its
// path, with a CPE and a purl.
func TestPublicSample(t *testing.T) {
	img, keyPath := firmwaretest.Sample(t)
	var key struct {
		Components []struct {
			Path, Name      string
			UpstreamVersion string `json:"upstream_version"`
			Evidence        string
			Container       []string
		}
	}
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	if len(key.Components) == 0 {
		t.Fatal("answer key lists no components")
	}
	comps, unassessed, err := Identify(context.Background(), unpackFile(t, img), Options{Now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(unassessed) > 0 {
		t.Errorf("unassessed: %v", unassessed)
	}
	for _, want := range key.Components {
		c := findAt(comps, want.Name, want.Path)
		if c == nil {
			t.Errorf("%s at %s not identified", want.Name, want.Path)
			continue
		}
		if c.Version != want.UpstreamVersion {
			t.Errorf("%s at %s: version %q, want %q", want.Name, want.Path, c.Version, want.UpstreamVersion)
		}
		if len(c.CPEs) == 0 || c.PURL == "" || c.Metadata[inventory.MetaEvidence] == "" {
			t.Errorf("%s: cpes %v purl %q evidence %q", want.Name, c.CPEs, c.PURL, c.Metadata[inventory.MetaEvidence])
		}
		if !strings.Contains(c.Metadata[inventory.MetaEvidence], want.Evidence) {
			t.Errorf("%s: evidence %q does not quote %q", want.Name, c.Metadata[inventory.MetaEvidence], want.Evidence)
		}
		if l := c.Locations[0]; len(l.Container)+len(want.Container) > 0 && !slices.Equal(l.Container, want.Container) {
			t.Errorf("%s: container %v, want %v", want.Name, l.Container, want.Container)
		}
	}
	for _, c := range comps {
		t.Logf("%s %s %v %s", c.Name, c.Version, c.Locations, c.Metadata[inventory.MetaEvidence])
	}
}

// findAt returns the component named name with a location at path p.
func findAt(comps []inventory.Component, name, p string) *inventory.Component {
	for i := range comps {
		if comps[i].Name != name {
			continue
		}
		for _, l := range comps[i].Locations {
			if l.Path == p || strings.HasSuffix(l.Path, "!"+p) {
				return &comps[i]
			}
		}
	}
	return nil
}

// BenchmarkSample identifies the components of the unpacked public sample.
func BenchmarkSample(b *testing.B) {
	img, _ := firmwaretest.Sample(b)
	benchIdentify(b, unpackFile(b, img))
}

// BenchmarkDistinct100MB identifies ~100 MB of distinct binaries (200
// files of 512 KiB, each with a few version strings) in a tar.gz.
func BenchmarkDistinct100MB(b *testing.B) {
	var tree []node
	r := rand.New(rand.NewPCG(7, 7))
	banners := []string{"BusyBox v1.36.1 (2023-01-01)", "OpenSSL 3.0.13 30 Jan 2024", "crypto/evp/e.c", "nginx/1.24.0", "deflate 1.3 Copyright"}
	for i := range 200 {
		body := make([]byte, 512<<10)
		for j := range body {
			body[j] = byte(r.Uint32())
		}
		copy(body[r.IntN(len(body)-64):], "\x00"+banners[i%len(banners)]+"\x00")
		tree = append(tree, file(fmt.Sprintf("usr/lib/lib%03d.so", i), body))
	}
	img := tarGzB(b, tree)
	benchIdentify(b, unpackBytes(b, img))
}

func benchIdentify(b *testing.B, res *firmware.Result) {
	var size int64
	for _, f := range res.Files {
		if f.Mode.IsRegular() {
			size += f.Size
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Identify(context.Background(), res, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
