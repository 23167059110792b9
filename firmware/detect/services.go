package detect

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/assayhq/assay/firmware"
)

// shells are interactive shells.
var shells = []string{"sh", "ash", "bash", "hush", "msh", "dash", "ksh", "zsh", "lash"}

func isShell(w string) bool { return slices.Contains(shells, path.Base(strings.TrimPrefix(w, "-"))) }

// notStarting are commands that name a daemon without starting it.
var notStarting = []string{"echo", "printf", "logger", "kill", "killall", "pkill", "pidof", "pgrep", "grep", "test", "[", "[[",
	"which", "command", "type", "rm", "cp", "mv", "ln", "chmod", "chown", "ls", "cat", "touch", "stat", "service_stop", "procd_kill"}

// finding is one issue before aggregation per file and category.
type finding struct {
	f          *firmware.File
	category   string
	severity   string
	confidence string
	detail     string
	evidence   string
}

// daemonArgs finds the daemon named by one of names in a simple command
// and returns its arguments.
func daemonArgs(cmd []string, names ...string) ([]string, bool) {
	if len(cmd) == 0 || slices.Contains(notStarting, path.Base(cmd[0])) {
		return nil, false
	}
	if slices.Contains(cmd, "-K") || slices.Contains(cmd, "--stop") {
		return nil, false
	}
	for i, w := range cmd {
		if slices.Contains(names, path.Base(w)) {
			return cmd[i+1:], true
		}
	}
	return nil, false
}

// optValue returns the value of a short option (as "-p 23" or "-p23").
func optValue(args []string, opt string) (string, bool) {
	for i, a := range args {
		if a == opt && i+1 < len(args) {
			return args[i+1], true
		}
		if strings.HasPrefix(a, opt) && len(a) > len(opt) && !strings.HasPrefix(a, "--") {
			return a[len(opt):], true
		}
	}
	return "", false
}

// hasFlag reports whether a single-letter flag is set, alone or grouped
// ("-F -B" or "-FB").
func hasFlag(args []string, flag byte) bool {
	for _, a := range args {
		if len(a) >= 2 && a[0] == '-' && a[1] != '-' && strings.IndexByte(a[1:], flag) >= 0 {
			return true
		}
	}
	return false
}

// classifyService returns the remote-access, debug and backdoor services
// a started command line runs.
func (r *root) classifyService(s startedLine) []finding {
	var out []finding
	add := func(cat, sev, conf, detail string) {
		out = append(out, finding{f: s.f, category: cat, severity: sev, confidence: conf, detail: detail, evidence: lineEvidence(s.line.no, s.line.raw)})
	}
	text := s.line.text
	if strings.Contains(text, "/dev/tcp/") || strings.Contains(text, "/dev/udp/") {
		add(CategoryBackdoorService, SeverityCritical, ConfidenceMedium, "shell redirected to a network socket (/dev/tcp) at "+s.via)
	}
	for _, cmd := range commands(text) {
		if args, ok := daemonArgs(cmd, "telnetd", "utelnetd", "in.telnetd", "telnetd.sh"); ok {
			port := "23"
			if p, ok := optValue(args, "-p"); ok {
				port = p
			}
			if l, ok := optValue(args, "-l"); ok && isShell(l) {
				add(CategoryRemoteAccessService, SeverityCritical, ConfidenceHigh,
					fmt.Sprintf("telnetd on tcp/%s with -l %s (no authentication), started from %s", port, l, s.via))
			} else {
				add(CategoryRemoteAccessService, SeverityHigh, ConfidenceHigh,
					fmt.Sprintf("telnetd on tcp/%s (cleartext login), started from %s", port, s.via))
			}
		}
		if args, ok := daemonArgs(cmd, "dropbear"); ok {
			switch {
			case hasFlag(args, 'B'):
				add(CategoryRemoteAccessService, SeverityCritical, ConfidenceHigh, "dropbear SSH allows blank-password logins (-B), started from "+s.via)
			case !hasFlag(args, 'w') && !hasFlag(args, 'g') && !hasFlag(args, 's'):
				add(CategoryRemoteAccessService, SeverityMedium, ConfidenceMedium, "dropbear SSH allows root login with a password (no -w/-g/-s), started from "+s.via)
			}
		}
		if _, ok := daemonArgs(cmd, "sshd"); ok {
			out = append(out, r.sshdConfig()...)
		}
		if args, ok := daemonArgs(cmd, "gdbserver"); ok {
			if slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, ":") || a == "--multi" }) {
				add(CategoryDebugInterface, SeverityCritical, ConfidenceHigh, "gdbserver listening on the network, started from "+s.via)
			} else {
				add(CategoryDebugInterface, SeverityHigh, ConfidenceMedium, "gdbserver started from "+s.via)
			}
		}
		if _, ok := daemonArgs(cmd, "adbd"); ok {
			add(CategoryDebugInterface, SeverityHigh, ConfidenceHigh, "Android debug bridge daemon (adbd) started from "+s.via)
		}
		if args, ok := daemonArgs(cmd, "nc", "netcat", "ncat", "nc.traditional", "nc.openbsd"); ok {
			listen := slices.ContainsFunc(args, func(a string) bool {
				return a == "--listen" || len(a) >= 2 && a[0] == '-' && a[1] != '-' && strings.Contains(a, "l")
			})
			exec := slices.ContainsFunc(args, func(a string) bool {
				return a == "--exec" || a == "--sh-exec" || a == "-e" || a == "-c" || strings.HasPrefix(a, "-e") && len(a) > 2 && a[1] == 'e' || len(a) >= 2 && a[0] == '-' && a[1] != '-' && strings.HasSuffix(a, "e")
			})
			if listen && exec {
				add(CategoryBackdoorService, SeverityCritical, ConfidenceHigh, "bind shell: netcat listens and executes a program for every connection, started from "+s.via)
			}
		}
		if args, ok := daemonArgs(cmd, "socat"); ok {
			up := strings.ToUpper(strings.Join(args, " "))
			if strings.Contains(up, "-LISTEN") && (strings.Contains(up, "EXEC:") || strings.Contains(up, "SYSTEM:")) {
				add(CategoryBackdoorService, SeverityCritical, ConfidenceHigh, "bind shell: socat listens and executes a program, started from "+s.via)
			}
		}
	}
	out = append(out, consoleShell(s)...)
	return out
}

// consoleShell reports serial-console root shells: inittab shells and
// "login -f root", getty with a shell as login program, autologin.
func consoleShell(s startedLine) []finding {
	var detail string
	w := fields(s.line.text)
	if len(w) == 0 {
		return nil
	}
	prog := path.Base(strings.TrimPrefix(w[0], "-"))
	switch {
	case s.via == "inittab" && isShell(w[0]) && (s.action == "askfirst" || s.action == "respawn" || s.action == "once" || s.action == "wait"):
		detail = fmt.Sprintf("root shell on the console (inittab %s:%s), no login", orDefault(s.tty, "console"), s.action)
	case prog == "login" && slices.Contains(w, "-f") && slices.Contains(w, "root"):
		detail = "console auto-logs in as root (login -f root)"
	case strings.HasSuffix(prog, "getty"):
		if l, ok := optValue(w[1:], "-l"); ok && isShell(l) {
			detail = "getty runs " + l + " instead of login: root shell on the console"
		}
		if v, ok := optValue(w[1:], "-a"); ok && v == "root" || slices.Contains(w, "--autologin") && slices.Contains(w, "root") || slices.Contains(w, "--autologin=root") {
			detail = "getty auto-logs in as root"
		}
	}
	if detail == "" {
		return nil
	}
	return []finding{{f: s.f, category: CategoryDebugInterface, severity: SeverityHigh, confidence: ConfidenceHigh, detail: detail,
		evidence: lineEvidence(s.line.no, s.line.raw)}}
}

// sshdConfig reports an sshd configuration allowing empty passwords or
// root password logins.
func (r *root) sshdConfig() []finding {
	f := r.lookup("/etc/ssh/sshd_config")
	if f == nil || !f.Mode.IsRegular() {
		return nil
	}
	var out []finding
	for _, l := range shellLines(r.read(f.InnerPath)) {
		k, v, _ := strings.Cut(l.text, " ")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		switch {
		case k == "match":
			return out // conditional blocks: out of scope
		case k == "permitemptypasswords" && v == "yes":
			out = append(out, finding{f: f, category: CategoryRemoteAccessService, severity: SeverityCritical, confidence: ConfidenceHigh,
				detail: "sshd allows empty passwords", evidence: lineEvidence(l.no, l.raw)})
		case k == "permitrootlogin" && v == "yes":
			out = append(out, finding{f: f, category: CategoryRemoteAccessService, severity: SeverityMedium, confidence: ConfidenceMedium,
				detail: "sshd allows root login with a password", evidence: lineEvidence(l.no, l.raw)})
		}
	}
	return out
}

// detectBoot traces what the root starts and reports remote-access,
// debug and backdoor services and console root shells.
func detectBoot(r *root, started []startedLine) []Problem {
	var fs []finding
	for _, s := range started {
		fs = append(fs, r.classifyService(s)...)
	}
	return aggregate(fs)
}

// aggregate merges findings per file and category: the most severe
// finding leads, distinct details are joined.
func aggregate(fs []finding) []Problem {
	type key struct{ path, cat string }
	var order []key
	groups := map[key][]finding{}
	for _, f := range fs {
		k := key{f.f.Path, f.category}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	var out []Problem
	for _, k := range order {
		g := groups[k]
		slices.SortStableFunc(g, func(a, b finding) int { return SeverityRank(b.severity) - SeverityRank(a.severity) })
		// A set, and at most five pieces of evidence: searching the lists
		// made a script of 40,000 service lines take 5 s.
		var details, evs []string
		seen := map[string]bool{}
		for _, f := range g {
			if !seen[f.detail] {
				seen[f.detail] = true
				details = append(details, f.detail)
			}
			if len(evs) < 5 && !slices.Contains(evs, f.evidence) {
				evs = append(evs, f.evidence)
			}
		}
		out = append(out, problem(g[0].f, k.cat, g[0].severity, g[0].confidence, strings.Join(details, "; "), strings.Join(evs, "; ")))
	}
	return out
}
