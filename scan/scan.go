// Package scan runs a vulnerability scan: it inventories each target,
// matches every component against the advisory database, and assembles
// the result document (schema assay.scan/v1) that reports render.
package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/assayhq/assay/extract"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/match"
	"github.com/assayhq/assay/supplier/eol"
	"github.com/assayhq/assay/vex"
	"github.com/assayhq/assay/vulndb"
)

// Schema identifies the JSON document of a scan result.
const Schema = "assay.scan/v1"

// Result is the outcome of a scan: the advisory snapshot used, the
// targets with their coverage, and the findings. Firmware images add the
// components identified inside them and the hidden problems detected.
type Result struct {
	Schema     string            `json:"schema"`
	DB         DBInfo            `json:"db"`
	Targets    []Target          `json:"targets"`
	Findings   []Finding         `json:"findings"`
	Components []ComponentRecord `json:"components,omitempty"`
	Problems   []Problem         `json:"problems,omitempty"`
}

// DBInfo says which advisory data a scan used and how fresh it was.
type DBInfo struct {
	Snapshot   string          `json:"snapshot"`
	BuiltAt    string          `json:"built_at"`
	Advisories int             `json:"advisories"`
	Sources    []DBSourceBrief `json:"sources"`
}

// DBSourceBrief is the provenance of one advisory source.
type DBSourceBrief struct {
	Name      string `json:"name"`
	FetchedAt string `json:"fetched_at"`
	SHA256    string `json:"sha256"`
}

// Target is one scanned input.
type Target struct {
	Path       string                 `json:"path"`
	Kind       string                 `json:"kind"`
	Format     string                 `json:"format,omitempty"`
	Components int                    `json:"components"`
	Assessed   int                    `json:"assessed"`
	Unassessed []inventory.Unassessed `json:"unassessed"`
}

// Finding is one vulnerability affecting one component of a target.
type Finding struct {
	ID         string            `json:"id"`
	Aliases    []string          `json:"aliases"`
	Summary    string            `json:"summary,omitempty"`
	Component  Component         `json:"component"`
	Target     string            `json:"target"`
	Severity   Severity          `json:"severity"`
	KEV        *vulndb.KEVEntry  `json:"kev"`
	EPSS       *vulndb.EPSSScore `json:"epss"`
	Fixed      []string          `json:"fixed"`
	Match      match.Evidence    `json:"match"`
	Upstream   []string          `json:"upstream,omitempty"`
	Suppressed *Suppression      `json:"suppressed"`
}

// Component identifies the affected component.
type Component struct {
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Ecosystem string   `json:"ecosystem"`
	PURL      string   `json:"purl"`
	CPEs      []string `json:"cpes,omitempty"`
	Locations []string `json:"locations,omitempty"`
}

// Severity is the best available CVSS score with its source; Level is
// "unknown" when no advisory scored the vulnerability.
type Severity struct {
	Level  string  `json:"level"`
	Score  float64 `json:"score"`
	Vector string  `json:"vector"`
	Source string  `json:"source"`
}

// Suppression says why a finding is not counted (VEX statement, ignore
// rule).
type Suppression struct {
	By     string `json:"by"`
	Reason string `json:"reason"`
}

// Options control a scan.
type Options struct {
	Extract extract.Options
	VEX     vex.Set          // vendor statements; not_affected and fixed suppress findings
	Ignore  []vex.IgnoreRule // accepted findings; expired rules do not apply
	Now     time.Time        // the day ignore-rule expiry is judged on (zero: today)
	// Firmware configures inputs that are firmware images: files no
	// inventory parser reads (or archives) in which the unpacker finds a
	// container.
	Firmware FirmwareOptions
}

// Scanner scans targets against one advisory snapshot.
type Scanner struct {
	db      *vulndb.DB
	matcher *match.Matcher
	info    DBInfo
	opts    Options

	// loadEOL loads end-of-life data once, at the first firmware image.
	loadEOL func() (eol.DB, error)
}

// New prepares a scanner over db.
func New(ctx context.Context, db *vulndb.DB, opts Options) (*Scanner, error) {
	st, err := db.Summary(ctx)
	if err != nil {
		return nil, err
	}
	ecos := make([]string, 0, len(st.Ecosystems))
	for e := range st.Ecosystems {
		ecos = append(ecos, e)
	}
	info := DBInfo{Snapshot: st.Snapshot, BuiltAt: st.BuiltAt, Advisories: st.Advisories}
	for _, s := range st.Sources {
		info.Sources = append(info.Sources, DBSourceBrief{s.Name, s.FetchedAt, s.SHA256})
	}
	s := &Scanner{db: db, matcher: match.New(db, ecos, st.CPERecords > 0), info: info, opts: opts}
	if opts.Firmware.LoadEOL != nil {
		s.loadEOL = sync.OnceValues(opts.Firmware.LoadEOL)
	}
	return s, nil
}

// Scan inventories and matches each path. An input that cannot be read at
// all is an error naming it; parts of an input that cannot be assessed
// are reported in its target.
func (s *Scanner) Scan(ctx context.Context, paths []string) (*Result, error) {
	res := &Result{Schema: Schema, DB: s.info, Targets: []Target{}, Findings: []Finding{}}
	for _, p := range paths {
		if err := s.scanPath(ctx, res, p); err != nil {
			return nil, err
		}
	}
	s.suppress(res.Findings)
	Sort(res.Findings)
	markReusedKeys(res.Problems)
	sortProblems(res.Problems)
	return res, nil
}

// scanPath adds one input to res. An input no inventory parser reads is
// tried as a firmware image; when the unpacker finds nothing in it either,
// the inventory error stands.
func (s *Scanner) scanPath(ctx context.Context, res *Result, p string) error {
	inv, err := extract.Path(ctx, p, s.opts.Extract)
	if isArchiveOrUnknown(err) {
		fw, ferr := s.firmwareImage(ctx, p)
		if errors.Is(ferr, errNotFirmware) {
			return err
		}
		if ferr != nil {
			return ferr
		}
		res.Targets = append(res.Targets, fw.target)
		res.Findings = append(res.Findings, fw.findings...)
		res.Components = append(res.Components, fw.components...)
		res.Problems = append(res.Problems, fw.problems...)
		return nil
	}
	if err != nil {
		return err
	}
	t, err := s.inventory(ctx, inv, &res.Findings)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	res.Targets = append(res.Targets, t)
	return nil
}

// suppress marks findings covered by a VEX statement or an ignore rule;
// they stay in the result with the reason.
func (s *Scanner) suppress(fs []Finding) {
	now := s.opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	for i := range fs {
		f := &fs[i]
		ids := append([]string{f.ID}, f.Aliases...)
		if st := s.opts.VEX.Find(ids, f.Component.PURL, f.Component.Name); st != nil && st.Suppresses() {
			f.Suppressed = &Suppression{By: "vex:" + st.Source, Reason: st.Reason()}
			continue
		}
		for _, r := range s.opts.Ignore {
			if !r.Expired(now) && r.Matches(ids, f.Component.PURL, f.Component.Name) {
				f.Suppressed = &Suppression{By: "ignore:" + r.ID, Reason: r.Reason}
				break
			}
		}
	}
}

// Inventory matches the components of one inventory.
func (s *Scanner) Inventory(ctx context.Context, inv *inventory.Inventory) (Target, []Finding, error) {
	var out []Finding
	t, err := s.inventory(ctx, inv, &out)
	return t, out, err
}

// inventory matches the components of one inventory and appends their
// findings to *out. Each component's findings are converted as soon as
// they are matched (in the matching workers), so the matcher's findings
// never pile up.
func (s *Scanner) inventory(ctx context.Context, inv *inventory.Inventory, out *[]Finding) (Target, error) {
	t := Target{Path: inv.Target, Kind: string(inv.Kind), Format: inv.Format, Components: len(inv.Components), Unassessed: slices.Clone(inv.Unassessed)}
	if t.Unassessed == nil {
		t.Unassessed = []inventory.Unassessed{}
	}
	pkgs := make([]match.Package, len(inv.Components))
	for i, c := range inv.Components {
		pkgs[i] = toPackage(c)
	}
	found := make([][]Finding, len(pkgs))
	covs := make([]match.Coverage, len(pkgs))
	err := s.matcher.MatchEach(ctx, pkgs, func(i int, fs []match.Finding, cov match.Coverage) error {
		covs[i] = cov
		if len(fs) == 0 {
			return nil
		}
		c := &inv.Components[i]
		comp := toComponent(c) // shared by the component's findings
		conv := make([]Finding, len(fs))
		for j, f := range fs {
			conv[j] = toFinding(f, comp, inv.Target)
		}
		found[i] = conv
		return nil
	})
	if err != nil {
		return t, err
	}
	pkgs = nil
	n := 0
	for i, cov := range covs {
		if !cov.Assessed {
			c := &inv.Components[i]
			t.Unassessed = append(t.Unassessed, inventory.Unassessed{Path: componentPath(*c), Reason: fmt.Sprintf("component %s: %s", componentName(*c), cov.Reason)})
			continue
		}
		t.Assessed++
		n += len(found[i])
	}
	*out = slices.Grow(*out, n)
	for i, fs := range found {
		*out = append(*out, fs...)
		found[i] = nil // the copy is all that is needed now
	}
	return t, nil
}

func toPackage(c inventory.Component) match.Package {
	return match.Package{
		Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem, PURL: c.PURL,
		SourceName: c.SourceName, SourceVersion: c.SourceVersion, CPEs: c.CPEs,
		GOOS: c.Metadata[inventory.MetaGOOS], GOARCH: c.Metadata[inventory.MetaGOARCH],
	}
}

func componentName(c inventory.Component) string {
	if c.PURL != "" {
		return c.PURL
	}
	if c.Version != "" {
		return c.Name + "@" + c.Version
	}
	return c.Name
}

func componentPath(c inventory.Component) string {
	if len(c.Locations) > 0 && c.Locations[0].Path != "" {
		return c.Locations[0].Path
	}
	return componentName(c)
}

func toComponent(c *inventory.Component) Component {
	out := Component{Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem, PURL: c.PURL, CPEs: c.CPEs}
	if len(c.Locations) > 0 {
		out.Locations = make([]string, len(c.Locations))
		for i, l := range c.Locations {
			out.Locations[i] = l.Path
		}
	}
	return out
}

func toFinding(f match.Finding, comp Component, target string) Finding {
	out := Finding{
		ID: f.ID, Aliases: f.Aliases, Summary: f.Summary, Target: target,
		Component: comp,
		Severity:  Severity{Level: "unknown"},
		KEV:       f.KEV, EPSS: f.EPSS, Fixed: f.Fixed, Match: f.Match, Upstream: f.Upstream,
	}
	if out.Aliases == nil {
		out.Aliases = []string{}
	}
	if out.Fixed == nil {
		out.Fixed = []string{}
	}
	if f.Severity != nil {
		out.Severity = Severity{Level: f.Severity.Level, Score: f.Severity.Base, Vector: f.Severity.Vector, Source: f.Severity.Source}
		if out.Severity.Source == "" {
			out.Severity.Source = f.ID
		}
	}
	return out
}

// Sort orders findings the way reviewers triage: known exploited (KEV)
// first, then by EPSS probability × CVSS score, then by CVSS score, ID and
// component. The sort is stable. It sorts small keys and then moves each
// finding once, rather than swapping whole findings while sorting.
func Sort(fs []Finding) {
	type key struct {
		kev         bool
		risk, score float64
		i           int
	}
	keys := make([]key, len(fs))
	for i := range fs {
		keys[i] = key{fs[i].KEV != nil, risk(fs[i]), fs[i].Severity.Score, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.kev != b.kev {
			if a.kev {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.risk, a.risk); c != 0 {
			return c
		}
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		fa, fb := &fs[a.i], &fs[b.i]
		if c := cmp.Compare(fa.ID, fb.ID); c != 0 {
			return c
		}
		if c := cmp.Compare(fa.Component.Name, fb.Component.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i) // stable
	})
	// Apply the permutation in place: position p receives fs[keys[p].i].
	for p := range keys {
		if keys[p].i < 0 {
			continue
		}
		hold := fs[p]
		q := p
		for {
			src := keys[q].i
			keys[q].i = -1
			if src == p {
				fs[q] = hold
				break
			}
			fs[q] = fs[src]
			q = src
		}
	}
}

func risk(f Finding) float64 {
	if f.EPSS == nil {
		return 0
	}
	return f.EPSS.Score * f.Severity.Score
}

// Levels lists severity levels from lowest to highest.
var Levels = []string{"none", "low", "medium", "high", "critical"}

// FailsOn reports the unsuppressed findings that meet a --fail-on
// threshold: a severity level (the level or above) or "kev".
func FailsOn(res *Result, threshold string) ([]Finding, error) {
	rank := slices.Index(Levels, threshold)
	if rank < 0 && threshold != "kev" {
		return nil, fmt.Errorf("--fail-on %q: want low, medium, high, critical or kev", threshold)
	}
	var out []Finding
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			continue
		}
		if threshold == "kev" && f.KEV != nil || rank >= 0 && slices.Index(Levels, f.Severity.Level) >= rank {
			out = append(out, f)
		}
	}
	return out, nil
}
