package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/assayhq/assay/extract"
	"github.com/assayhq/assay/firmware"
	"github.com/assayhq/assay/firmware/detect"
	"github.com/assayhq/assay/firmware/identify"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier/eol"
)

// FirmwareOptions configure the review of firmware images: how they are
// unpacked, how components are identified and how hidden problems are
// detected.
type FirmwareOptions struct {
	Limits   firmware.Limits
	Identify identify.Options
	Detect   detect.Options
	// LoadEOL loads end-of-life data when Identify.EOL is empty; it is
	// called once, at the first firmware image, so scans of other inputs
	// never pay for it. Nil: no end-of-life marking.
	LoadEOL func() (eol.DB, error)
	// Log receives progress and warnings; nil discards them.
	Log *slog.Logger
}

// Problem is a hidden problem found in a firmware image (a backdoor-like
// account, a hardcoded secret, a remote-access service started at boot,
// an end-of-life component …), with the target it was found in.
type Problem struct {
	detect.Problem
	Target string `json:"target"`
}

// ComponentRecord is one component identified inside a firmware image,
// with where it was found and how. Scans of other inputs do not list
// components; the inventory command does.
type ComponentRecord struct {
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	Ecosystem string   `json:"ecosystem"`
	PURL      string   `json:"purl"`
	CPEs      []string `json:"cpes,omitempty"`
	Target    string   `json:"target"`
	Location  Location `json:"location"`
	EOL       bool     `json:"eol,omitempty"`
	EOLDate   string   `json:"eol_date,omitempty"`
	Evidence  string   `json:"evidence,omitempty"`
}

// Location is where a component was found inside an image: the path in
// its innermost filesystem and the containers around that filesystem,
// outermost first.
type Location struct {
	Path      string   `json:"path"`
	Container []string `json:"container"`
}

// errNotFirmware says an input holds no container the unpacker knows.
var errNotFirmware = errors.New("no firmware container found")

// isArchiveOrUnknown reports whether extract declined a single input
// because it is an archive or an unknown format: a firmware image looks
// like one of the two.
func isArchiveOrUnknown(err error) bool {
	return errors.Is(err, extract.ErrUnsupported) || errors.Is(err, extract.ErrNotUnpacked)
}

// firmwareResult is what the review of one image adds to a scan.
type firmwareResult struct {
	target     Target
	findings   []Finding
	components []ComponentRecord
	problems   []Problem
}

// firmwareImage unpacks an image, identifies its components, detects its
// hidden problems and matches the components. It returns errNotFirmware
// when the unpacker recognises nothing in the file.
func (s *Scanner) firmwareImage(ctx context.Context, path string) (*firmwareResult, error) {
	opts := s.opts.Firmware
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	img, err := firmware.UnpackLogger(ctx, path, opts.Limits, log)
	if err != nil {
		return nil, fmt.Errorf("%s: unpack: %w", path, err)
	}
	defer img.Close()
	if len(img.Containers) == 0 {
		return nil, errNotFirmware
	}
	idOpts, eolNote := s.identifyOptions()
	comps, unassessed, err := identify.Identify(ctx, img, idOpts)
	if err != nil {
		return nil, fmt.Errorf("%s: identify components: %w", path, err)
	}
	found, err := detect.Detect(ctx, img, opts.Detect)
	if err != nil {
		return nil, fmt.Errorf("%s: detect problems: %w", path, err)
	}
	inv := &inventory.Inventory{
		Target: path, Kind: inventory.KindFirmware, Format: imageFormat(img),
		Components: comps, Unassessed: firmwareUnassessed(img, unassessed),
	}
	if eolNote != "" {
		inv.Unassessed = append(inv.Unassessed, inventory.Unassessed{Path: path, Reason: eolNote})
	}
	t, fs, err := s.Inventory(ctx, inv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := &firmwareResult{target: t, findings: fs}
	for _, c := range comps {
		rec := componentRecord(c, path)
		out.components = append(out.components, rec)
		if rec.EOL {
			out.problems = append(out.problems, eolProblem(rec))
		}
	}
	for _, p := range found {
		out.problems = append(out.problems, Problem{Problem: p, Target: path})
	}
	return out, nil
}

// identifyOptions returns the identify options with end-of-life data
// loaded on first use, and a note when that data is missing.
func (s *Scanner) identifyOptions() (identify.Options, string) {
	o := s.opts.Firmware.Identify
	if o.EOL != nil || s.loadEOL == nil {
		return o, ""
	}
	db, err := s.loadEOL()
	if err != nil {
		return o, "end of life not checked: " + err.Error()
	}
	o.EOL = db
	return o, ""
}

// imageFormat names the outermost container of an image, with the
// number of nested containers.
func imageFormat(img *firmware.Result) string {
	f := img.Containers[0].Format
	if n := len(img.Containers); n > 1 {
		f += fmt.Sprintf(" (+%d nested)", n-1)
	}
	return f
}

// firmwareUnassessed joins what the unpacker could not reach and what the
// identifier could not assess.
func firmwareUnassessed(img *firmware.Result, more []inventory.Unassessed) []inventory.Unassessed {
	out := make([]inventory.Unassessed, 0, len(img.Unassessed)+len(more))
	for _, u := range img.Unassessed {
		out = append(out, inventory.Unassessed{Path: u.Path, Reason: u.Reason})
	}
	return append(out, more...)
}

func componentRecord(c inventory.Component, target string) ComponentRecord {
	r := ComponentRecord{
		Name: c.Name, Version: c.Version, Ecosystem: c.Ecosystem, PURL: c.PURL, CPEs: c.CPEs,
		Target: target, Location: Location{Container: []string{}},
		EOL:      c.Metadata[inventory.MetaEOL] == "true",
		EOLDate:  c.Metadata[inventory.MetaEOLDate],
		Evidence: c.Metadata[inventory.MetaEvidence],
	}
	if len(c.Locations) > 0 {
		r.Location.Path = c.Locations[0].Path
		if c.Locations[0].Container != nil {
			r.Location.Container = c.Locations[0].Container
		}
	}
	return r
}

// eolProblem reports a component past its end of life: it no longer
// receives security fixes, whatever the advisory data says today.
func eolProblem(c ComponentRecord) Problem {
	detail := fmt.Sprintf("%s %s is past its end of life", c.Name, c.Version)
	if c.EOLDate != "" {
		detail += " (" + c.EOLDate + ")"
	}
	return Problem{Target: c.Target, Problem: detect.Problem{
		Category: detect.CategoryOutdatedComponent, Severity: detect.SeverityMedium, Confidence: detect.ConfidenceHigh,
		Path: c.Location.Path, Container: c.Location.Container,
		Detail: detail + "; it no longer receives security fixes", Evidence: c.Evidence,
	}}
}

// markReusedKeys raises private keys found in more than one image: one
// leaked image then unlocks every device that carries the others.
func markReusedKeys(ps []Problem) {
	targets := map[string][]string{}
	for _, p := range ps {
		if p.Category == detect.CategoryPrivateKey && p.Fingerprint != "" && !slices.Contains(targets[p.Fingerprint], p.Target) {
			targets[p.Fingerprint] = append(targets[p.Fingerprint], p.Target)
		}
	}
	for i := range ps {
		p := &ps[i]
		ts := targets[p.Fingerprint]
		if p.Category != detect.CategoryPrivateKey || len(ts) < 2 {
			continue
		}
		p.Severity = detect.SeverityCritical
		p.Detail += fmt.Sprintf("; the same key is in %d images: %s", len(ts), strings.Join(ts, ", "))
	}
}

// sortProblems orders problems by severity, then confidence, target and
// path.
func sortProblems(ps []Problem) {
	conf := map[string]int{detect.ConfidenceHigh: 2, detect.ConfidenceMedium: 1, detect.ConfidenceLow: 0}
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if c := cmp.Compare(detect.SeverityRank(b.Severity), detect.SeverityRank(a.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(conf[b.Confidence], conf[a.Confidence]); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.Category, b.Category)
	})
}

// ProblemsAtOrAbove returns the problems at a --fail-on severity level or
// above. The threshold "kev" concerns vulnerabilities only.
func ProblemsAtOrAbove(res *Result, threshold string) []Problem {
	rank := slices.Index(Levels, threshold)
	if rank < 0 {
		return nil
	}
	var out []Problem
	for _, p := range res.Problems {
		if detect.SeverityRank(p.Severity) >= rank {
			out = append(out, p)
		}
	}
	return out
}
