package firmware

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/firmwaretest"
)

// sampleImage returns the public sample image and its answer key.
func sampleImage(t testing.TB) (string, string) { return firmwaretest.Sample(t) }

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
