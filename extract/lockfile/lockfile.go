package lockfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor/filesystem"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dart/pubspec"
	"github.com/google/osv-scalibr/extractor/filesystem/language/dotnet/packageslockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/elixir/mixlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/java/gradlelockfile"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/packagelockjson"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/pnpmlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/javascript/yarnlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/php/composerlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/pipfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/poetrylock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/requirements"
	"github.com/google/osv-scalibr/extractor/filesystem/language/python/uvlock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/ruby/gemfilelock"
	"github.com/google/osv-scalibr/extractor/filesystem/language/rust/cargolock"
)

// scalibrExtractors lists the osv-scalibr extractors used, by the format
// name Assay reports.
var scalibrExtractors = []struct {
	format string
	new    func(*cpb.PluginConfig) (filesystem.Extractor, error)
}{
	{"package-lock.json", packagelockjson.New},
	{"yarn.lock", yarnlock.New},
	{"pnpm-lock.yaml", pnpmlock.New},
	{"requirements.txt", requirements.New},
	{"poetry.lock", poetrylock.New},
	{"Pipfile.lock", pipfilelock.New},
	{"uv.lock", uvlock.New},
	{"Cargo.lock", cargolock.New},
	{"Gemfile.lock", gemfilelock.New},
	{"composer.lock", composerlock.New},
	{"gradle.lockfile", gradlelockfile.New},
	{"packages.lock.json", packageslockjson.New},
	{"pubspec.lock", pubspec.New},
	{"mix.lock", mixlock.New},
}

// Parsers returns a parser per supported lockfile or manifest format:
// go.mod (with go.sum beside it) and the osv-scalibr based ones.
func Parsers(lim limit.Limits) ([]plugin.Parser, error) {
	lim = lim.WithDefaults()
	out := []plugin.Parser{goModParser(lim), pomParser(lim)}
	cfg := &cpb.PluginConfig{MaxFileSizeBytes: lim.MaxFileBytes}
	for _, e := range scalibrExtractors {
		ex, err := e.new(cfg)
		if err != nil {
			return nil, fmt.Errorf("lockfile extractor %s: %w", e.format, err)
		}
		p := plugin.Scalibr(e.format, inventory.KindLockfile, ex, lim, nil)
		if e.format == "package-lock.json" {
			p.Parse = boundDepth(p.Parse, lim)
		}
		out = append(out, p)
	}
	return out, nil
}

// maxLockDepth bounds the JSON nesting of a package-lock.json. A version 1
// lockfile nests a package's conflicting dependencies inside it, and
// osv-scalibr's reader copies every nested level's packages into each
// level above (and searches the file for each package's line), so its
// cost grows with the square of the depth: a 179 KB file nesting 4,000
// packages took 2.3 s and 500 MB. Real lockfiles nest a few dozen levels.
const maxLockDepth = 256

// boundDepth returns parse preceded by a check of the file's JSON nesting.
func boundDepth(parse func(context.Context, fs.FS, string) (*inventory.Inventory, error), lim limit.Limits) func(context.Context, fs.FS, string) (*inventory.Inventory, error) {
	return func(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error) {
		data, err := plugin.ReadFile(fsys, p, lim.MaxFileBytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if d := jsonDepth(data, maxLockDepth); d > maxLockDepth {
			return nil, fmt.Errorf("%s: %w: JSON nested deeper than %d levels", p, limit.ErrTooLarge, maxLockDepth)
		}
		return parse(ctx, fsys, p)
	}
}

// jsonDepth returns the deepest nesting of objects and arrays in data, or
// some depth past max as soon as it exceeds max. Brackets inside strings
// do not count; data need not be valid JSON.
func jsonDepth(data []byte, max int) int {
	depth, deepest := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"': // skip the string
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if depth++; depth > deepest {
				if deepest = depth; deepest > max {
					return deepest
				}
			}
		case '}', ']':
			depth--
		}
	}
	return deepest
}

func goModParser(lim limit.Limits) plugin.Parser {
	return plugin.Parser{
		Name: "go.mod",
		Kind: inventory.KindLockfile,
		Match: func(p string, _ fs.FileInfo) bool {
			return path.Base(p) == "go.mod"
		},
		Parse: func(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error) {
			mod, err := plugin.ReadFile(fsys, p, lim.MaxFileBytes)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			sumPath := path.Join(path.Dir(p), "go.sum")
			sum, err := plugin.ReadFile(fsys, sumPath, lim.MaxFileBytes)
			if errors.Is(err, fs.ErrNotExist) {
				sum, err = nil, nil
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sumPath, err)
			}
			return ReadGoMod(ctx, mod, sum, p)
		},
	}
}
