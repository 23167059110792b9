package firmware

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/mirrortest"
)

// sampleImage builds the public sample with the shared script (cached
// under the user cache directory, as the script does by default) and
// returns the image and answer-key paths. It skips when the script, its
// tools or its network access are unavailable.
func sampleImage(t *testing.T) (string, string) { return sampleImageB(t) }

func sampleImageB(t testing.TB) (string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the public sample (downloads Debian packages once)")
	}
	script := filepath.Join(mirrortest.FirmwareDir(t), "make-public-sample.sh")
	needTool(t, "apt-get", "dpkg-deb", "mksquashfs", "openssl", "python3")
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skip(err)
	}
	out := filepath.Join(cache, "review-bench", "firmware-public")
	img := filepath.Join(out, "aw100-2.0.15-rootfs.squashfs")
	key := filepath.Join(out, "answer-key.json")
	if _, err := os.Stat(img); err != nil {
		cmd := exec.Command(script, out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Skipf("building the public sample failed (offline?): %v\n%s", err, b)
		}
	}
	return img, key
}

func TestPublicSample(t *testing.T) {
	img, keyPath := sampleImage(t)
	res := unpackFile(t, img, Limits{})
	if len(res.Unassessed) > 0 {
		t.Errorf("unassessed: %v", res.Unassessed)
	}
	got := map[string]*File{}
	for _, f := range res.Files {
		got[f.InnerPath] = f
	}
	// Every path unsquashfs lists must be reached.
	if _, err := exec.LookPath("unsquashfs"); err == nil {
		out, err := exec.Command("unsquashfs", "-l", "-d", "", img).Output()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, line := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(line, "/") {
				continue
			}
			n++
			if got[line] == nil {
				t.Errorf("not reached: %s", line)
			}
		}
		if n < 50 || len(got) != n {
			t.Errorf("reached %d entries, unsquashfs lists %d", len(got), n)
		}
	}
	// Every path the answer key names exists with its metadata.
	var key struct {
		Findings, Decoys, Components []struct{ Path string }
	}
	b, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &key); err != nil {
		t.Fatal(err)
	}
	for _, list := range [][]struct{ Path string }{key.Findings, key.Decoys, key.Components} {
		for _, e := range list {
			if got[e.Path] == nil {
				t.Errorf("answer-key path %s not reached", e.Path)
			}
		}
	}
	if f := got["/opt/aw/etc/aw.conf"]; f == nil || f.Mode.Perm() != 0o666 {
		t.Errorf("aw.conf mode not preserved: %+v", f)
	}
	if f := got["/tmp"]; f == nil || f.Mode&os.ModeSticky == 0 {
		t.Errorf("/tmp sticky bit not preserved: %+v", f)
	}
	if l, err := res.FS.ReadLink("bin/sh"); err != nil || l != "busybox" {
		t.Errorf("bin/sh link %q %v", l, err)
	}
}
