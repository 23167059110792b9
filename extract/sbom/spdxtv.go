package sbom

import (
	"fmt"
	"io"

	converter "github.com/anchore/go-struct-converter"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/v2_1"
	tv21 "github.com/spdx/tools-golang/spdx/v2/v2_1/tagvalue/reader"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	tv22 "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	tv23 "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
	tvreader "github.com/spdx/tools-golang/tagvalue/reader"
)

// readTagValue reads an SPDX 2.1–2.3 tag-value document into the SPDX
// 2.3 model. It is tools-golang's tagvalue.Read, assembled from the same
// parts minus its converter package, which also converts to SPDX 3 and
// so links a JSON-LD processor whose package initialisation cost every
// assay command about 0.2 ms of start-up.
func readTagValue(r io.Reader) (*spdx.Document, error) {
	pairs, err := tvreader.ReadTagValues(r)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("no tag values found")
	}
	version := ""
	for _, p := range pairs {
		if p.Tag == "SPDXVersion" {
			version = p.Value
			break
		}
	}
	doc := &spdx.Document{}
	switch version {
	case v2_3.Version:
		return tv23.ParseTagValues(pairs)
	case v2_2.Version:
		d, err := tv22.ParseTagValues(pairs)
		if err != nil {
			return nil, err
		}
		return doc, upgrade(*d, doc)
	case v2_1.Version:
		d, err := tv21.ParseTagValues(pairs)
		if err != nil {
			return nil, err
		}
		return doc, upgrade(*d, doc)
	}
	return nil, fmt.Errorf("unsupported SPDX version: %q", version)
}

// upgrade converts an SPDX 2.1 or 2.2 document to 2.3 with the model's
// own conversion functions, as tools-golang's converter chain does.
func upgrade(from any, to *spdx.Document) error {
	return converter.NewFuncChain(v2_2.From_v2_1, v2_3.From_v2_2).Convert(from, to)
}
