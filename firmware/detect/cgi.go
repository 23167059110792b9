package detect

import (
	"bytes"
	"fmt"
	"github.com/assayhq/assay/internal/lazyre"
	"path"
	"regexp"
	"strings"
	"sync"
)

// cgiLang describes request sources and command sinks of one language.
type cgiLang struct {
	name     string
	source   *regexp.Regexp
	sink     *regexp.Regexp
	ref      func(v string) *regexp.Regexp // a reference to variable v
	needExec bool                          // run as a CGI program (not by an interpreter module)
}

var (
	assignLHS = lazyre.New(`^\s*(?:local\s+|my\s+|export\s+|readonly\s+)?\$?([A-Za-z_][A-Za-z0-9_]*)\s*(?:\.\.)?=[^=~]`)
	shellRead = lazyre.New(`^\s*read\s+(?:-[a-z]+\s+(?:\S+\s+)?)*([A-Za-z_][A-Za-z0-9_]*)\s*$`)
	dollarRef = func(v string) *regexp.Regexp { return regexp.MustCompile(`\$\{?` + regexp.QuoteMeta(v) + `\b`) }
	wordRef   = func(v string) *regexp.Regexp { return regexp.MustCompile(`\b` + regexp.QuoteMeta(v) + `\b`) }
)

// cgiLangs returns the CGI source and sink patterns per script language,
// compiled on first use.
var cgiLangs = sync.OnceValue(func() map[string]cgiLang {
	return map[string]cgiLang{
		"shell": {name: "shell",
			source: regexp.MustCompile(`\$\{?(QUERY_STRING|REQUEST_URI|PATH_INFO|HTTP_[A-Z_]+|GET_[A-Za-z0-9_]+|POST_[A-Za-z0-9_]+|FORM_[A-Za-z0-9_]+|CGI_[A-Za-z0-9_]+)\b`),
			sink:   regexp.MustCompile(`(^|[;&|({\s])(eval|(ba|a|da)?sh\s+-c|xargs\s+(ba|a)?sh)\b|\bsystem\s*\(`),
			ref:    dollarRef, needExec: true},
		"php": {name: "PHP",
			source: regexp.MustCompile(`\$_(GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\[\s*['"](HTTP_|QUERY_STRING|REQUEST_URI|PATH_INFO)`),
			sink:   regexp.MustCompile("\\b(system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|eval|assert)\\s*\\(|`[^`]*\\$"),
			ref:    dollarRef},
		"lua": {name: "Lua",
			source: regexp.MustCompile(`formvalue|http\.getenv|http\.content|getenv\(\s*["'](QUERY_STRING|REQUEST_URI|HTTP_)|ngx\.req\.get_(uri_|post_)?args|ngx\.var\.arg_|uhttpd\.urldecode`),
			sink:   regexp.MustCompile(`os\.execute|io\.popen|sys\.call|sys\.exec|luci\.util\.exec|\bloadstring\s*\(|\bload\s*\(`),
			ref:    wordRef},
		"perl": {name: "Perl",
			source: regexp.MustCompile(`\bparam\s*\(|url_param|\$ENV\{\s*['"]?(QUERY_STRING|REQUEST_URI|HTTP_)|<STDIN>|->Vars`),
			sink:   regexp.MustCompile("\\b(system|exec)\\b|`|\\bqx\\s*[({/|]|\\bopen\\s*\\(?[^)]*\\|"),
			ref:    dollarRef, needExec: true},
		"python": {name: "Python",
			source: regexp.MustCompile(`FieldStorage|getvalue\s*\(|getfirst\s*\(|environ\[\s*['"](QUERY_STRING|REQUEST_URI|HTTP_)|request\.(args|form|values)`),
			sink:   regexp.MustCompile(`os\.system|os\.popen|shell\s*=\s*True|commands\.getoutput|\beval\s*\(|\bexec\s*\(`),
			ref:    wordRef, needExec: true},
	}
})

// isWebPath reports whether p is served by a web server.
func isWebPath(p string) bool {
	for _, s := range []string{"/www/", "/cgi-bin/", "/htdocs/", "/web/", "/webroot/", "/html/", "/srv/http/", "/luci/", "/webui/"} {
		if strings.Contains(p, s) {
			return true
		}
	}
	return strings.HasSuffix(p, ".cgi")
}

// scriptLang returns the language of a web script, or "".
func scriptLang(p string, b []byte) string {
	first, _, _ := bytes.Cut(b, []byte("\n"))
	sheb := string(first)
	switch {
	case strings.HasPrefix(sheb, "#!"):
		for _, l := range []struct{ k, lang string }{{"php", "php"}, {"lua", "lua"}, {"perl", "perl"}, {"python", "python"}, {"haserl", "shell"}, {"sh", "shell"}} {
			if strings.Contains(sheb, l.k) {
				return l.lang
			}
		}
	case path.Ext(p) == ".php" || bytes.Contains(b[:min(len(b), 1024)], []byte("<?php")):
		return "php"
	case path.Ext(p) == ".lua":
		return "lua"
	case path.Ext(p) == ".pl":
		return "perl"
	case path.Ext(p) == ".py":
		return "python"
	}
	return ""
}

// detectCommandInjection reports web scripts in which a request
// parameter reaches a command interpreter (eval, system, popen, sh -c,
// os.execute …), directly or through variables assigned from it.
func detectCommandInjection(c *content) []Problem {
	if !c.text || !isWebPath(c.f.InnerPath) {
		return nil
	}
	lang, ok := cgiLangs()[scriptLang(c.f.InnerPath, c.data)]
	if !ok || lang.needExec && !isExecutable(c.f) {
		return nil
	}
	tainted := map[string]*regexp.Regexp{}
	taintedBy := func(s string) (string, bool) {
		if m := lang.source.FindString(s); m != "" {
			return m, true
		}
		for v, re := range tainted {
			if re.MatchString(s) {
				return v, true
			}
		}
		return "", false
	}
	postBody := lang.name == "shell" && (bytes.Contains(c.data, []byte("CONTENT_LENGTH")) || bytes.Contains(c.data, []byte("REQUEST_METHOD")))
	var evs []string
	direct := false
	for _, l := range shellLines(c.data) {
		t := l.text
		if strings.HasPrefix(t, "//") || strings.HasPrefix(t, "--") {
			continue
		}
		src, hit := taintedBy(t)
		if hit && lang.sink.MatchString(t) {
			if lang.source.MatchString(t) {
				direct = true
			}
			evs = append(evs, lineEvidence(l.no, t)+" (from "+src+")")
		}
		if m := assignLHS().FindStringSubmatch(t); m != nil && hit && len(tainted) < 256 {
			tainted[m[1]] = lang.ref(m[1])
		}
		if m := shellRead().FindStringSubmatch(t); m != nil && postBody && len(tainted) < 256 {
			tainted[m[1]] = lang.ref(m[1])
		}
	}
	if len(evs) == 0 {
		return nil
	}
	conf := ConfidenceMedium
	if direct {
		conf = ConfidenceHigh
	}
	return []Problem{problem(c.f, CategoryCommandInjection, SeverityHigh, conf,
		fmt.Sprintf("%s web script passes request parameters to a command interpreter", lang.name),
		strings.Join(evs[:min(len(evs), 5)], "; "))}
}
