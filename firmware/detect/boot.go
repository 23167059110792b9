package detect

import (
	"path"
	"slices"
	"strings"

	"github.com/assayhq/assay/firmware"
)

// startedLine is a command line that runs at boot, on a console or
// periodically: an inittab process, a line of a started script, an
// ExecStart of an enabled systemd unit, a cron or inetd entry.
type startedLine struct {
	f      *firmware.File
	line   line
	via    string // "inittab:askfirst", "script", "systemd", "cron", "inetd"
	action string // inittab action, "" elsewhere
	tty    string // inittab id (the console), "" elsewhere
}

// Bounds of the boot tracer.
const (
	maxScripts     = 2000
	maxBootLines   = 200000
	maxInitEntries = 1000
)

// bootTrace follows what a root starts: inittab, rc links, rc.local,
// enabled systemd units, cron tables and inetd services, then every
// script their commands run, transitively.
type bootTrace struct {
	r       *root
	lines   []startedLine
	visited map[string]bool
	queue   []*firmware.File
}

// trace returns the command lines the root starts.
func (r *root) trace() []startedLine {
	t := &bootTrace{r: r, visited: map[string]bool{}}
	inittab := r.lookup("/etc/inittab")
	if inittab != nil && inittab.Mode.IsRegular() {
		t.inittab(inittab)
	} else {
		t.enqueue("/etc/init.d/rcS", false) // BusyBox init's default
	}
	for _, pat := range []string{"/etc/rc.d/S*", "/etc/rc[2345S].d/S*", "/etc/rc.d/rc[2345S].d/S*", "/etc/rcS.d/S*"} {
		for _, p := range r.glob(pat) {
			t.enqueue(p, true)
		}
	}
	t.enqueue("/etc/rc.local", true)
	t.systemd()
	t.cron()
	for len(t.queue) > 0 && len(t.lines) < maxBootLines {
		f := t.queue[0]
		t.queue = t.queue[1:]
		for _, l := range shellLines(r.read(f.InnerPath)) {
			t.add(startedLine{f: f, line: l, via: "script"})
			for _, p := range loopScripts(r, l.text) {
				t.enqueue(p, true)
			}
		}
	}
	if t.mentions("inetd") {
		t.inetd()
	}
	return t.lines
}

// add records a started line and queues the scripts it runs.
func (t *bootTrace) add(s startedLine) {
	if len(t.lines) >= maxBootLines {
		return
	}
	t.lines = append(t.lines, s)
	for _, cmd := range commands(s.line.text) {
		words := cmd
		viaShell := false
		for len(words) > 0 {
			w := path.Base(words[0])
			if strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "/") {
				words = words[1:] // VAR=value prefix
				continue
			}
			switch w {
			case "exec", "nohup", "nice", "setsid", "env", "busybox", "sudo", "time", "ionice", "chroot":
				words = words[1:]
				continue
			case "sh", "ash", "bash", "hush", "dash", ".", "source":
				viaShell = true
				words = words[1:]
				continue
			case "start-stop-daemon":
				words = startStopTarget(words)
				continue
			}
			break
		}
		for _, w := range words {
			if strings.HasPrefix(w, "-") {
				if !viaShell {
					break
				}
				continue
			}
			if strings.HasPrefix(w, "/") && strings.ContainsAny(w, "*?[") {
				for _, p := range t.r.glob(w) {
					t.enqueue(p, true)
				}
			} else if strings.HasPrefix(w, "/") {
				t.enqueue(w, !viaShell)
			}
			break
		}
	}
}

// startStopTarget returns the program start-stop-daemon starts and its
// arguments, or nil when it stops one.
func startStopTarget(words []string) []string {
	var exe string
	for i := 1; i < len(words); i++ {
		switch words[i] {
		case "-K", "--stop":
			return nil
		case "-x", "--exec", "-a", "--startas":
			if i+1 < len(words) {
				exe = words[i+1]
				i++
			}
		case "--":
			if exe == "" {
				return nil
			}
			return append([]string{exe}, words[i+1:]...)
		}
	}
	if exe == "" {
		return nil
	}
	return []string{exe}
}

// enqueue queues the script at inner when it is a text file (and
// executable when needExec).
func (t *bootTrace) enqueue(inner string, needExec bool) {
	if len(t.visited) >= maxScripts {
		return
	}
	f := t.r.lookup(inner)
	if f == nil || !f.Mode.IsRegular() || t.visited[f.Path] || isDoc(f.InnerPath) {
		return
	}
	if needExec && !isExecutable(f) {
		return
	}
	b := t.r.read(f.InnerPath)
	if len(b) == 0 || !isText(b) {
		return
	}
	t.visited[f.Path] = true
	t.queue = append(t.queue, f)
}

// mentions reports whether any started line runs the named program.
func (t *bootTrace) mentions(prog string) bool {
	for _, s := range t.lines {
		for _, cmd := range commands(s.line.text) {
			if slices.ContainsFunc(cmd, func(w string) bool { return path.Base(w) == prog }) {
				return true
			}
		}
	}
	return false
}

// inittabEntry is one id:runlevels:action:process line.
type inittabEntry struct {
	id, runlevels, action, process string
	line                           line
}

// parseInittab parses SysV and BusyBox inittab syntax, skipping comments
// and malformed lines.
func parseInittab(b []byte) []inittabEntry {
	var out []inittabEntry
	for _, l := range shellLines(b) {
		f := strings.SplitN(l.raw, ":", 4)
		if len(f) != 4 || strings.HasPrefix(l.raw, "#") {
			continue
		}
		out = append(out, inittabEntry{id: f[0], runlevels: f[1], action: strings.TrimSpace(f[2]), process: strings.TrimSpace(f[3]), line: l})
		if len(out) >= maxInitEntries {
			break
		}
	}
	return out
}

func (t *bootTrace) inittab(f *firmware.File) {
	for _, e := range parseInittab(t.r.read(f.InnerPath)) {
		switch e.action {
		case "sysinit", "wait", "once", "respawn", "askfirst", "boot", "bootwait", "ondemand":
		default:
			continue
		}
		l := e.line
		l.text = e.process
		t.add(startedLine{f: f, line: l, via: "inittab", action: e.action, tty: e.id})
	}
}

// unitDirs hold systemd units, most specific first.
var unitDirs = []string{"/etc/systemd/system", "/run/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"}

// systemd adds the Exec lines of units enabled through .wants/.requires
// links, of their drop-ins, and of the services their sockets start.
func (t *bootTrace) systemd() {
	var names []string
	seen := map[string]bool{} // names, as a set: thousands of links made a list search quadratic
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, d := range unitDirs {
		for _, suf := range []string{"/*.wants/*", "/*.requires/*"} {
			for _, p := range t.r.glob(d + suf) {
				add(path.Base(p))
			}
		}
	}
	for i := 0; i < len(names) && i < maxScripts; i++ {
		n := names[i]
		if strings.HasSuffix(n, ".socket") {
			base := strings.TrimSuffix(n, ".socket")
			add(base + ".service")
			add(base + "@.service")
		}
		if tmpl := templateName(n); tmpl != n {
			add(tmpl)
		}
		var files []string
		for _, d := range unitDirs {
			if u := t.r.lookup(d + "/" + n); u != nil && u.Mode.IsRegular() {
				files = append(files, d+"/"+n)
				break
			}
		}
		for _, d := range unitDirs {
			files = append(files, t.r.glob(d+"/"+n+".d/*.conf")...)
		}
		for _, p := range files {
			u := t.r.lookup(p)
			for _, l := range shellLines(t.r.read(p)) {
				k, v, ok := strings.Cut(l.text, "=")
				if !ok || !strings.HasPrefix(strings.TrimSpace(k), "Exec") || strings.HasPrefix(strings.TrimSpace(k), "ExecStop") {
					continue
				}
				l.text = strings.TrimLeft(strings.TrimSpace(v), "-@:+!")
				if l.text != "" {
					t.add(startedLine{f: u, line: l, via: "systemd"})
				}
			}
		}
	}
}

// templateName maps "unit@instance.service" to "unit@.service".
func templateName(n string) string {
	at := strings.IndexByte(n, '@')
	dot := strings.LastIndexByte(n, '.')
	if at < 0 || dot < at {
		return n
	}
	return n[:at+1] + n[dot:]
}

// cron adds the commands of system and user crontabs.
func (t *bootTrace) cron() {
	var files []string
	files = append(files, "/etc/crontab")
	for _, pat := range []string{"/etc/cron.d/*", "/etc/crontabs/*", "/var/spool/cron/crontabs/*", "/var/spool/cron/*"} {
		files = append(files, t.r.glob(pat)...)
	}
	for _, p := range files {
		f := t.r.lookup(p)
		if f == nil || !f.Mode.IsRegular() {
			continue
		}
		system := p == "/etc/crontab" || strings.HasPrefix(p, "/etc/cron.d/")
		for _, l := range shellLines(t.r.read(p)) {
			if cmd, ok := cronCommand(l.text, system); ok {
				l.text = cmd
				t.add(startedLine{f: f, line: l, via: "cron"})
			}
		}
	}
}

// cronCommand returns the command of a crontab line (five time fields or
// an @keyword, then a user name in system crontabs).
func cronCommand(s string, system bool) (string, bool) {
	f := strings.Fields(s)
	n := 5
	if len(f) > 0 && strings.HasPrefix(f[0], "@") {
		n = 1
	}
	if len(f) > 0 && strings.Contains(f[0], "=") && !strings.HasPrefix(f[0], "@") {
		return "", false // environment setting
	}
	if system {
		n++
	}
	if len(f) <= n {
		return "", false
	}
	return strings.Join(f[n:], " "), true
}

// inetd adds the servers of /etc/inetd.conf.
func (t *bootTrace) inetd() {
	f := t.r.lookup("/etc/inetd.conf")
	if f == nil || !f.Mode.IsRegular() {
		return
	}
	for _, l := range shellLines(t.r.read(f.InnerPath)) {
		w := strings.Fields(l.text)
		if len(w) < 6 {
			continue
		}
		args := w[6:]
		if len(args) > 0 && path.Base(args[0]) == path.Base(w[5]) {
			args = args[1:]
		}
		l.text = strings.Join(append([]string{w[5]}, args...), " ")
		t.add(startedLine{f: f, line: l, via: "inetd"})
	}
}

// loopScripts returns the scripts a shell loop such as BusyBox's rcS
// `for i in /etc/init.d/S??* ; do` runs: the absolute glob patterns of a
// `for … in …` line, expanded inside the root.
func loopScripts(r *root, text string) []string {
	f := strings.Fields(text)
	if len(f) < 4 || f[0] != "for" || f[2] != "in" {
		return nil
	}
	var out []string
	for _, w := range f[3:] {
		w = strings.Trim(strings.TrimSuffix(w, ";"), `"'`)
		if w == "do" || w == ";" {
			break
		}
		if strings.HasPrefix(w, "/") && strings.ContainsAny(w, "*?[") {
			out = append(out, r.glob(w)...)
		}
	}
	return out
}
