package detect

import (
	"fmt"
	"github.com/assayhq/assay/firmware"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
)

// tmpLike are directories meant to be world-writable.
var tmpLike = []string{"/tmp", "/var/tmp", "/dev", "/run", "/var/run", "/var/lock", "/run/lock", "/dev/shm", "/proc", "/sys", "/var/volatile/tmp"}

func underTmpLike(p string) bool {
	for _, t := range tmpLike {
		if p == t || strings.HasPrefix(p, t+"/") {
			return true
		}
	}
	return false
}

// standardSetuid are setuid programs every distribution ships.
var standardSetuid = []string{"su", "passwd", "ping", "ping6", "mount", "umount", "sudo", "newgrp", "chsh", "chfn", "gpasswd",
	"pkexec", "fusermount", "fusermount3", "crontab", "at", "traceroute", "traceroute6", "unix_chkpwd", "ssh-keysign",
	"dbus-daemon-launch-helper", "pppd", "Xorg.wrap", "expiry", "chage", "wall", "write", "ssh-agent", "dotlockfile", "utempter"}

// binDirs are the standard program directories.
var binDirs = []string{"/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/libexec/", "/usr/lib/", "/lib/", "/usr/local/bin/", "/usr/local/sbin/"}

// detectPermissions reports setuid/setgid programs and world-writable
// files and directories outside temporary directories.
func detectPermissions(r *root, lines []startedLine) []Problem {
	if len(r.order) > 0 && len(r.order[0].Chain) > 0 {
		switch r.order[0].Chain[len(r.order[0].Chain)-1].Format {
		case "zip", "fat":
			return nil // no Unix permissions in the format: modes are synthesised
		}
	}
	started := map[string]bool{}
	for _, s := range lines {
		started[s.f.Path] = true
	}
	var out []Problem
	plain := map[string][]*firmware.File{} // world-writable data files by directory
	for _, f := range r.order {
		m := f.Mode
		if m&fs.ModeSymlink != 0 || !(m.IsRegular() || m.IsDir()) {
			continue
		}
		p := f.InnerPath
		if m.IsRegular() && m&(fs.ModeSetuid|fs.ModeSetgid) != 0 && m&0o111 != 0 {
			out = append(out, r.setuidProblem(f))
		}
		if m.Perm()&0o002 == 0 || underTmpLike(p) {
			continue
		}
		switch {
		case m.IsDir() && m&fs.ModeSticky != 0:
			out = append(out, problem(f, CategoryInsecurePermissions, SeverityLow, ConfidenceMedium,
				"world-writable directory (sticky) outside the temporary directories", "mode "+f.Perm))
		case m.IsDir():
			out = append(out, problem(f, CategoryInsecurePermissions, SeverityMedium, ConfidenceHigh,
				"world-writable directory without the sticky bit: any user can replace its files", "mode "+f.Perm))
		case started[f.Path] || isExecutable(f) || strings.HasPrefix(p, "/etc/init.d/"):
			out = append(out, problem(f, CategoryInsecurePermissions, SeverityHigh, ConfidenceHigh,
				"world-writable program or boot script: any local user can change what runs (as root)", "mode "+f.Perm))
		default:
			plain[path.Dir(p)] = append(plain[path.Dir(p)], f)
		}
	}
	for _, dir := range slices.Sorted(maps.Keys(plain)) {
		fs := plain[dir]
		if len(fs) <= maxWritablePerDir {
			for _, f := range fs {
				out = append(out, problem(f, CategoryInsecurePermissions, SeverityMedium, ConfidenceHigh,
					"world-writable file: any local user can change it", "mode "+f.Perm))
			}
			continue
		}
		at := r.lookup(dir)
		if at == nil {
			at = fs[0]
		}
		var names []string
		for _, f := range fs[:maxWritablePerDir] {
			names = append(names, path.Base(f.InnerPath))
		}
		out = append(out, problem(at, CategoryInsecurePermissions, SeverityMedium, ConfidenceHigh,
			fmt.Sprintf("%d world-writable files in %s: any local user can change them", len(fs), dir),
			"e.g. "+strings.Join(names, ", ")+", … (mode "+fs[0].Perm+")"))
	}
	return out
}

// maxWritablePerDir is the number of world-writable data files of one
// directory reported one by one; more are reported as one problem.
const maxWritablePerDir = 3

// setuidProblem rates one setuid/setgid program.
func (r *root) setuidProblem(f *firmware.File) Problem {
	p := f.InnerPath
	base := path.Base(p)
	kind := "setgid"
	if f.Mode&fs.ModeSetuid != 0 {
		kind = "setuid"
		if f.UID == 0 || f.UID == -1 {
			kind = "setuid-root"
		}
	}
	inBin := slices.ContainsFunc(binDirs, func(d string) bool { return strings.HasPrefix(p, d) })
	b := r.read(p)
	sev, detail := SeverityMedium, kind+" program: review that it needs the privilege"
	switch {
	case len(b) > 0 && isText(b):
		sev, detail = SeverityHigh, kind+" script"
	case base == "busybox" || base == "toybox":
		sev, detail = SeverityHigh, kind+" multi-call binary: every applet (sh, vi, …) runs privileged"
	case !inBin:
		sev, detail = SeverityHigh, kind+" program outside the standard program directories"
	case slices.Contains(standardSetuid, base):
		sev, detail = SeverityInfo, kind+" program shipped by most distributions"
	case kind == "setgid":
		sev = SeverityLow
	}
	return problem(f, CategoryInsecurePermissions, sev, ConfidenceHigh, detail, "mode "+f.Perm)
}
