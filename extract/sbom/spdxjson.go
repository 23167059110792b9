package sbom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
)

// ReadSPDXJSON reads an SPDX 2.1–2.3 JSON document from r. name is used
// in locations and errors.
//
// The document is read as a stream of tokens: each package is decoded
// into the spdx/tools-golang types (only the fields an inventory uses) and
// converted before the next one is read, and every other value is skipped
// without being built. Relationships (including those implied by
// "documentDescribes" and a package's "hasFiles", as tools-golang derives
// them for SPDX 2.2 and 2.3) are kept until the end of the document, where
// they become Parent and DependsOn. The result equals what tools-golang's
// whole-document json.Read gives. The whole document is still validated:
// JSON syntax, UTF-8, nothing after the document, "spdxVersion", the type
// of every member read, and SPDX identifiers, suppliers and creators with
// tools-golang's own parsers.
func ReadSPDXJSON(ctx context.Context, r io.Reader, name string, lim limit.Limits) (*inventory.Inventory, error) {
	lim = lim.WithDefaults()
	sr := &spdxJSONReader{
		tokenReader: newTokenReader(ctx, limitTokens(limit.Reader(r, lim.MaxFileBytes), lim.MaxStringBytes)),
		lim:         lim,
		inv:         &inventory.Inventory{Target: name, Kind: inventory.KindSBOM},
	}
	err := sr.document()
	if err == nil {
		err = sr.end()
	}
	if err == nil {
		err = sr.check()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: spdx-json: %w", name, err)
	}
	if sr.version == "SPDX-2.1" && len(sr.empty) > 0 {
		sr.inv.Components = dropIndexes(sr.inv.Components, sr.empty)
	}
	if sr.version != "SPDX-2.3" {
		for i := range sr.inv.Components {
			sr.inv.Components[i].Type = "" // primaryPackagePurpose is new in SPDX 2.3
		}
	}
	index := spdxIndex(sr.inv)
	relateSPDX(sr.inv, index, sr.rels)
	if sr.version != "SPDX-2.1" {
		// tools-golang turns these into DESCRIBES and CONTAINS
		// relationships after the others for SPDX 2.2 and 2.3. Only those
		// between packages count.
		sr.describes.each(func(id []byte) {
			if i, ok := index[string(id)]; ok {
				setMeta(&sr.inv.Components[i], SubjectKey, "true")
			}
		})
		for _, h := range sr.hasFiles {
			h.ids.each(func(id []byte) {
				if _, ok := index[string(id)]; ok {
					link(sr.inv, index, h.pkg, string(id), inventory.RelContains)
				}
			})
		}
	}
	sr.inv.Format = "spdx-json " + strings.TrimPrefix(sr.version, "SPDX-")
	return sr.inv, nil
}

// dropIndexes returns list without the elements at the ascending indexes
// drop (nil when none is left).
func dropIndexes[T any](list []T, drop []int) []T {
	var out []T
	for i, v := range list {
		if len(drop) > 0 && drop[0] == i {
			drop = drop[1:]
			continue
		}
		out = append(out, v)
	}
	return out
}

// spdxVersions are the SPDX versions whose JSON tools-golang reads into
// its 2.3 model.
var spdxVersions = map[string]bool{"SPDX-2.1": true, "SPDX-2.2": true, "SPDX-2.3": true}

// JSON member names read from each SPDX object.
var (
	spdxTopKeys = []string{"spdxVersion", "SPDXID", "documentNamespace", "creationInfo", "documentDescribes",
		"packages", "files", "relationships"}
	spdxCreationKeys = []string{"creators", "created", "licenseListVersion"}
	spdxPackageKeys  = []string{"SPDXID", "name", "versionInfo", "supplier", "checksums", "licenseConcluded",
		"licenseDeclared", "externalRefs", "primaryPackagePurpose", "hasFiles"}
	// spdx21PackageKeys are the other members of tools-golang's SPDX 2.1
	// package: whether they are set decides whether a package is kept.
	spdx21PackageKeys = []string{"packageFileName", "originator", "downloadLocation", "filesAnalyzed",
		"packageVerificationCode", "homepage", "sourceInfo", "licenseInfoFromFiles", "licenseComments",
		"copyrightText", "summary", "description", "comment", "files", "annotations"}
	spdxVerificationKeys = []string{"packageVerificationCodeValue", "packageVerificationCodeExcludedFiles"}
	spdxExtRefKeys       = []string{"referenceType", "referenceLocator"}
	spdxPackageAllKeys   = append(append([]string{}, spdxPackageKeys...), spdx21PackageKeys...)
	spdxChecksumKeys     = []string{"algorithm", "checksumValue"}
	spdxFileKeys         = []string{"SPDXID", "fileName", "checksums"}
	spdxRelationshipKeys = []string{"spdxElementId", "relatedSpdxElement", "relationshipType"}
)

// spdxHasFiles is the "hasFiles" list of a package.
type spdxHasFiles struct {
	pkg string
	ids idList
}

// idList holds element IDs compactly (a package may list a million files,
// whose IDs matter only if they name a package): the bytes of each, ended
// by a NUL, which the raw text of a JSON string cannot contain.
type idList struct{ buf []byte }

func (l *idList) add(id string) { l.buf = append(append(l.buf, id...), 0) }

// each calls fn with each ID, valid only during the call.
func (l idList) each(fn func(id []byte)) {
	for b := l.buf; len(b) > 0; {
		i := bytes.IndexByte(b, 0)
		fn(b[:i])
		b = b[i+1:]
	}
}

// spdxJSONReader decodes the SPDX 2 objects an inventory needs.
type spdxJSONReader struct {
	*tokenReader
	lim limit.Limits
	inv *inventory.Inventory

	version   string // the exactly named top-level "spdxVersion", as tools-golang looks it up
	docID     common.ElementID
	describes idList
	hasFiles  []spdxHasFiles
	rels      []spdxRel
	empty     []int // indexes of the packages that SPDX 2.1 conversion drops

	// Once the packages are read, relationships that cannot link two of
	// them (to files, mostly) are dropped as they are read.
	known   map[string]int
	dropped bool

	// Errors in members that only some SPDX versions have; which applies
	// is known at the end of the document.
	err22 error // "documentDescribes", "hasFiles": SPDX 2.2 and 2.3
	err23 error // "primaryPackagePurpose": SPDX 2.3
}

func (sr *spdxJSONReader) document() error {
	return sr.object(spdxTopKeys, func(key string) (err error) {
		switch key {
		case "spdxVersion":
			exact := sr.exact
			var v string // null or another type: tools-golang finds no version
			if err = sr.setStr(&v); exact {
				sr.version = v
			}
		case "SPDXID":
			err = sr.elementID(&sr.docID)
		case "documentNamespace":
			var ns string
			err = sr.setStr(&ns)
		case "creationInfo":
			err = sr.creationInfo()
		case "documentDescribes":
			sr.describes, err = sr.docElementIDs(&sr.err22)
		case "packages":
			if sr.dropped {
				return errors.New(`a second "packages" member after "relationships"`)
			}
			sr.inv.Components, sr.hasFiles, sr.empty = sr.inv.Components[:0], nil, nil // the last "packages" wins
			n := 0
			_, err = sr.array(func() error {
				n++
				if err := limit.Count(n, sr.lim.MaxComponents, "packages"); err != nil {
					return err
				}
				return sr.pkg()
			})
			sr.known = spdxIndex(sr.inv)
		case "files":
			_, err = sr.array(sr.file)
		case "relationships":
			sr.rels = sr.rels[:0]
			_, err = sr.array(sr.relationship)
		}
		if err != nil {
			return fmt.Errorf("%q: %w", key, err)
		}
		return nil
	})
}

// check reports what the end of the document shows to be wrong: the
// version, and errors in members of the declared version.
func (sr *spdxJSONReader) check() error {
	switch {
	case sr.version == "":
		return fmt.Errorf("not an SPDX 2 document: no spdxVersion")
	case !spdxVersions[sr.version]:
		return fmt.Errorf("unsupported SPDX version %q (want SPDX-2.1, SPDX-2.2 or SPDX-2.3)", truncate(sr.version, 40))
	case sr.err22 != nil && sr.version != "SPDX-2.1":
		return sr.err22
	case sr.err23 != nil && sr.version == "SPDX-2.3":
		return sr.err23
	}
	return nil
}

// pkg decodes one package (null is skipped) and adds it to the inventory.
func (sr *spdxJSONReader) pkg() error {
	if sr.dec.PeekKind() == 'n' {
		_, err := sr.dec.ReadToken()
		return err
	}
	var p spdx.Package
	var hasFiles idList
	var lists, other bool // non-null checksums or externalRefs; other SPDX 2.1 members set
	err := sr.object(spdxPackageAllKeys, func(key string) (err error) {
		switch key {
		case "SPDXID":
			err = sr.elementID(&p.PackageSPDXIdentifier)
		case "name":
			err = sr.setStr(&p.PackageName)
		case "versionInfo":
			err = sr.setStr(&p.PackageVersion)
		case "supplier":
			err = sr.supplier(&p.PackageSupplier)
		case "checksums":
			var ok bool
			p.PackageChecksums, ok, err = sr.checksums()
			lists = lists || ok
		case "licenseConcluded":
			err = sr.setStr(&p.PackageLicenseConcluded)
		case "licenseDeclared":
			err = sr.setStr(&p.PackageLicenseDeclared)
		case "externalRefs":
			var ok bool
			p.PackageExternalReferences, ok, err = sr.externalRefs()
			lists = lists || ok
		case "primaryPackagePurpose":
			err = sr.versioned(&sr.err23, func() error { return sr.setStr(&p.PrimaryPackagePurpose) })
		case "hasFiles":
			hasFiles, err = sr.docElementIDs(&sr.err22)
		case "packageVerificationCode":
			err = sr.object(spdxVerificationKeys, func(string) error { return sr.setMember(&other) })
		default:
			err = sr.setMember(&other)
		}
		return err
	})
	if err != nil {
		return err
	}
	if !other && !lists && p.PackageSPDXIdentifier == "" && p.PackageName == "" && p.PackageVersion == "" &&
		p.PackageSupplier == nil && p.PackageLicenseConcluded == "" && p.PackageLicenseDeclared == "" {
		// tools-golang's conversion from SPDX 2.1 turns a package whose
		// every field is zero into nil, which is skipped.
		sr.empty = append(sr.empty, len(sr.inv.Components))
	}
	sr.inv.Add(spdxPackage(&p, sr.inv.Target))
	if len(hasFiles.buf) > 0 {
		sr.hasFiles = append(sr.hasFiles, spdxHasFiles{string(p.PackageSPDXIdentifier), hasFiles})
	}
	return nil
}

func (sr *spdxJSONReader) externalRefs() ([]*spdx.PackageExternalReference, bool, error) {
	var list []*spdx.PackageExternalReference
	ok, err := sr.array(func() error {
		if sr.dec.PeekKind() == 'n' {
			list = append(list, nil)
			_, err := sr.dec.ReadToken()
			return err
		}
		var ref spdx.PackageExternalReference
		list = append(list, &ref)
		return sr.object(spdxExtRefKeys, func(key string) error {
			if key == "referenceType" {
				return sr.setStr(&ref.RefType)
			}
			return sr.setStr(&ref.Locator)
		})
	})
	return list, ok, err
}

// checksums reads an array of checksums; it reports whether it was an
// array rather than null.
func (sr *spdxJSONReader) checksums() ([]common.Checksum, bool, error) {
	var list []common.Checksum
	ok, err := sr.array(func() error {
		list = append(list, common.Checksum{})
		c := &list[len(list)-1]
		return sr.object(spdxChecksumKeys, func(key string) error {
			if key == "algorithm" {
				a := string(c.Algorithm)
				err := sr.setStr(&a)
				c.Algorithm = common.ChecksumAlgorithm(a)
				return err
			}
			return sr.setStr(&c.Value)
		})
	})
	return list, ok, err
}

// setMember skips a member's value and sets *set when encoding/json would
// give it a non-zero value: anything but null, "" and false.
func (sr *spdxJSONReader) setMember(set *bool) error {
	switch sr.dec.PeekKind() {
	case '{', '[':
		*set = true
		return sr.dec.SkipValue()
	}
	v, err := sr.dec.ReadValue()
	switch string(v) {
	case "null", `""`, "false":
	default:
		*set = true
	}
	return err
}

// file checks one file the way tools-golang reads it; files are not
// components.
func (sr *spdxJSONReader) file() error {
	var id common.ElementID
	var fileName string
	return sr.object(spdxFileKeys, func(key string) (err error) {
		switch key {
		case "SPDXID":
			err = sr.elementID(&id)
		case "fileName":
			err = sr.setStr(&fileName)
		case "checksums":
			_, _, err = sr.checksums()
		}
		return err
	})
}

func (sr *spdxJSONReader) relationship() error {
	if sr.dec.PeekKind() == 'n' { // tools-golang drops null relationships
		_, err := sr.dec.ReadToken()
		return err
	}
	var a, b common.DocElementID
	var typ string
	err := sr.object(spdxRelationshipKeys, func(key string) error {
		switch key {
		case "spdxElementId":
			return sr.unmarshal(&a)
		case "relatedSpdxElement":
			return sr.unmarshal(&b)
		}
		return sr.setStr(&typ)
	})
	if err != nil {
		return err
	}
	r := spdxRel{a: string(a.ElementRefID), b: string(b.ElementRefID), typ: typ}
	if sr.known != nil && !r.between(sr.known) {
		sr.dropped = true
		return nil
	}
	sr.rels = append(sr.rels, r)
	return nil
}

func (sr *spdxJSONReader) creationInfo() error {
	var created, listVersion string
	return sr.object(spdxCreationKeys, func(key string) error {
		switch key {
		case "creators":
			_, err := sr.array(func() error {
				var c common.Creator
				return sr.unmarshal(&c)
			})
			return err
		case "created":
			return sr.setStr(&created)
		}
		return sr.setStr(&listVersion)
	})
}

// setStr reads a string into dst; null leaves dst unchanged, as
// encoding/json does.
func (sr *spdxJSONReader) setStr(dst *string) error {
	if sr.dec.PeekKind() == 'n' {
		_, err := sr.dec.ReadToken()
		return err
	}
	s, err := sr.str()
	if err == nil {
		*dst = s
	}
	return err
}

// elementID reads an SPDX identifier ("SPDXRef-x") with tools-golang's
// parser, which also sees null (and refuses it).
func (sr *spdxJSONReader) elementID(dst *common.ElementID) error {
	return sr.unmarshal(dst)
}

// supplier reads a package supplier ("Organization: x", "NOASSERTION");
// null means none.
func (sr *spdxJSONReader) supplier(dst **common.Supplier) error {
	if sr.dec.PeekKind() == 'n' {
		*dst = nil
		_, err := sr.dec.ReadToken()
		return err
	}
	var s common.Supplier
	*dst = &s
	return sr.unmarshal(&s)
}

// unmarshaler is implemented by the tools-golang types that parse their
// own JSON text (identifiers, suppliers, creators).
type unmarshaler interface{ UnmarshalJSON([]byte) error }

// unmarshal reads one value and hands its JSON text to dst, as
// encoding/json does for a json.Unmarshaler.
func (sr *spdxJSONReader) unmarshal(dst unmarshaler) error {
	off := sr.dec.InputOffset()
	v, err := sr.dec.ReadValue()
	if err != nil {
		return err
	}
	if err := dst.UnmarshalJSON(v); err != nil {
		return &valueError{fmt.Sprintf("at %s (byte %d): %v", pointer(sr.dec), off, err)}
	}
	return nil
}

// docElementIDs reads an array of SPDX element references of a member
// that only SPDX 2.2 and 2.3 have: what is wrong with it is recorded in
// *deferred (first error only), not returned, since in an SPDX 2.1
// document tools-golang ignores the member. A reference into another
// document keeps only its element ID, as in tools-golang's relationships.
func (sr *spdxJSONReader) docElementIDs(deferred *error) (idList, error) {
	var list idList
	err := sr.versioned(deferred, func() error {
		_, err := sr.array(func() error {
			var id common.DocElementID
			if err := sr.unmarshal(&id); err != nil {
				return err
			}
			list.add(string(id.ElementRefID))
			return nil
		})
		return err
	})
	return list, err
}

// versioned runs read on a member that only some SPDX versions have. A
// wrong type or value is recorded in *deferred (the first one only) and
// the rest of the member's value skipped; any other error (JSON syntax,
// limits) is returned.
func (sr *spdxJSONReader) versioned(deferred *error, read func() error) error {
	depth := sr.dec.StackDepth()
	err := read()
	var ve *valueError
	if err == nil || !errors.As(err, &ve) {
		return err
	}
	if *deferred == nil {
		*deferred = err
	}
	if sr.dec.StackDepth() == depth { // nothing of the value was read
		return sr.dec.SkipValue()
	}
	for sr.dec.StackDepth() > depth {
		if _, err := sr.dec.ReadToken(); err != nil {
			return err
		}
	}
	return nil
}
