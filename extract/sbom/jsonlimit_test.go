package sbom

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/assayhq/assay/extract/limit"
)

// longestRun is the simple, byte-at-a-time definition of what
// tokenLimitReader bounds: the longest string (with its quotes), number or
// literal, or run of white space.
func longestRun(data []byte) int64 {
	var longest, run int64
	var kind byte
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			run++
			longest = max(longest, run)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				kind = 0
			}
		default:
			k := byte('a')
			switch c {
			case ' ', '\t', '\n', '\r':
				k = ' '
			case '{', '}', '[', ']', ',', ':':
				k = 0
			case '"':
				k, inString = '"', true
			}
			if k != kind || k == '"' {
				kind, run = k, 0
			}
			run++
		}
		if kind != 0 || inString {
			longest = max(longest, run)
		}
	}
	return longest
}

func TestTokenLimitReader(t *testing.T) {
	tests := []struct {
		name, data string
		max        int64
		want       string // error substring; "" for none
	}{
		{"short", `{"a":"bcd","e":[1,true,null]}`, 5, ""},
		{"string at limit", `{"a":"bcd"}`, 5, ""},
		{"string over", `{"a":"bcde"}`, 5, "a JSON string of more than 5 bytes at byte 5"},
		{"escaped quotes", `{"a":"\"\"\""}`, 8, ""},
		{"escaped quotes over", `{"a":"\"\"\"\""}`, 8, "a JSON string of more than 8 bytes at byte 5"},
		{"escaped backslash ends string", `["\\", 1]`, 4, ""},
		{"number over", `[123456]`, 5, "a JSON number or literal of more than 5 bytes at byte 1"},
		{"white space over", "[1,      2]", 5, "a JSON run of white space of more than 5 bytes at byte 3"},
		{"structure is not a run", `[[[[[[[[[[]]]]]]]]]]`, 3, ""},
	}
	for _, tt := range tests {
		checkLimitReader(t, tt.name, tt.data, tt.max, tt.want, limitTokens)
		if (tt.want != "") != (longestRun([]byte(tt.data)) > tt.max) {
			t.Errorf("%s: disagrees with longestRun %d", tt.name, longestRun([]byte(tt.data)))
		}
	}
}

// checkLimitReader reads data through bound(r, max) in one read and byte
// by byte: want is a substring of the error expected, or "" when data
// must pass unchanged.
func checkLimitReader(t *testing.T, name, data string, max int64, want string, bound func(io.Reader, int64) io.Reader) {
	t.Helper()
	for _, chunked := range []bool{false, true} {
		var r io.Reader = strings.NewReader(data)
		if chunked {
			r = iotest.OneByteReader(r)
		}
		got, err := io.ReadAll(bound(r, max))
		switch {
		case want == "" && (err != nil || string(got) != data):
			t.Errorf("%s (chunked %v): %q, %v", name, chunked, got, err)
		case want != "" && (err == nil || !errors.Is(err, limit.ErrTooLarge) || !strings.Contains(err.Error(), want)):
			t.Errorf("%s (chunked %v): err = %v, want %q", name, chunked, err, want)
		}
	}
}

// TestLongStringRefused checks that every JSON reader refuses an
// over-long value, naming the file, even in a member that is skipped.
func TestLongStringRefused(t *testing.T) {
	long := strings.Repeat("x", 2000)
	lim := limit.Limits{MaxStringBytes: 1000}
	tests := []struct {
		name string
		fn   reader
		data string
	}{
		{"cyclonedx", ReadCycloneDXJSON, `{"bomFormat":"CycloneDX","components":[{"name":"a","description":"` + long + `"}]}`},
		{"spdx", ReadSPDXJSON, `{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"` + long + `"}]}`},
		{"spdx3", ReadSPDX3, `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[{"type":"software_Package","name":"` + long + `"}]}`},
	}
	for _, tt := range tests {
		_, err := tt.fn(context.Background(), strings.NewReader(tt.data), "long.json", lim)
		if !errors.Is(err, limit.ErrTooLarge) || !strings.HasPrefix(err.Error(), "long.json: ") || !strings.Contains(err.Error(), "a JSON string of more than 1000 bytes") {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if _, err := tt.fn(context.Background(), strings.NewReader(tt.data), "long.json", limit.Limits{}); err != nil {
			t.Errorf("%s with the default limit: %v", tt.name, err)
		}
	}
}

// FuzzTokenLimitReader checks the reader against longestRun, in one read
// and byte by byte, and that it passes the data through unchanged.
func FuzzTokenLimitReader(f *testing.F) {
	addSeeds(f, "nested.cdx.json", "edge.spdx.json")
	f.Add([]byte(`["\\\"", 12345, "a\\", true]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, max := range []int64{1, 3, 8, 64} {
			want := longestRun(data) > max
			for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
				got, err := io.ReadAll(limitTokens(r, max))
				if (err != nil) != want {
					t.Fatalf("max %d: err = %v, longest run %d", max, err, longestRun(data))
				}
				if err == nil && !bytes.Equal(got, data) {
					t.Fatal("data changed")
				}
			}
		}
	})
}
