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
		out = append(out, plugin.Scalibr(e.format, inventory.KindLockfile, ex, lim, nil))
	}
	return out, nil
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
