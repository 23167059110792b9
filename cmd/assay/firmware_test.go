package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirmwareUnpackJSON(t *testing.T) {
	img := filepath.Join("..", "..", "firmware", "testdata", "small-xz.sqsh")
	out := filepath.Join(t.TempDir(), "out")
	var stdout bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs([]string{"firmware", "unpack", img, "--out", out, "--format", "json"})
	cmd.SetOut(&stdout)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schema string
		Files  []struct {
			Path      string
			InnerPath string `json:"inner_path"`
			Container []struct{ Format string }
		}
		Containers []struct{ Format string }
		Unassessed []any
	}
	if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Schema != "assay.firmware-unpack/v1" || len(m.Containers) != 1 || m.Containers[0].Format != "squashfs" || len(m.Unassessed) != 0 {
		t.Errorf("manifest: %+v", m)
	}
	if b, err := os.ReadFile(filepath.Join(out, "etc", "passwd")); err != nil || len(b) == 0 {
		t.Errorf("etc/passwd not written: %v", err)
	}
}

func TestFirmwareUnpackErrors(t *testing.T) {
	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "x"), nil, 0o644)
	img := filepath.Join("..", "..", "firmware", "testdata", "small-xz.sqsh")
	for _, args := range [][]string{
		{"firmware", "unpack", img},
		{"firmware", "unpack", "/nonexistent", "--out", t.TempDir() + "/o"},
		{"firmware", "unpack", img, "--out", nonEmpty},
		{"firmware", "unpack", img, "--out", t.TempDir() + "/o", "--format", "xml"},
	} {
		if code := run(context.Background(), args); code != exitError {
			t.Errorf("%s: exit %d, want %d", strings.Join(args, " "), code, exitError)
		}
	}
}
