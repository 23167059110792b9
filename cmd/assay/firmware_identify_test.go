package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirmwareIdentify(t *testing.T) {
	// A tar image holding one binary with a BusyBox banner.
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	body := []byte("\x7fELF\x01\x01\x01\x00\x00BusyBox v1.36.1 (2024-01-01 00:00:00 UTC) multi-call binary.\x00")
	tw.WriteHeader(&tar.Header{Name: "bin/busybox", Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg})
	tw.Write(body)
	tw.Close()
	img := filepath.Join(t.TempDir(), "fw.tar")
	if err := os.WriteFile(img, tarBuf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "table"} {
		var stdout, stderr bytes.Buffer
		cmd := newRootCmd()
		cmd.SetArgs([]string{"--home", t.TempDir(), "firmware", "identify", img, "--format", format})
		cmd.SetOut(&stdout)
		cmd.SetErr(&stderr)
		if err := cmd.ExecuteContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), "no end-of-life data") {
			t.Errorf("%s: no warning about missing end-of-life data: %s", format, stderr.String())
		}
		if format == "table" {
			if !strings.Contains(stdout.String(), "busybox") || !strings.Contains(stdout.String(), "1.36.1") {
				t.Errorf("table:\n%s", stdout.String())
			}
			continue
		}
		var doc struct {
			Schema     string
			Components []struct {
				Name, Version, PURL string
				CPEs                []string
				Locations           []struct{ Path string }
			}
			Unassessed []any
		}
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Schema != "assay.firmware-identify/v1" || len(doc.Components) != 1 || doc.Unassessed == nil {
			t.Fatalf("document: %s", stdout.String())
		}
		c := doc.Components[0]
		if c.Name != "busybox" || c.Version != "1.36.1" || c.PURL != "pkg:generic/busybox@1.36.1" ||
			len(c.CPEs) != 1 || c.Locations[0].Path != "/bin/busybox" {
			t.Errorf("component: %+v", c)
		}
	}
	if code := run(t.Context(), []string{"firmware", "identify", img, "--format", "xml"}); code != exitError {
		t.Errorf("--format xml: exit %d, want %d", code, exitError)
	}
}
