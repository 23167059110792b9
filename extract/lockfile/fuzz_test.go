package lockfile

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/assayhq/assay/extract/limit"
)

func FuzzGoMod(f *testing.F) {
	for _, dir := range []string{"go117", "go116"} {
		mod, _ := os.ReadFile(filepath.Join("testdata", dir, "go.mod"))
		sum, _ := os.ReadFile(filepath.Join("testdata", dir, "go.sum"))
		f.Add(mod, sum)
	}
	f.Fuzz(func(t *testing.T, mod, sum []byte) {
		_, _ = ReadGoMod(context.Background(), mod, sum, "go.mod")
	})
}

// FuzzLockfiles feeds the same bytes to every lockfile parser.
func FuzzLockfiles(f *testing.F) {
	for _, p := range []string{"npm/package-lock.json", "py/requirements.txt", "cargo/Cargo.lock", "maven/multi/app/pom.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	ps, err := Parsers(limit.Limits{MaxFileBytes: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	names := []string{"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt", "poetry.lock",
		"Pipfile.lock", "uv.lock", "Cargo.lock", "Gemfile.lock", "composer.lock", "pom.xml", "gradle.lockfile",
		"packages.lock.json", "pubspec.lock", "mix.lock"}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for _, n := range names {
			fsys[path.Join("p", n)] = &fstest.MapFile{Data: data}
		}
		for _, n := range names {
			p := path.Join("p", n)
			for _, ps := range ps {
				if ps.Match(p, nil) {
					_, _ = ps.Parse(context.Background(), fsys, p)
				}
			}
		}
	})
}
