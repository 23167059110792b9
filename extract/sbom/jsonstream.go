package sbom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/extract/limit"
)

// eachField consumes one JSON object from dec, calling fn with the
// decoder positioned at each field's value. When fn reports the field as
// not handled, the value is skipped token by token without being kept.
func eachField(ctx context.Context, dec *json.Decoder, fn func(key string) (handled bool, err error)) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		handled, err := fn(key)
		if err == nil && !handled {
			err = skipValue(dec)
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
	}
	return expectDelim(dec, '}')
}

// skipValue consumes one JSON value token by token.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		if want == '{' {
			return fmt.Errorf("not a JSON object (found %v)", tok)
		}
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

// eachArrayElement consumes a JSON array, calling fn with the decoder
// positioned at each element. null is accepted as an empty array.
func eachArrayElement(dec *json.Decoder, fn func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("expected an array")
	}
	for dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// JSON formats recognised by DetectJSON.
const (
	FormatCycloneDXJSON = "cyclonedx-json"
	FormatSPDXJSON      = "spdx-json"
	FormatSPDX3         = "spdx3-jsonld"
)

// DetectJSON scans the top-level keys of the JSON object in r for the
// key that identifies an SBOM format ("bomFormat": "CycloneDX",
// "spdxVersion", an SPDX 3 "@context") and returns one of the Format
// constants, or "" when r is no such document. Values are skipped, not
// kept, so any key order works. The error is non-nil only when r exceeds
// a limit (lim.MaxStringBytes for a single value, or a limit of r itself):
// then the format cannot be known.
func DetectJSON(r io.Reader, lim limit.Limits) (string, error) {
	dec := json.NewDecoder(limitTokens(r, lim.WithDefaults().MaxStringBytes))
	found := ""
	stop := errors.New("stop")
	err := eachField(context.Background(), dec, func(key string) (bool, error) {
		switch key {
		case "bomFormat":
			var v string
			if dec.Decode(&v) == nil && v == "CycloneDX" {
				found = FormatCycloneDXJSON
			}
			return true, stop
		case "spdxVersion":
			found = FormatSPDXJSON
			return true, stop
		case "@context":
			var v any
			if dec.Decode(&v) == nil && strings.Contains(fmt.Sprint(v), "spdx.org/rdf/3") {
				found = FormatSPDX3
			}
			return true, stop
		}
		return false, nil
	})
	if errors.Is(err, limit.ErrTooLarge) {
		return "", err
	}
	return found, nil
}
