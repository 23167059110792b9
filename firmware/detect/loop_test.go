package detect

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/firmware"
)

func TestLoopScripts(t *testing.T) {
	r := &root{files: map[string]*firmware.File{
		"/etc/init.d/S10net": nil, "/etc/init.d/S50telnetd": nil, "/etc/init.d/K10net": nil, "/etc/init.d/rcS": nil,
	}}
	tests := []struct {
		line string
		want []string
	}{
		{"for i in /etc/init.d/S??* ; do", []string{"/etc/init.d/S10net", "/etc/init.d/S50telnetd"}},
		{`for s in "/etc/init.d/S*"; do`, []string{"/etc/init.d/S10net", "/etc/init.d/S50telnetd"}},
		{"for i in a b c; do", nil},
		{"echo for i in /etc/init.d/S*", nil},
		{"for i in relative/S*; do", nil},
	}
	for _, tt := range tests {
		if got := loopScripts(r, tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("loopScripts(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestUnpackedFiles(t *testing.T) {
	res := &firmware.Result{Containers: []firmware.Container{
		{Chain: []firmware.Layer{{Format: "uimage", Offset: 0x200}, {Format: "cpio", Path: "/ramdisk"}}},
		{Chain: []firmware.Layer{{Format: "squashfs", Offset: 0x1000, Path: "/blob"}}},
		{Chain: []firmware.Layer{{Format: "squashfs"}}},
	}}
	got := unpackedFiles(res)
	if !got[fileKey([]string{"uimage@0x200"}, "/ramdisk")] || len(got) != 1 {
		t.Errorf("unpackedFiles = %v, want only the ramdisk", got)
	}
}

// TestGlobIndexed checks glob against matching every entry, and that a
// pattern costs only the entries of the directories it names: a boot
// script of thousands of wildcard lines over a root of thousands of
// files cost lines × files path matches.
func TestGlobIndexed(t *testing.T) {
	files := map[string]*firmware.File{}
	for _, p := range []string{"/x1", "/x2", "/etc/init.d/S10net", "/etc/init.d/S50telnetd", "/etc/init.d/K10net", "/etc/rc3.d/S20a",
		"/etc/rcS.d/S30b", "/etc/systemd/system/multi-user.target.wants/a.service", "/etc/systemd/system/b.service.d/x.conf", `/odd/a*b`} {
		files[p] = nil
	}
	for i := range 20000 {
		files[fmt.Sprintf("/usr/lib/f%d", i)] = nil
	}
	r := &root{files: files}
	patterns := []string{"/x*", "/etc/init.d/S*", "/etc/rc[2345S].d/S*", "/etc/*/S*", "/etc/systemd/system/*.wants/*",
		"/etc/systemd/system/b.service.d/*.conf", `/odd/a\*b`, "/etc//init.d/S*", "/nowhere/*", "/etc/init.d/[", "/*",
		"/usr/lib/f1999*", "/usr/lib/f?", "/etc/init.d/.*", "/etc/init.d/..", "/etc/", "/usr/lib/f12[0-3]"}
	for _, pat := range patterns {
		var want []string
		for p := range files {
			if ok, _ := path.Match(pat, p); ok {
				want = append(want, p)
			}
		}
		slices.Sort(want)
		r.globWork = 0
		if got := r.glob(pat); !slices.Equal(got, want) {
			t.Errorf("glob(%q) = %q, want %q", pat, got, want)
		}
	}
	r.globWork = 0
	for i := range 1000 {
		r.glob(fmt.Sprintf("/etc/init.d/S%d*", i))
		r.glob(fmt.Sprintf("/usr/lib/f%d5*", i+1000))
	}
	if r.globWork > 1000*(4+12) {
		t.Errorf("2,000 globs naming a few entries each tried %d matches", r.globWork)
	}
	r.globWork = maxGlobWork - 10
	if got := r.glob("/usr/lib/f1"); got != nil {
		t.Errorf("glob past maxGlobWork = %q, want nothing", got)
	}
	if got := r.glob("/etc/init.d/S10*"); got != nil {
		t.Errorf("glob past maxGlobWork = %q, want nothing", got)
	}
}

// manyFindings is n findings of one category in one file, each detail
// and piece of evidence named twice.
func manyFindings(n int) []finding {
	f := &firmware.File{Path: "etc/init.d/rcS", InnerPath: "/etc/init.d/rcS"}
	var fs []finding
	for i := range 2 * n {
		fs = append(fs, finding{f: f, category: CategoryRemoteAccessService, severity: SeverityHigh, confidence: ConfidenceHigh,
			detail: fmt.Sprintf("telnetd on port %d", i%n), evidence: fmt.Sprintf("line %d", i%n)})
	}
	return fs
}

// TestAggregateMany merges the findings of a script of thousands of
// service lines into one problem, each detail once, five pieces of
// evidence (searching the lists made 40,000 lines take 5 s).
func TestAggregateMany(t *testing.T) {
	const n = 5000
	ps := aggregate(manyFindings(n))
	if len(ps) != 1 {
		t.Fatalf("%d problems, want 1", len(ps))
	}
	if d := strings.Split(ps[0].Detail, "; "); len(d) != n || d[0] != "telnetd on port 0" || d[n-1] != fmt.Sprintf("telnetd on port %d", n-1) {
		t.Errorf("%d details, want %d in order", len(d), n)
	}
	if ps[0].Evidence != "line 0; line 1; line 2; line 3; line 4" {
		t.Errorf("evidence %q, want the first five lines", ps[0].Evidence)
	}
}

func BenchmarkAggregateMany(b *testing.B) {
	fs := manyFindings(40000)
	for b.Loop() {
		aggregate(slices.Clone(fs))
	}
}

// TestPlaintextManyKeys reports a configuration of thousands of password
// keys as one problem naming each key once, with five pieces of evidence
// (a list search per key made 80,000 keys take 2.9 s).
func TestPlaintextManyKeys(t *testing.T) {
	const n = 5000
	var b strings.Builder
	for i := range 2 * n {
		fmt.Fprintf(&b, "admin%d_password = \"Hk%dpq!\"\n", i%n, i)
	}
	c := &content{f: &firmware.File{Path: "etc/app.conf", InnerPath: "/etc/app.conf"}, data: []byte(b.String()), text: true}
	ps := detectPlaintextPasswords(c)
	if len(ps) != 1 {
		t.Fatalf("%d problems, want 1", len(ps))
	}
	if keys := strings.Split(strings.TrimPrefix(ps[0].Detail, "cleartext password in "), ", "); len(keys) != n || keys[n-1] != fmt.Sprintf("admin%d_password", n-1) {
		t.Errorf("%d keys named, want %d in order", len(keys), n)
	}
	if evs := strings.Split(ps[0].Evidence, "; "); len(evs) != 5 || !strings.HasPrefix(evs[0], "line 1") {
		t.Errorf("evidence %q, want the first five lines", ps[0].Evidence)
	}
}
