package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerated checks that ../../countries.go is what the generator
// writes from the x/text version in go.mod; after an x/text update, run
// `go generate ./supplier/lists`.
func TestGenerated(t *testing.T) {
	want, err := generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "countries.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("countries.go is stale: run go generate ./supplier/lists")
	}
	if n := bytes.Count(want, []byte(`\t`)); n < 240 {
		t.Errorf("only %d countries generated", n)
	}
}
