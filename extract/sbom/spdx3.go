package sbom

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// spdx3Element holds the fields of an SPDX 3.0 JSON-LD graph element that
// an inventory needs.
type spdx3Element struct {
	Type    string `json:"type"`
	SPDXID  string `json:"spdxId"`
	AtID    string `json:"@id"`
	Name    string `json:"name"`
	Version string `json:"software_packageVersion"`
	PURL    string `json:"software_packageUrl"`
	Purpose string `json:"software_primaryPurpose"`
	Ext     []struct {
		Type       string `json:"externalIdentifierType"`
		Identifier string `json:"identifier"`
	} `json:"externalIdentifier"`
	Verified []struct {
		Type      string `json:"type"`
		Algorithm string `json:"algorithm"`
		Value     string `json:"hashValue"`
	} `json:"verifiedUsing"`
	SuppliedBy       json.RawMessage `json:"suppliedBy"`
	RelationshipType string          `json:"relationshipType"`
	From             string          `json:"from"`
	To               []string        `json:"to"`
}

// ReadSPDX3 reads an SPDX 3.0 JSON-LD document from r, streaming its
// @graph element by element. The spdx/tools-golang 3.0 model is not used
// for reading: it rejects several of the official SPDX 3.0 examples
// (relationships to elements outside the document, decimal energy
// quantities), while an inventory needs only packages and relationships.
func ReadSPDX3(ctx context.Context, r io.Reader, name string, lim limit.Limits) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	dec := json.NewDecoder(limitTokens(limit.Reader(r, lim.MaxFileBytes), lim.MaxStringBytes))
	inv := &inventory.Inventory{Target: name, Kind: inventory.KindSBOM}
	index := map[string]int{}
	agents := map[string]string{}
	var rels []spdx3Element
	var context json.RawMessage
	err := eachField(ctx, dec, func(key string) (bool, error) {
		switch key {
		case "@context":
			return true, dec.Decode(&context)
		case "@graph":
			return true, eachArrayElement(dec, func() error {
				var e spdx3Element
				if err := dec.Decode(&e); err != nil {
					return err
				}
				id := e.SPDXID
				if id == "" {
					id = e.AtID
				}
				switch spdx3Kind(e.Type) {
				case "Package", "AIPackage", "DatasetPackage":
					if err := limit.Count(len(inv.Components)+1, lim.MaxComponents, "packages"); err != nil {
						return err
					}
					index[id] = len(inv.Components)
					inv.Add(spdx3Package(e, id, name))
				case "Relationship", "LifecycleScopedRelationship":
					rels = append(rels, e)
				case "Organization", "Person", "Agent", "SoftwareAgent":
					agents[id] = e.Name
				}
				return nil
			})
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: SPDX 3 JSON-LD: %w", name, err)
	}
	if !strings.Contains(string(context), "spdx.org/rdf/3") {
		return nil, fmt.Errorf("%s: not an SPDX 3 document (@context %s)", name, truncate(string(context), 80))
	}
	for i := range inv.Components {
		if a, ok := agents[inv.Components[i].Supplier]; ok {
			inv.Components[i].Supplier = a
		}
	}
	for _, r := range rels {
		for _, to := range r.To {
			switch r.RelationshipType {
			case "describes":
				if i, ok := index[to]; ok {
					setMeta(&inv.Components[i], SubjectKey, "true")
				}
			case "contains":
				link(inv, index, r.From, to, inventory.RelContains)
			case "dependsOn", "hasDynamicLink", "hasStaticLink":
				link(inv, index, r.From, to, inventory.RelDependsOn)
			case "hasVariant":
				link(inv, index, r.From, to, inventory.RelVariant)
			case "ancestorOf":
				link(inv, index, to, r.From, inventory.RelAncestor)
			}
		}
	}
	inv.Format = "spdx3-jsonld " + spdx3Version(string(context))
	return inv, nil
}

// spdx3Kind strips the profile prefix of an SPDX 3 type name
// ("software_Package", "ai_AIPackage", "dataset_DatasetPackage").
func spdx3Kind(t string) string {
	if _, rest, ok := strings.Cut(t, "_"); ok {
		return rest
	}
	return t
}

func spdx3Package(e spdx3Element, id, file string) inventory.Component {
	typ := e.Purpose
	switch spdx3Kind(e.Type) {
	case "AIPackage":
		typ = "machine-learning-model"
	case "DatasetPackage":
		typ = "data"
	}
	c := inventory.Component{
		ID: id, Name: e.Name, Version: e.Version, Type: typ,
		Locations: []inventory.Location{{Path: file}},
	}
	purls := []string{e.PURL}
	for _, x := range e.Ext {
		switch strings.ToLower(x.Type) {
		case "packageurl":
			purls = append(purls, x.Identifier)
		case "cpe23", "cpe22":
			c.CPEs = append(c.CPEs, x.Identifier)
		}
	}
	for _, s := range purls {
		if canon, p, ok := pkgurl.Normalize(s); ok {
			c.PURL, c.Ecosystem = canon, pkgurl.Ecosystem(p)
			c.SourceName, c.SourceVersion = sourceFromPURL(p)
			break
		}
	}
	for _, h := range e.Verified {
		if h.Type == "Hash" && h.Value != "" {
			c.Hashes = append(c.Hashes, inventory.Hash{Algorithm: spdx3HashName(h.Algorithm), Value: strings.ToLower(h.Value)})
		}
	}
	_ = json.Unmarshal(e.SuppliedBy, &c.Supplier) // an agent ID, resolved to a name later
	return c
}

func spdx3HashName(a string) string {
	a = strings.ToLower(a)
	switch {
	case strings.HasPrefix(a, "sha3"):
		return "SHA3-" + strings.TrimPrefix(a, "sha3_")
	case strings.HasPrefix(a, "sha"):
		return "SHA-" + strings.TrimPrefix(a, "sha")
	case a == "md5":
		return "MD5"
	}
	return strings.ToUpper(a)
}

func spdx3Version(ctx string) string {
	i := strings.Index(ctx, "spdx.org/rdf/")
	if i < 0 {
		return "3"
	}
	v, _, _ := strings.Cut(ctx[i+len("spdx.org/rdf/"):], "/")
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
