package vulndb

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/assayhq/assay/internal/lazyre"
)

var cveRE = lazyre.New(`^CVE-\d{4}-\d{4,}$`)

// parseKEV reads the CISA KEV catalogue JSON feed. Entries without a valid
// CVE ID are skipped and counted; a file that is not a complete JSON
// document (truncated, say) fails as a whole.
func parseKEV(r io.Reader, s sink) (int, error) {
	n := 0
	err := streamArray(r, "vulnerabilities", func(raw json.RawMessage) error {
		n++
		var e KEVEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			s.skip(fmt.Sprintf("entry %d", n), err.Error())
			return nil
		}
		if !cveRE().MatchString(e.CVE) {
			s.skip(fmt.Sprintf("entry %d", n), fmt.Sprintf("invalid cveID %q", e.CVE))
			return nil
		}
		return s.kev(&e)
	}, func(key string, raw json.RawMessage) {
		if key == "catalogVersion" || key == "dateReleased" {
			var v string
			if json.Unmarshal(raw, &v) == nil {
				s.meta("kev_"+key, v)
			}
		}
	})
	if err != nil {
		return n, fmt.Errorf("KEV catalogue: %w", err)
	}
	if n == 0 {
		return 0, fmt.Errorf("KEV catalogue: no vulnerabilities array")
	}
	return n, nil
}

// streamArray decodes a JSON object from r, calling each for every
// element of its top-level array field and other for every other field.
// Elements are handed over one at a time, so the whole document is never
// held in memory.
func streamArray(r io.Reader, field string, each func(json.RawMessage) error, other func(string, json.RawMessage)) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if key != field {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("field %q: %w", key, err)
			}
			if other != nil {
				other(key, raw)
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
		for dec.More() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("field %q: %w", key, err)
			}
			if err := each(raw); err != nil {
				return err
			}
		}
		if err := expectDelim(dec, ']'); err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
	}
	return expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err == io.EOF {
		return fmt.Errorf("unexpected end of JSON, want %q", want)
	}
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("unexpected JSON token %v, want %q", tok, want)
	}
	return nil
}
