package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/spdx/tools-golang/tagvalue"
)

// TestTagValueLikeLibrary checks that readTagValue reads every SPDX
// tag-value document of the shared corpus and the test data into the
// same SPDX 2.3 model as tools-golang's tagvalue.Read, which it replaces,
// also as SPDX 2.1 and 2.2 (the declared version rewritten), and fails
// where it fails.
func TestTagValueLikeLibrary(t *testing.T) {
	files := corpusFiles(t, filepath.Join("testdata", "*.spdx"), ".spdx")
	docs := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{"", "SPDX-2.1", "SPDX-2.2", "SPDX-2.3", "SPDX-9.9"} {
			text := data
			if v != "" {
				text = tvVersion.ReplaceAll(data, []byte("SPDXVersion: "+v))
			}
			want, werr := tagvalue.Read(bytes.NewReader(text))
			got, gerr := readTagValue(bytes.NewReader(text))
			if (werr != nil) != (gerr != nil) {
				t.Errorf("%s as %q: tools-golang error %v, ours %v", p, v, werr, gerr)
				continue
			}
			if werr == nil && !reflect.DeepEqual(want, got) {
				t.Errorf("%s as %q: documents differ", p, v)
			}
			if werr == nil && v == "" {
				docs++
			}
		}
	}
	if docs < 3 {
		t.Errorf("only %d tag-value documents read", docs)
	}
	t.Logf("%d files, %d read as declared", len(files), docs)
}

// FuzzTagValueLikeLibrary checks that readTagValue and tools-golang's
// tagvalue.Read agree on any input (or both fail).
func FuzzTagValueLikeLibrary(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.spdx"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(tvVersion.ReplaceAll(data, []byte("SPDXVersion: SPDX-2.1")))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := tagvalue.Read(bytes.NewReader(data))
		got, gerr := readTagValue(bytes.NewReader(data))
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("tools-golang error %v, ours %v", werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("documents differ")
		}
	})
}
