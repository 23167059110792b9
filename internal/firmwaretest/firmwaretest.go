// Package firmwaretest builds the shared public firmware sample for tests
// and benchmarks, once per machine, with the shared script.
package firmwaretest

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// SampleName is the file name of the public sample image.
const SampleName = "aw100-2.0.15-rootfs.squashfs"

// Sample builds the public sample with ../shared/firmware/make-public-sample.sh
// (cached under the user cache directory, as the script does by default)
// and returns the image and answer-key paths. Concurrent test binaries
// wait on a lock file, so the sample is built once. It skips in -short
// mode and when the script, its tools or its network access are
// unavailable.
func Sample(t testing.TB) (img, answerKey string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the public firmware sample (downloads Debian packages once)")
	}
	script := filepath.Join(mirrortest.FirmwareDir(t), "make-public-sample.sh")
	NeedTools(t, "apt-get", "dpkg-deb", "mksquashfs", "openssl", "python3")
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	out := filepath.Join(cache, "review-bench", "firmware-public")
	img = filepath.Join(out, SampleName)
	answerKey = filepath.Join(out, "answer-key.json")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Skip(err)
	}
	unlock := lock(t, out+".lock")
	defer unlock()
	if _, err := os.Stat(img); err != nil {
		cmd := exec.Command(script, out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("building the public sample failed (offline?): %v\n%s", err, b)
		}
	}
	return img, answerKey
}

// NeedTools skips the test when one of the named programs is not on PATH.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian: see docs/firmware.md)", tool)
		}
	}
}

// lock takes an exclusive flock on path and returns its release.
func lock(t testing.TB, path string) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	return func() { f.Close() }
}
