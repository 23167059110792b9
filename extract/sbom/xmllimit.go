package sbom

import (
	"fmt"
	"io"

	"github.com/assayhq/assay/extract/limit"
)

// xmlLimitReader passes an XML document through unchanged, failing with
// an error wrapping limit.ErrTooLarge as soon as one token — a run of
// text, a tag with its attributes, a comment, a CDATA section, a
// processing instruction or a directive — is longer than max bytes:
// encoding/xml buffers each token whole, and cyclonedx-go keeps text
// such as a component's description. It tracks only which kind of token
// it is in, which is exact for well-formed XML; the decoder reports
// anything malformed.
type xmlLimitReader struct {
	r   io.Reader
	max int64

	off   int64 // bytes passed through before the current Read
	run   int64 // length of the current token
	state xmlState
	quote byte // inside a quoted attribute or directive value: the quote
	seen  int  // bytes of "<![CDATA[" matched; '-', ']' or '?' just seen in a comment, CDATA section or PI
	depth int  // nesting of < > in a directive
	dlt   int  // in a directive: 1 after '<', 2 and 3 after "<!" and "<!-"

	done      int64 // length of the token the last byte ended, if any
	doneState xmlState
	err       error
}

type xmlState uint8

const (
	xText      xmlState = iota
	xOpen               // after '<'
	xBang               // after "<!"
	xBangDash           // after "<!-"
	xCDATAOpen          // inside "<![CDATA["
	xTag
	xComment
	xCDATA
	xPI
	xDirective
	xDirComment // a comment inside a directive
)

// limitXMLTokens returns r bounded by max bytes per token (see
// xmlLimitReader); max ≤ 0 means unbounded.
func limitXMLTokens(r io.Reader, max int64) io.Reader {
	if max <= 0 {
		return r
	}
	return &xmlLimitReader{r: r, max: max}
}

func (x *xmlLimitReader) Read(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	n, err := x.r.Read(p)
	for i, c := range p[:n] {
		x.done = 0
		x.step(c)
		run, state := x.run, x.state
		if x.done > run {
			run, state = x.done, x.doneState
		}
		if run > x.max {
			x.err = fmt.Errorf("%w: an XML %s of more than %d bytes at byte %d", limit.ErrTooLarge,
				state.what(), x.max, x.off+int64(i)+1-run)
			return 0, x.err
		}
	}
	x.off += int64(n)
	return n, err
}

const cdataOpen = "<![CDATA["

// step advances the state over one byte; x.run is the length of the token
// so far, including c.
func (x *xmlLimitReader) step(c byte) {
	x.run++
	switch x.state {
	case xText:
		if c == '<' {
			x.state, x.run = xOpen, 1
		}
	case xOpen:
		switch c {
		case '!':
			x.state = xBang
		case '?':
			x.state, x.seen = xPI, 0
		default:
			x.state, x.quote = xTag, 0
			x.tag(c)
		}
	case xBang:
		switch c {
		case '-':
			x.state = xBangDash
		case '[':
			x.state, x.seen = xCDATAOpen, 3
		default:
			x.directive(c)
		}
	case xBangDash:
		if c == '-' {
			x.state, x.seen = xComment, 0
		} else {
			x.directive(c)
		}
	case xCDATAOpen:
		if c != cdataOpen[x.seen] {
			x.directive(c)
			return
		}
		if x.seen++; x.seen == len(cdataOpen) {
			x.state, x.seen = xCDATA, 0
		}
	case xTag:
		x.tag(c)
	case xComment:
		x.closeAfter(c, '-', 2)
	case xCDATA:
		x.closeAfter(c, ']', 2)
	case xPI:
		x.closeAfter(c, '?', 1)
	case xDirective:
		x.inDirective(c)
	case xDirComment:
		if c == '>' && x.seen >= 2 {
			x.state = xDirective
		} else if c == '-' {
			x.seen++
		} else {
			x.seen = 0
		}
	}
}

// tag handles a byte of a start or end tag: '>' outside a quoted
// attribute value ends it.
func (x *xmlLimitReader) tag(c byte) {
	if !x.quoted(c) && c == '>' {
		x.finish()
	}
}

// quoted follows quotes in a tag or directive and reports whether c is
// part of a quoted value (its quotes included).
func (x *xmlLimitReader) quoted(c byte) bool {
	switch {
	case x.quote != 0:
		if c == x.quote {
			x.quote = 0
		}
	case c == '"' || c == '\'':
		x.quote = c
	default:
		return false
	}
	return true
}

// finish ends the current markup token; text follows.
func (x *xmlLimitReader) finish() {
	x.done, x.doneState = x.run, x.state
	x.state, x.run = xText, 0
}

// closeAfter ends a comment ("-->"), CDATA section ("]]>") or processing
// instruction ("?>") at a '>' that follows at least n bytes mark.
func (x *xmlLimitReader) closeAfter(c, mark byte, n int) {
	switch {
	case c == mark:
		x.seen++
	case c == '>' && x.seen >= n:
		x.finish()
	default:
		x.seen = 0
	}
}

// directive enters a directive (<!DOCTYPE …>) at its first byte after
// "<!", which encoding/xml takes as it is.
func (x *xmlLimitReader) directive(byte) {
	x.state, x.depth, x.quote, x.dlt = xDirective, 1, 0, 0
}

// inDirective handles a byte of a directive as encoding/xml reads it: the
// directive ends at the '>' that balances its '<', outside quotes, and
// "<!--" inside it starts a comment, quotes included, up to "-->".
func (x *xmlLimitReader) inDirective(c byte) {
	if x.dlt > 0 {
		if c == "!--"[x.dlt-1] {
			if x.dlt++; x.dlt == 4 {
				x.state, x.seen, x.dlt = xDirComment, 0, 0
			}
			return
		}
		x.dlt = 0
		x.depth++ // a nested '<'; c is handled as any byte
	}
	switch {
	case x.quoted(c):
	case c == '<':
		x.dlt = 1
	case c == '>':
		if x.depth--; x.depth == 0 {
			x.finish()
		}
	}
}

func (s xmlState) what() string {
	switch s {
	case xText:
		return "text"
	case xComment:
		return "comment"
	case xCDATA:
		return "CDATA section"
	case xPI:
		return "processing instruction"
	case xDirective, xDirComment:
		return "directive"
	}
	return "tag"
}
