package detect

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// line is one logical line of a text file.
type line struct {
	no   int    // 1-based number of the first physical line
	text string // the line without its comment, trimmed
	raw  string // the physical line(s) as written, trimmed
}

// maxLineLen bounds one logical line kept for analysis.
const maxLineLen = 4096

// shellLines splits a shell-like text (scripts, inittab, crontab, unit
// files, key=value configuration) into logical lines: backslash
// continuations joined, "#" comments and blank lines dropped.
func shellLines(b []byte) []line {
	var out []line
	var cur strings.Builder
	start := 0
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimRight(l, "\r")
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(l, "\\") && !strings.HasPrefix(strings.TrimSpace(l), "#") {
			if cur.Len() < maxLineLen {
				cur.WriteString(strings.TrimSuffix(l, "\\"))
				cur.WriteByte(' ')
			}
			continue
		}
		cur.WriteString(l)
		raw := strings.TrimSpace(cur.String())
		cur.Reset()
		if len(raw) > maxLineLen {
			raw = raw[:maxLineLen]
		}
		text := strings.TrimSpace(stripComment(raw))
		if text == "" {
			continue
		}
		out = append(out, line{no: start, text: text, raw: raw})
	}
	return out
}

// stripComment removes a shell comment: "#" at the start of a word and
// outside quotes.
func stripComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else if c == '\\' && q == '"' {
				i++
			}
		case c == '\\':
			i++
		case c == '\'' || c == '"' || c == '`':
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == ';'):
			return s[:i]
		}
	}
	return s
}

// lineEvidence renders "line N: TEXT" with TEXT shortened.
func lineEvidence(no int, text string) string {
	return fmt.Sprintf("line %d: %s", no, clip(text, 200))
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// redact hides a secret, keeping its first two characters (one for short
// secrets) and its length: enough to tell secrets apart, not to use them.
func redact(secret string) string {
	n := utf8.RuneCountInString(secret)
	keep := 2
	if n < 8 {
		keep = 1
	}
	if n <= 2 {
		keep = 0
	}
	r := []rune(secret)
	return string(r[:keep]) + strings.Repeat("*", min(n-keep, 8)) + fmt.Sprintf("(%d chars)", n)
}

// redactIn replaces every occurrence of secret in s by its redaction.
func redactIn(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, redact(secret))
}

// str is a printable string found in a binary file.
type str struct {
	off  int64
	text string
}

// printableStrings returns the runs of at least minLen printable ASCII
// bytes in b, like strings(1), with their offsets; at most max strings.
func printableStrings(b []byte, minLen, max int) []str {
	var out []str
	start := -1
	for i := 0; i <= len(b); i++ {
		printable := i < len(b) && (b[i] >= 0x20 && b[i] < 0x7f || b[i] == '\t')
		if printable {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= minLen {
			out = append(out, str{off: int64(start), text: string(b[start:min(i, start+maxLineLen)])})
			if len(out) >= max {
				return out
			}
		}
		start = -1
	}
	return out
}

// textLines returns the physical lines of a text file as strs whose off
// field is the 1-based line number.
func textLines(b []byte) []str {
	var out []str
	for i, l := range bytes.Split(b, []byte("\n")) {
		if len(l) > maxLineLen {
			l = l[:maxLineLen]
		}
		out = append(out, str{off: int64(i + 1), text: strings.TrimRight(string(l), "\r")})
	}
	return out
}

// fields splits a command line into shell words, honouring quotes
// (dropped) and splitting at unquoted ; & | ( ) as separate words.
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	var q byte
	has := false
	flush := func() {
		if has {
			out = append(out, cur.String())
		}
		cur.Reset()
		has = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			q = c
			has = true
		case c == ' ' || c == '\t':
			flush()
		case c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`':
			flush()
			out = append(out, string(c))
		default:
			cur.WriteByte(c)
			has = true
		}
	}
	flush()
	return out
}

// commands splits a command line into simple commands (word lists) at
// ; & | ( ) and backquotes.
func commands(s string) [][]string {
	var out [][]string
	var cur []string
	for _, w := range fields(s) {
		switch w {
		case ";", "&", "|", "(", ")", "`":
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
		default:
			cur = append(cur, w)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
