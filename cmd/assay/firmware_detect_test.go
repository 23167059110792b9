package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// detectTestImage writes a tar rootfs with an inittab starting rc.local,
// which starts an unauthenticated telnetd.
func detectTestImage(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, f := range []struct {
		name, body string
		mode       int64
	}{
		{"etc/inittab", "::sysinit:/etc/rc.local\n", 0o644},
		{"etc/rc.local", "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh\n# /usr/bin/gdbserver :9000\n", 0o755},
	} {
		w.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		w.Write([]byte(f.body))
	}
	w.Close()
	p := filepath.Join(t.TempDir(), "fw.tar")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFirmwareDetect(t *testing.T) {
	img := detectTestImage(t)
	var stdout bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"firmware", "detect", img, "--format", "json"})
	cmd.SetOut(&stdout)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema   string
		Problems []struct {
			Category, Severity, Path string
			Container                []string
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "assay.firmware-detect/v1" || len(doc.Problems) != 1 {
		t.Fatalf("document: %s", stdout.String())
	}
	p := doc.Problems[0]
	if p.Category != "remote-access-service" || p.Severity != "critical" || p.Path != "/etc/rc.local" || p.Container == nil {
		t.Errorf("problem: %+v", p)
	}

	stdout.Reset()
	cmd = newRootCmd()
	cmd.SetArgs([]string{"firmware", "detect", img, "--fail-on", "high"})
	cmd.SetOut(&stdout)
	var pe *policyError
	if err := cmd.ExecuteContext(context.Background()); !errors.As(err, &pe) {
		t.Errorf("--fail-on high: %v", err)
	}
	if !strings.Contains(stdout.String(), "telnetd") {
		t.Errorf("table: %s", stdout.String())
	}
	for _, args := range [][]string{{"--format", "xml"}, {"--fail-on", "severe"}} {
		cmd = newRootCmd()
		cmd.SetArgs(append([]string{"firmware", "detect", img}, args...))
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		if err := cmd.ExecuteContext(context.Background()); err == nil || errors.As(err, &pe) {
			t.Errorf("%v: want a usage error, got %v", args, err)
		}
	}
}
