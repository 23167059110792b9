package scan

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/assayhq/assay/extract"
	"github.com/assayhq/assay/firmware/detect"
	"github.com/assayhq/assay/internal/firmwaretest"
)

// fwEntry is one member of a test firmware archive.
type fwEntry struct {
	name string
	mode int64
	body string
}

// writeTarGz writes entries as a gzip-compressed tar, the simplest
// firmware layout (many vendors ship rootfs tarballs in their update
// bundles).
func writeTarGz(t *testing.T, path string, entries []fwEntry) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.body == "" && e.name[len(e.name)-1] == '/' {
			h.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// busyboxELF is a minimal file carrying the version banner BusyBox
// prints, behind an ELF header, as the identifier meets it in a binary.
func busyboxELF(version string) string {
	head := "\x7fELF\x01\x01\x01\x00" + string(make([]byte, 56))
	return head + "\x00BusyBox v" + version + " (2021-12-26 12:00:00 UTC) multi-call binary.\x00" + string(make([]byte, 64))
}

func TestScanFirmwareImage(t *testing.T) {
	img := filepath.Join(t.TempDir(), "gw-1.0.tar.gz")
	writeTarGz(t, img, []fwEntry{
		{"bin/", 0o755, ""},
		{"bin/busybox", 0o755, busyboxELF("1.33.1")},
		{"etc/", 0o755, ""},
		{"etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\nmaint:x:0:0:maintenance:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"},
		{"etc/shadow", 0o600, "root:!:19000:0:99999:7:::\nmaint::19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"},
		{"etc/inittab", 0o644, "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/bin/login -f root\n"},
	})
	s := testScanner(t)
	res, err := s.Scan(context.Background(), []string{img})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Targets) != 1 || res.Targets[0].Kind != "firmware" {
		t.Fatalf("targets %+v, want one firmware target", res.Targets)
	}
	i := slices.IndexFunc(res.Components, func(c ComponentRecord) bool { return c.Name == "busybox" })
	if i < 0 {
		t.Fatalf("busybox not identified: %+v", res.Components)
	}
	bb := res.Components[i]
	if bb.Version != "1.33.1" || bb.Location.Path != "/bin/busybox" || !slices.Equal(bb.Location.Container, []string{"gzip@0x0"}) || len(bb.CPEs) == 0 {
		t.Errorf("busybox record %+v", bb)
	}
	for _, want := range []struct{ category, path string }{
		{"backdoor-account", "/etc/passwd"},
		{"debug-interface", "/etc/inittab"},
	} {
		if !slices.ContainsFunc(res.Problems, func(p Problem) bool {
			return p.Category == want.category && p.Path == want.path && p.Target == img && p.Container != nil
		}) {
			t.Errorf("no %s problem for %s in %+v", want.category, want.path, res.Problems)
		}
	}
	for i := 1; i < len(res.Problems); i++ {
		if detect.SeverityRank(res.Problems[i-1].Severity) < detect.SeverityRank(res.Problems[i].Severity) {
			t.Errorf("problems not ordered by severity: %s before %s", res.Problems[i-1].Severity, res.Problems[i].Severity)
		}
	}
}

func TestScanNotFirmware(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.bin")
	if err := os.WriteFile(p, bytes.Repeat([]byte("just text, no container\n"), 100), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := testScanner(t).Scan(context.Background(), []string{p})
	if !errors.Is(err, extract.ErrUnsupported) {
		t.Fatalf("err = %v, want the inventory's unsupported-format error", err)
	}
}

func TestMarkReusedKeys(t *testing.T) {
	key := func(target, fp string) Problem {
		p := Problem{Target: target}
		p.Category, p.Severity, p.Fingerprint, p.Detail = "private-key", "high", fp, "RSA key"
		return p
	}
	ps := []Problem{key("a.bin", "SHA256:x"), key("b.bin", "SHA256:x"), key("a.bin", "SHA256:y"), key("c.bin", "")}
	markReusedKeys(ps)
	got := []string{ps[0].Severity, ps[1].Severity, ps[2].Severity, ps[3].Severity}
	if !slices.Equal(got, []string{"critical", "critical", "high", "high"}) {
		t.Errorf("severities %v", got)
	}
}

// answerKey is the part of ../shared/firmware/answer-key.json the review
// is scored on.
type answerKey struct {
	Findings []struct {
		ID, Category, Path string
		Container          []string
	}
	Decoys []struct {
		ID, Category, Path string
		AllowedMaxSeverity string `json:"allowed_max_severity"`
	}
	Components []struct {
		Name, Path      string
		UpstreamVersion string `json:"upstream_version"`
	}
}

// TestPublicSampleReview reviews the public sample image end to end and
// scores the result against its answer key: planted-problem recall of at
// least 95 %, no decoy above its allowed severity, every listed component
// identified with its exact version and path.
func TestPublicSampleReview(t *testing.T) {
	img, keyPath := firmwaretest.Sample(t)
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	var key answerKey
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	res, err := testScanner(t).Scan(context.Background(), []string{img})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range key.Findings {
		if slices.ContainsFunc(res.Problems, func(p Problem) bool {
			return p.Category == f.Category && p.Path == f.Path && slices.Equal(p.Container, f.Container)
		}) {
			found++
		} else {
			t.Logf("missed %s: %s %s", f.ID, f.Category, f.Path)
		}
	}
	if recall := float64(found) / float64(len(key.Findings)); recall < 0.95 {
		t.Errorf("recall %.2f (%d/%d), want ≥ 0.95", recall, found, len(key.Findings))
	}
	for _, d := range key.Decoys {
		for _, p := range res.Problems {
			if p.Category == d.Category && p.Path == d.Path && detect.SeverityRank(p.Severity) > detect.SeverityRank(d.AllowedMaxSeverity) {
				t.Errorf("decoy %s reported: %s %s %s", d.ID, p.Severity, p.Category, p.Path)
			}
		}
	}
	for _, c := range key.Components {
		if !slices.ContainsFunc(res.Components, func(r ComponentRecord) bool {
			return r.Name == c.Name && r.Version == c.UpstreamVersion && r.Location.Path == c.Path
		}) {
			t.Errorf("component %s %s at %s not identified", c.Name, c.UpstreamVersion, c.Path)
		}
	}
}
