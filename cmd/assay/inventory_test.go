package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestInventoryExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "go.mod")
	bad := filepath.Join(dir, "bom.json")
	os.WriteFile(good, []byte("module example.com/m\n\ngo 1.22\n"), 0o644)
	os.WriteFile(bad, []byte(`{"bomFormat":"CycloneDX","components":[`), 0o644)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = devnull, devnull
	defer func() { os.Stdout, os.Stderr = stdout, stderr }()
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"inventory", good}, exitOK},
		{[]string{"inventory", "--format", "json", dir}, exitOK},
		{[]string{"inventory", "--format", "cyclonedx", good}, exitOK},
		{[]string{"inventory", bad}, exitError},
		{[]string{"inventory", filepath.Join(dir, "missing")}, exitError},
		{[]string{"inventory", "--format", "yaml", good}, exitError},
		{[]string{"inventory"}, exitError},
	}
	for _, tt := range tests {
		if got := run(context.Background(), tt.args); got != tt.want {
			t.Errorf("assay %v = %d, want %d", tt.args, got, tt.want)
		}
	}
}
