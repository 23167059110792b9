// Package detect finds hidden problems in an unpacked firmware image:
// weak, default or empty passwords, backdoor accounts, private keys,
// hard-coded secrets, remote-access and debug services started at boot,
// serial-console root shells, outbound endpoints, insecure update
// mechanisms, insecure cryptographic configuration, risky file
// permissions and command injection in CGI scripts.
//
// Detect reads the image only through the read-only firmware.Result; no
// file from the image is ever executed. Each detector lives in its own
// file and reports Problems with evidence (a line or an offset, secrets
// redacted). docs/firmware-detect.md describes every detector and what it
// deliberately ignores.
package detect

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/assayhq/assay/firmware"
)

// Problem categories. outdated-component is emitted by the scan from
// end-of-life data, not by Detect.
const (
	CategoryAPISecret             = "api-secret"
	CategoryBackdoorAccount       = "backdoor-account"
	CategoryBackdoorService       = "backdoor-service"
	CategoryCommandInjection      = "command-injection"
	CategoryDebugInterface        = "debug-interface"
	CategoryEmptyPassword         = "empty-password"
	CategoryHardcodedPasswordHash = "hardcoded-password-hash"
	CategoryInsecureCryptoConfig  = "insecure-crypto-config"
	CategoryInsecurePermissions   = "insecure-permissions"
	CategoryInsecureUpdate        = "insecure-update"
	CategoryOutboundEndpoint      = "outbound-endpoint"
	CategoryOutdatedComponent     = "outdated-component"
	CategoryPlaintextPassword     = "plaintext-password"
	CategoryPrivateKey            = "private-key"
	CategoryRemoteAccessService   = "remote-access-service"
)

// Severities, from least to most severe.
const (
	SeverityInfo     = "info"
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Confidence levels.
const (
	ConfidenceLow    = "low"
	ConfidenceMedium = "medium"
	ConfidenceHigh   = "high"
)

// SeverityRank orders severities: info 0 … critical 4, unknown -1.
func SeverityRank(s string) int {
	return slices.Index([]string{SeverityInfo, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}, s)
}

// Problem is one hidden problem found in an image.
type Problem struct {
	Category   string   `json:"category"`
	Severity   string   `json:"severity"`   // info, low, medium, high, critical
	Confidence string   `json:"confidence"` // low, medium, high
	Path       string   `json:"path"`       // File.InnerPath, starts with "/"
	Container  []string `json:"container"`  // File.Enclosing(), never nil
	Detail     string   `json:"detail"`
	Evidence   string   `json:"evidence"` // line or offset, secrets redacted
	// Fingerprint is set for private keys: the SHA256 fingerprint of the
	// public key (OpenSSH "SHA256:…" form), to find reuse across images.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Options tunes Detect.
type Options struct {
	// Log receives progress and per-file errors; nil discards them.
	Log *slog.Logger
	// MaxFileSize bounds the bytes of one file read for content
	// detectors; larger files are skipped with a log entry. 0 means
	// DefaultMaxFileSize.
	MaxFileSize int64

	now func() time.Time // clock for certificate expiry; tests override it
}

// DefaultMaxFileSize is the per-file read bound when Options.MaxFileSize is 0.
const DefaultMaxFileSize = 32 << 20

// Detect runs every detector over res and returns the problems sorted by
// severity (most severe first), then path and category. It returns an
// error only when ctx is cancelled or res is unusable; unreadable single
// files are logged and skipped.
func Detect(ctx context.Context, res *firmware.Result, opts Options) ([]Problem, error) {
	if res == nil || res.FS == nil {
		return nil, fmt.Errorf("detect: no unpacked image")
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxFileSize <= 0 {
		opts.MaxFileSize = DefaultMaxFileSize
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	start := time.Now()
	img := newImage(res, opts)
	var out []Problem
	for _, r := range img.roots {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		out = append(out, detectAccounts(r)...)
		started := r.trace()
		out = append(out, detectBoot(r, started)...)
		out = append(out, detectPermissions(r, started)...)
	}
	content, err := scanContent(ctx, img)
	if err != nil {
		return nil, err
	}
	out = append(out, content...)
	for i := range out {
		if out[i].Container == nil {
			out[i].Container = []string{}
		}
	}
	sortProblems(out)
	opts.Log.Debug("detect done", "problems", len(out), "files", len(res.Files), "duration", time.Since(start))
	return out, nil
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(SeverityRank(b.Severity), SeverityRank(a.Severity)),
			slices.Compare(a.Container, b.Container),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Category, b.Category),
			cmp.Compare(a.Detail, b.Detail),
		)
	})
}

// maxSeverity returns the more severe of a and b.
func maxSeverity(a, b string) string {
	if SeverityRank(b) > SeverityRank(a) {
		return b
	}
	return a
}
