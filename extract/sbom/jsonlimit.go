package sbom

import (
	"bytes"
	"fmt"
	"io"

	"github.com/assayhq/assay/extract/limit"
)

// tokenLimitReader passes a JSON document through unchanged, failing with
// an error wrapping limit.ErrTooLarge as soon as a single string, number
// or literal, or a run of white space, is longer than max bytes. JSON
// decoders (jsontext and encoding/json alike) keep such a run contiguous
// in their buffer, which doubles as it grows: without this bound, one
// 200 MB string costs about 470 MiB of memory even in a member that is
// skipped. The reader does not validate JSON; it tracks only whether it
// is inside a string, which is exact for valid JSON, and the decoder
// reports anything invalid.
type tokenLimitReader struct {
	r   io.Reader
	max int64

	off     int64 // bytes passed through before the current Read
	run     int64 // length of the current run
	kind    byte  // what the run is: '"' string, ' ' white space, 'a' number or literal, 0 structure
	escaped bool  // inside a string, after a backslash
	err     error
}

// limitTokens returns r bounded by max bytes per token (see
// tokenLimitReader); max ≤ 0 means unbounded.
func limitTokens(r io.Reader, max int64) io.Reader {
	if max <= 0 {
		return r
	}
	return &tokenLimitReader{r: r, max: max}
}

func (t *tokenLimitReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.r.Read(p)
	if e := t.scan(p[:n]); e != nil {
		t.err = e
		return 0, e
	}
	t.off += int64(n)
	return n, err
}

// scan advances the state over b and reports a run over the limit.
func (t *tokenLimitReader) scan(b []byte) error {
	for i := 0; i < len(b); {
		if t.kind == '"' {
			// Inside a string: jump to the next quote or backslash.
			if t.escaped {
				t.escaped = false
				t.run++
				i++
				continue
			}
			j := bytes.IndexAny(b[i:], `"\`)
			if j < 0 {
				t.run += int64(len(b) - i)
				break
			}
			t.run += int64(j) + 1
			i += j
			if b[i] == '\\' {
				t.escaped = true
			} else {
				t.kind = 0
			}
			i++
			if t.run > t.max {
				return t.tooLong(i, "string")
			}
			continue
		}
		var kind byte
		switch c := b[i]; c {
		case ' ', '\t', '\n', '\r':
			kind = ' '
		case '{', '}', '[', ']', ',', ':':
			kind = 0
		case '"':
			kind = '"'
		default:
			kind = 'a'
		}
		if kind != t.kind || kind == '"' {
			t.kind, t.run = kind, 0
		}
		t.run++
		i++
		if t.kind != 0 && t.run > t.max {
			return t.tooLong(i, map[byte]string{' ': "run of white space", 'a': "number or literal"}[t.kind])
		}
	}
	if t.kind == '"' && t.run > t.max {
		return t.tooLong(len(b), "string")
	}
	return nil
}

func (t *tokenLimitReader) tooLong(i int, what string) error {
	return fmt.Errorf("%w: a JSON %s of more than %d bytes at byte %d", limit.ErrTooLarge, what, t.max, t.off+int64(i)-t.run)
}
