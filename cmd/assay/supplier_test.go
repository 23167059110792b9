package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// execute runs the assay command line and returns stdout and the error.
func execute(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestSupplierCommands(t *testing.T) {
	mirror := mirrortest.Serve(t, mirrortest.SupplierDir(t))
	home := t.TempDir()
	if _, err := execute(t, "", "--home", home, "supplier", "lists", "update", "--mirror", mirror,
		"--list", "us-ofac-cons,us-ndaa-889,us-dod-1260h,us-ndaa-5949"); err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "", "--home", home, "supplier", "lists", "status", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var status struct {
		Schema string `json:"schema"`
		Lists  []struct {
			ID      string `json:"id"`
			Entries int    `json:"entries"`
		} `json:"lists"`
	}
	if err := json.Unmarshal([]byte(out), &status); err != nil || status.Schema != "assay.supplier-lists/v1" || len(status.Lists) != 4 {
		t.Fatalf("status %s (%v)", out, err)
	}

	out, err = execute(t, "", "--home", home, "supplier", "screen", "Hangzhou Hikvision Digital Technology Co Ltd", "--country", "CN", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Schema  string `json:"schema"`
		Query   string `json:"query"`
		Matches []struct {
			Name, List, EntryID, ListDate string
			Score                         float64
		} `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Schema != "assay.screen/v1" || len(res.Matches) == 0 || res.Matches[0].Score < 0.99 {
		t.Fatalf("screen %s (%v)", out, err)
	}

	if _, err := execute(t, "", "--home", home, "supplier", "screen", "Rosoboronexport", "--fail-on", "alert"); err == nil {
		t.Error("--fail-on alert: want a policy error")
	} else if _, ok := err.(*policyError); !ok {
		t.Errorf("--fail-on alert: %v is not a policy error", err)
	}

	out, err = execute(t, "{\"query\":\"ZTE Corporation\",\"country\":\"CN\"}\n{\"query\":\"Quiet Meadow Bakery\"}\n", "--home", home, "supplier", "screen", "--batch", "-")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"decision":"alert"`) || !strings.Contains(lines[1], `"decision":"clear"`) {
		t.Errorf("batch output %q", lines)
	}

	root, err := mirrortest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	_, err = execute(t, "", "--home", home, "supplier", "assess", filepath.Join(root, "examples", "vendor.yaml"), "--fail-on", "listed")
	if _, ok := err.(*policyError); !ok {
		t.Errorf("assess example --fail-on listed: %v, want a policy error", err)
	}
	out, err = execute(t, "", "supplier", "dependence", filepath.Join(root, "examples", "installed-base.yaml"), "--format", "json")
	if err != nil || !strings.Contains(out, `"schema": "assay.supplier-dependence/v1"`) || !strings.Contains(out, `"hhi": 7813`) {
		t.Errorf("dependence: %v %s", err, out)
	}
	out, err = execute(t, "", "supplier", "export", "3A090", "--destination", "CN", "--date", "2024-01-01", "--format", "json")
	if err != nil || !strings.Contains(out, "us-ear-2023-advanced-computing") {
		t.Errorf("export: %v %s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "v.yaml")
	if err := os.WriteFile(bad, []byte("nmae: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := execute(t, "", "--home", home, "supplier", "assess", bad); err == nil || !strings.Contains(err.Error(), "v.yaml") {
		t.Errorf("bad profile: %v", err)
	}
}

func TestSupplierProfileCommands(t *testing.T) {
	mirror := mirrortest.SupplierDir(t)
	home := t.TempDir()
	if _, err := execute(t, "", "--home", home, "supplier", "lists", "update", "--mirror", mirror, "--list", "us-ndaa-889"); err != nil {
		t.Fatal(err)
	}
	example := filepath.Join("..", "..", "examples", "vendor.yaml")
	for range 2 {
		if _, err := execute(t, "", "--home", home, "supplier", "profile", "import", example, "--actor", "tester"); err != nil {
			t.Fatal(err)
		}
	}
	out, err := execute(t, "", "--home", home, "supplier", "profile", "list", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Schema   string `json:"schema"`
		Profiles []struct {
			Name    string `json:"name"`
			Version int    `json:"version"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil || list.Schema != vendorProfileSchema || len(list.Profiles) != 1 || list.Profiles[0].Version != 2 {
		t.Fatalf("list: %s (%v)", out, err)
	}
	name := list.Profiles[0].Name
	tests := []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{[]string{"supplier", "profile", "show", strings.ToUpper(name), "--format", "json"}, `"schema": "assay.vendor/v1"`, false},
		{[]string{"supplier", "profile", "show", name}, "name: " + name, false},
		{[]string{"supplier", "assess", "--stored", name, "--format", "json"}, `"schema": "assay.supplier-assessment/v1"`, false},
		{[]string{"supplier", "profile", "show", "No Such Vendor"}, "", true},
		{[]string{"supplier", "assess", "--stored", name, example}, "", true},
		{[]string{"audit", "verify"}, "verified", false},
	}
	for _, tt := range tests {
		out, err := execute(t, "", append([]string{"--home", home}, tt.args...)...)
		if (err != nil) != tt.wantErr || !strings.Contains(out, tt.want) {
			t.Errorf("%v: err %v, output %.300s; want error %v and %q", tt.args, err, out, tt.wantErr, tt.want)
		}
	}
}
