package secretrules

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/internal/firmwaretest"
	gldetect "github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"
)

// ruleSets are the rule sets firmware/detect runs: all rules, all but the
// private-key rule (text files), and also without the generic rule
// (binary strings).
var ruleSets = [][]string{nil, {"private-key"}, {"private-key", "generic-api-key"}}

// pair is one rule set run by this package and by gitleaks' detector.
type pair struct {
	name   string
	ours   *Rules
	theirs *gldetect.Detector
}

// pairs loads the rule sets once: gitleaks' loader uses the global viper.
var pairs = sync.OnceValues(func() ([]pair, error) {
	d, err := gldetect.NewDetectorDefaultConfig()
	if err != nil {
		return nil, err
	}
	ours, err := Default()
	if err != nil {
		return nil, err
	}
	var ps []pair
	for _, drop := range ruleSets {
		g := gldetect.NewDetectorContext(context.Background(), withoutRules(d.Config, drop))
		g.MaxDecodeDepth = 0
		ps = append(ps, pair{name: fmt.Sprintf("without %v", drop), ours: ours.Without(drop...), theirs: g})
	}
	return ps, nil
})

// withoutRules returns cfg without the named rules, with the keyword set
// rebuilt, as firmware/detect built it for gitleaks' detector.
func withoutRules(cfg config.Config, drop []string) config.Config {
	out := cfg
	out.Rules = map[string]config.Rule{}
	out.Keywords = map[string]struct{}{}
	out.OrderedRules = nil
	for _, id := range cfg.OrderedRules {
		if r, ok := cfg.Rules[id]; ok && !slices.Contains(drop, id) {
			out.Rules[id] = r
			out.OrderedRules = append(out.OrderedRules, id)
			for _, k := range r.Keywords {
				out.Keywords[k] = struct{}{}
			}
		}
	}
	return out
}

// gitleaksFind runs gitleaks' detector as firmware/detect used to.
func gitleaksFind(d *gldetect.Detector, text string) []Finding {
	var out []Finding
	//lint:ignore SA1019 v8.30 has no replacement yet (sources.Fragment arrives in v9)
	for _, f := range d.DetectContext(context.Background(), gldetect.Fragment{Raw: text}) {
		out = append(out, fromReport(f))
	}
	return out
}

// fromReport keeps the fields of a gitleaks finding that Finding has.
func fromReport(f report.Finding) Finding {
	return Finding{RuleID: f.RuleID, Match: f.Match, Secret: f.Secret, Line: f.Line,
		StartLine: f.StartLine, EndLine: f.EndLine, StartColumn: f.StartColumn, EndColumn: f.EndColumn}
}

// sorted returns fs in a total order, for comparison.
func sorted(fs []Finding) []Finding {
	fs = slices.Clone(fs)
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartColumn, b.StartColumn),
			cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndColumn, b.EndColumn),
			cmp.Compare(a.Secret, b.Secret), cmp.Compare(a.Match, b.Match), cmp.Compare(a.Line, b.Line))
	})
	return fs
}

// compare runs every rule set over text with both runners and reports
// differences; it returns the number of findings.
func compare(t testing.TB, name, text string) int {
	return compareSets(t, name, text, len(ruleSets))
}

// compareSets is compare with the first n rule sets.
func compareSets(t testing.TB, name, text string, n int) int {
	t.Helper()
	ps, err := pairs()
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, p := range ps[:n] {
		got := sorted(p.ours.Find(context.Background(), text))
		want := sorted(gitleaksFind(p.theirs, text))
		if !slices.Equal(got, want) {
			t.Errorf("%s, rules %s: findings differ\n ours:     %+v\n gitleaks: %+v", name, p.name, got, want)
		}
		found += len(got)
	}
	return found
}

// TestDefault checks that the default rules load with every rule of
// gitleaks' default configuration, in its order.
func TestDefault(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	d, err := gldetect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.IDs(); !slices.Equal(got, d.Config.OrderedRules) || len(got) < 200 {
		t.Errorf("rules %d %v, want %d %v", len(got), got, len(d.Config.OrderedRules), d.Config.OrderedRules)
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for k := range d.Config.Keywords {
			if !yield(k) {
				return
			}
		}
	})
	if got := rs.Keywords(); !slices.Equal(got, want) {
		t.Errorf("keywords %v, want %v", got, want)
	}
	if got := rs.Without("private-key", "nonexistent").IDs(); len(got) != len(d.Config.OrderedRules)-1 || slices.Contains(got, "private-key") {
		t.Errorf("Without: %d rules", len(got))
	}
}

// edgeCases exercise gitleaks' location arithmetic, the allow signature,
// allowlists and the generic dedupe.
var edgeCases = []string{
	"",
	"aws_key=AKIAZ7VRSQ5TKD3MNE4P",   // no newline
	"aws_key=AKIAZ7VRSQ5TKD3MNE4P\n", // trailing newline
	"x\n\naws_key=AKIAZ7VRSQ5TKD3MNE4P\r\nnext\n", // CRLF
	"line\naws_key=AKIAZ7VRSQ5TKD3MNE4P",          // last line without newline
	"aws_key=AKIAZ7VRSQ5TKD3MNE4P # gitleaks:allow\n",
	"GITHUB_TOKEN=ghp_R4nd0mT0kenV4lue0123456789abcdefABCD\n",
	"api_token =\n  \"Zq4T9mW2xK7pL3vN8rB5cJ1h\"\n", // match across lines
	"api_token = \"Zq4T9mW2xK7pL3vN8rB5cJ1h\"\napi_key=\"${API_KEY}\"\npassword=true\n",
	"slack_webhook = \"https://hooks.slack.com/services/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\"\n",
	"stripe_key: sk_live_4eC39HqLyjWDarjtT1zdp7dc\nsecret_key: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n", // generic vs specific
	"token=abcdefghijklmnopqrstuvwxyz0123\n",                                                       // stop word
	"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Zq4T9mW2xK7pL3vN8rB5cJ1hQ\n-----END RSA PRIVATE KEY-----\n",
	"\n\n\nkey = \"\n\nZq4T9mW2xK7pL3vN8rB5cJ1h\"",
	"ÄÖÜ secret=\"Zq4T9mW2xK7pL3vN8rB5cJ1hé\" İ\n", // lower-casing changes lengths
}

// TestEdgeCases compares both runners on hand-written inputs.
func TestEdgeCases(t *testing.T) {
	n := 0
	for i, text := range edgeCases {
		n += compare(t, fmt.Sprintf("case %d", i), text)
	}
	if n == 0 {
		t.Error("no findings at all: the comparison tests nothing")
	}
}

// gitleaksDir returns gitleaks' module directory in the module cache.
func gitleaksDir(t testing.TB) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zricethezav/gitleaks/v8").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("gitleaks module directory not found: %v", err)
	}
	return dir
}

// ruleExamples returns the string literals of gitleaks' rule generators:
// each rule's true- and false-positive examples, and its pieces.
func ruleExamples(t testing.TB) []string {
	dir := filepath.Join(gitleaksDir(t), "cmd", "generate", "config", "rules")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Skipf("no rule sources in %s: %v", dir, err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, file := range files {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && len(s) > 8 {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}

// exampleGroup is the number of rule examples joined in one text.
const exampleGroup = 25

// TestRuleExamples compares both runners on every string literal of
// gitleaks' rule generators, one by one with all rules (the rule sets
// differ only in rules dropped) and joined in groups with every rule set.
func TestRuleExamples(t *testing.T) {
	examples := ruleExamples(t)
	if raceEnabled {
		examples = sample(examples, 8)
	}
	n := 0
	for i, s := range examples {
		n += compareSets(t, fmt.Sprintf("example %d %.40q", i, s), s, 1)
	}
	// Joined, the rules' findings meet (the generic dedupe) and lines
	// count up. Joined in groups: the keyword pre-filter lets every rule
	// run over a text of all examples, which takes seconds.
	for i := 0; i < len(examples); i += exampleGroup {
		n += compare(t, fmt.Sprintf("examples %d+", i), strings.Join(examples[i:min(i+exampleGroup, len(examples))], "\n"))
	}
	t.Logf("%d examples, %d findings", len(examples), n)
	want := 200
	if raceEnabled {
		want /= 8
	}
	if n < want {
		t.Errorf("only %d findings", n)
	}
}

// maxFile bounds the files compared, to keep the test fast.
const maxFile = 1 << 20

// compareTree compares both runners on every regular file of fsys up to
// maxFile bytes (and on the printable strings of binaries, one per line,
// as firmware/detect scans them), and returns the number of files and
// findings.
func compareTree(t *testing.T, fsys fs.FS) (files, findings int) {
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > maxFile {
			return nil
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil
		}
		files++
		findings += compare(t, path, string(b))
		if bytes.IndexByte(b, 0) >= 0 {
			findings += compare(t, path+" (strings)", printable(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, findings
}

// printable returns the runs of at least 16 printable ASCII bytes in b,
// one per line.
func printable(b []byte) string {
	var sb strings.Builder
	run := 0
	for i, c := range b {
		if c >= 0x20 && c < 0x7f || c == '\t' {
			run++
			continue
		}
		if run >= 16 {
			sb.Write(b[i-run : i])
			sb.WriteByte('\n')
		}
		run = 0
	}
	if run >= 16 {
		sb.Write(b[len(b)-run:])
	}
	return sb.String()
}

// TestGitleaksTestdata compares both runners on gitleaks' own test data.
func TestGitleaksTestdata(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow; run without -short and -race")
	}
	files, n := compareTree(t, os.DirFS(filepath.Join(gitleaksDir(t), "testdata")))
	t.Logf("%d files, %d findings", files, n)
	if files < 50 || n == 0 {
		t.Errorf("%d files, %d findings", files, n)
	}
}

// TestFirmwareSample compares both runners on the files of the public
// firmware sample.
func TestFirmwareSample(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under -race; run without it")
	}
	img, _ := firmwaretest.Sample(t)
	res, err := firmware.Unpack(context.Background(), img, firmware.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	files, n := compareTree(t, res.FS)
	t.Logf("%d files, %d findings", files, n)
	if files < 20 || n == 0 {
		t.Errorf("%d files, %d findings", files, n)
	}
}

// TestFirmwareRootfs compares both runners on an unpacked root file
// system named by $SECRETRULES_ROOTFS (such as the one
// bench/firmware-e2e.sh leaves in /tmp/assay-fw-e2e/rootfs; 250 MB take
// minutes).
func TestFirmwareRootfs(t *testing.T) {
	root := os.Getenv("SECRETRULES_ROOTFS")
	if root == "" {
		t.Skip("set SECRETRULES_ROOTFS to an unpacked root file system")
	}
	files, n := compareTree(t, os.DirFS(root))
	t.Logf("%s: %d files, %d findings", root, files, n)
}

// FuzzSecretRulesLikeGitleaks checks that the runner finds what gitleaks'
// detector finds, with the same locations, on any text.
func FuzzSecretRulesLikeGitleaks(f *testing.F) {
	for _, s := range edgeCases {
		f.Add(s)
	}
	examples := ruleExamples(f)
	for i := 0; i < len(examples); i += 7 {
		f.Add(examples[i])
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 1<<16 {
			return
		}
		compare(t, "input", text)
	})
}

// customRules exercises what the default rules do not: path rules, a
// skipped rule, AND allowlists with paths, regex targets, secret groups.
const customRules = `
[[rules]]
id = "path-only-empty"
path = '''^$'''
[[rules]]
id = "path-only-pem"
path = '''\.pem$'''
[[rules]]
id = "path-and-regex-empty"
path = '''^.*$'''
regex = '''tok_([a-z0-9]{8})'''
[[rules]]
id = "path-and-regex-conf"
path = '''\.conf$'''
regex = '''tok_[a-z0-9]{8}'''
[[rules]]
id = "skipped"
regex = '''tok_[a-z0-9]{8}'''
skipReport = true
[[rules]]
id = "grouped"
regex = '''(?:k1=(\w+))|(?:k2=(\w+))'''
keywords = ["K1=", "k2="]
  [[rules.allowlists]]
  condition = "AND"
  regexes = ['''^allow''']
  stopwords = ["me"]
  [[rules.allowlists]]
  condition = "AND"
  regexes = ['''^x''']
  paths = ['''.*''']
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''#\s*ok''']
[[rules]]
id = "second-group"
regex = '''s=(a+)([a-z]+)'''
secretGroup = 2
entropy = 0.5
  [[rules.allowlists]]
  regexTarget = "match"
  regexes = ['''^s=aaa''']
[[rules]]
id = "generic-thing"
regex = '''g=(\w+)'''
[[allowlists]]
stopwords = ["stop"]
`

// TestCustomRules compares both runners on a configuration with the rule
// features the default one does not use.
func TestCustomRules(t *testing.T) {
	cfg, err := load(customRules)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	theirs := gldetect.NewDetectorContext(context.Background(), cfg)
	theirs.MaxDecodeDepth = 0
	n := 0
	for i, text := range []string{
		"",
		"tok_abcd1234\nK1=allowme k2=allowyou\nk1=xylophone # ok\nk2=x1\n",
		"s=aab s=aaaxyz s=abcde s=abbbb\ntok_qqqqqqqq g=qqqqqqqq\ng=tok_abcd1234 g=stopword g=zz tok_zzzzzzzz\n",
		"\ntok_abcd1234",
	} {
		got := sorted(ours.Find(context.Background(), text))
		want := sorted(gitleaksFind(theirs, text))
		if !slices.Equal(got, want) {
			t.Errorf("text %d: findings differ\n ours:     %+v\n gitleaks: %+v", i, got, want)
		}
		n += len(got)
	}
	if n < 12 {
		t.Errorf("only %d findings", n)
	}
	cfg.Rules["grouped"] = config.Rule{RuleID: "grouped", RequiredRules: []*config.Required{{RuleID: "second-group"}}}
	if _, err := New(cfg); err == nil {
		t.Error("New accepted a multi-part rule")
	}
}

// BenchmarkFind compares the scan speed of both runners on a group of
// rule examples, with the text-file rule set.
func BenchmarkFind(b *testing.B) {
	ps, err := pairs()
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Join(ruleExamples(b)[:exampleGroup*4], "\n")
	b.Run("secretrules", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			ps[1].ours.Find(context.Background(), text)
		}
	})
	b.Run("gitleaks", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			gitleaksFind(ps[1].theirs, text)
		}
	})
}

// sample returns every k-th element of s.
func sample(s []string, k int) []string {
	var out []string
	for i := 0; i < len(s); i += k {
		out = append(out, s[i])
	}
	return out
}

// manyGeneric is n generic findings on n lines, with a specific finding
// holding the secret of every tenth.
func manyGeneric(n int) []Finding {
	var fs []Finding
	for i := range n {
		s := fmt.Sprintf("secret%d", i)
		fs = append(fs, Finding{RuleID: "generic-api-key", Secret: s, StartLine: i})
		if i%10 == 0 {
			fs = append(fs, Finding{RuleID: "github-pat", Secret: "ghp_" + s, StartLine: i})
		}
	}
	return fs
}

// TestDedupeMany drops the generic findings a specific one on the same
// line holds, looking only at that line's findings (searching every
// finding for each was quadratic in the findings of a file).
func TestDedupeMany(t *testing.T) {
	const n = 5000
	out := dedupe(append(manyGeneric(n), Finding{RuleID: "generic-api-key", Secret: "secret3", StartLine: 0}))
	generic, specific := 0, 0
	for _, f := range out {
		if f.RuleID == "generic-api-key" {
			generic++
		} else {
			specific++
		}
	}
	// secret3 on line 0 is not in ghp_secret0: kept.
	if generic != n-n/10+1 || specific != n/10 {
		t.Errorf("kept %d generic and %d specific findings, want %d and %d", generic, specific, n-n/10+1, n/10)
	}
}

func BenchmarkDedupeMany(b *testing.B) {
	fs := manyGeneric(40000)
	for b.Loop() {
		dedupe(fs)
	}
}
