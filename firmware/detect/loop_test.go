package detect

import (
	"slices"
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
