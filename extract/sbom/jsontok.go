package sbom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// tokenReader reads a JSON document token by token with a jsontext
// decoder, without reflection: callers name the object members they need
// and every other value is skipped (and still validated). The whole
// document is checked for syntax and UTF-8, members are matched like
// encoding/json does (exact name first, then case-insensitively; the last
// duplicate wins) and a value of the wrong type for a member that is read
// is an error naming its JSON pointer.
type tokenReader struct {
	ctx   context.Context
	dec   *jsontext.Decoder
	name  []byte // scratch buffer for escaped member names
	exact bool   // the last member name matched exactly, not case-insensitively
}

func newTokenReader(ctx context.Context, r io.Reader) *tokenReader {
	return &tokenReader{ctx: ctx, dec: jsontext.NewDecoder(r, jsontext.AllowDuplicateNames(true))}
}

// object reads an object (null is accepted as an empty one), calling fn
// with each member name found in known; fn must consume the value. Other
// members are skipped.
func (tr *tokenReader) object(known []string, fn func(key string) error) error {
	ok, err := tr.open('{', "an object")
	if err != nil || !ok {
		return err
	}
	for tr.dec.PeekKind() != '}' {
		v, err := tr.dec.ReadValue()
		if err != nil {
			return err
		}
		key := tr.match(v, known)
		if key == "" {
			if err := tr.dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	_, err = tr.dec.ReadToken()
	return err
}

// match returns the element of known that the quoted member name v
// selects, or "".
func (tr *tokenReader) match(v jsontext.Value, known []string) string {
	name := v[1 : len(v)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var err error
		if tr.name, err = jsontext.AppendUnquote(tr.name[:0], v); err != nil {
			return ""
		}
		name = tr.name
	}
	for _, k := range known {
		if string(name) == k {
			tr.exact = true
			return k
		}
	}
	tr.exact = false
	for _, k := range known {
		if strings.EqualFold(string(name), k) {
			return k
		}
	}
	return ""
}

// array reads an array (null is accepted as an empty one), calling fn for
// each element; fn must consume it. It reports whether the value was an
// array rather than null.
func (tr *tokenReader) array(fn func() error) (bool, error) {
	ok, err := tr.open('[', "an array")
	if err != nil || !ok {
		return false, err
	}
	for i := 0; tr.dec.PeekKind() != ']'; i++ {
		if i&1023 == 1023 {
			if err := tr.ctx.Err(); err != nil {
				return true, err
			}
		}
		if err := fn(); err != nil {
			return true, err
		}
	}
	_, err = tr.dec.ReadToken()
	return true, err
}

// open reads the opening delimiter of an object or array; it returns
// false for null.
func (tr *tokenReader) open(delim jsontext.Kind, what string) (bool, error) {
	switch k := tr.dec.PeekKind(); k {
	case 'n':
		_, err := tr.dec.ReadToken()
		return false, err
	case delim:
		_, err := tr.dec.ReadToken()
		return true, err
	case jsontext.KindInvalid:
		_, err := tr.dec.ReadToken() // reports the syntax error or EOF
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return false, err
	default:
		return false, tr.typeError(what, k)
	}
}

// str reads a string (null reads as "").
func (tr *tokenReader) str() (string, error) {
	k := tr.dec.PeekKind()
	if k != '"' && k != 'n' && k != jsontext.KindInvalid {
		return "", tr.typeError("a string", k)
	}
	tok, err := tr.dec.ReadToken()
	if err != nil {
		return "", err
	}
	if k == 'n' {
		return "", nil
	}
	return tok.String(), nil
}

// strings reads an array of strings.
func (tr *tokenReader) strings() ([]string, bool, error) {
	var out []string
	ok, err := tr.array(func() error {
		s, err := tr.str()
		out = append(out, s)
		return err
	})
	return out, ok, err
}

func (tr *tokenReader) typeError(want string, found jsontext.Kind) error {
	return &valueError{fmt.Sprintf("at %s (byte %d): expected %s, found %s", pointer(tr.dec), tr.dec.InputOffset(), want, kindName(found))}
}

// valueError is a well-formed JSON value of the wrong type or content for
// the member it is read into; the decoder can go on after it.
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

// end checks that nothing but white space follows the document.
func (tr *tokenReader) end() error {
	if _, err := tr.dec.ReadToken(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the end of the document")
		}
		return err
	}
	return nil
}

func pointer(dec *jsontext.Decoder) string {
	p := string(dec.StackPointer())
	if p == "" {
		return "the top level"
	}
	return p
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "invalid JSON"
}
