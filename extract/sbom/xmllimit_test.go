package sbom

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// longestXMLToken returns the length of the longest token of a
// well-formed XML document as encoding/xml reads it, and false when it
// cannot read the document.
func longestXMLToken(data []byte) (int64, bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var longest, prev int64
	for {
		_, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return longest, true
		}
		if err != nil {
			return 0, false
		}
		off := d.InputOffset()
		longest, prev = max(longest, off-prev), off
	}
}

func TestXMLLimitReader(t *testing.T) {
	tests := []struct {
		name, data string
		max        int64
		want       string // error substring; "" for none
	}{
		{"short", `<bom a="1"><c>text</c></bom>`, 11, ""},
		{"text over", `<a>0123456789ab</a>`, 11, "an XML text of more than 11 bytes at byte 3"},
		{"tag over", `<a b="0123456789"/>`, 11, "an XML tag of more than 11 bytes at byte 0"},
		{"quoted > in a tag", `<a b=">>>>>>>>>>"/>`, 19, ""},
		{"comment over", `<a><!-- <<<<<<< --></a>`, 11, "an XML comment of more than 11 bytes at byte 3"},
		{"cdata over", `<a><![CDATA[<<<<]]></a>`, 11, "an XML CDATA section of more than 11 bytes at byte 3"},
		{"pi over", `<?xml version="1.0"?><a/>`, 11, "an XML processing instruction of more than 11 bytes at byte 0"},
		{"directive", `<!DOCTYPE a [<!ENTITY x "<>"><!-- ' > --> ]><a/>`, 64, ""},
		{"directive over", `<!DOCTYPE a [<!ENTITY x "<>"><!-- ' > --> ]><a/>`, 40, "an XML directive of more than 40 bytes at byte 0"},
	}
	for _, tt := range tests {
		longest, ok := longestXMLToken([]byte(tt.data))
		if !ok || (longest > tt.max) != (tt.want != "") {
			t.Errorf("%s: encoding/xml's longest token %d (%v)", tt.name, longest, ok)
		}
		checkLimitReader(t, tt.name, tt.data, tt.max, tt.want, limitXMLTokens)
	}
}

// FuzzXMLLimitReader checks the reader against the token lengths of
// encoding/xml on every document encoding/xml reads, in one read and byte
// by byte, and that it passes the data through unchanged.
func FuzzXMLLimitReader(f *testing.F) {
	addSeeds(f, "small.cdx.xml", "entities.cdx.xml", "external.cdx.xml")
	f.Add([]byte(`<!DOCTYPE a [<!ENTITY x "<>"><!-- ' > --> ]><?pi x?><a b='>'><![CDATA[]]]]><!----></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		longest, ok := longestXMLToken(data)
		for _, max := range []int64{1, 4, 16, 64} {
			for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data))} {
				got, err := io.ReadAll(limitXMLTokens(r, max))
				if ok && (err != nil) != (longest > max) {
					t.Fatalf("max %d: err = %v, encoding/xml's longest token %d", max, err, longest)
				}
				if err == nil && !bytes.Equal(got, data) {
					t.Fatal("data changed")
				}
			}
		}
	})
}
