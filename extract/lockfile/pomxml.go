package lockfile

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"deps.dev/util/maven"
	"golang.org/x/net/html/charset"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
)

// Maven POMs are read offline with deps.dev's Maven library, the one
// osv-scalibr's pomxml extractor uses. They give every component that
// extractor gives, with the same version, purl and line, plus those whose
// version comes from a parent's property, which it drops
// (TestPOMLikeScalibr). The extractor itself is not used: it links
// osv-scalibr's deps.dev gRPC client, which an offline read never calls
// and whose package initialisation cost every assay command about 0.9 ms
// (docs/accuracy.md).

// maxPOMParents bounds the chain of local parent POMs followed.
const maxPOMParents = 100

func pomParser(lim limit.Limits) plugin.Parser {
	return plugin.Parser{
		Name: "pom.xml",
		Kind: inventory.KindLockfile,
		Match: func(p string, _ fs.FileInfo) bool {
			return path.Base(p) == "pom.xml" || path.Ext(p) == ".pom"
		},
		Parse: func(ctx context.Context, fsys fs.FS, p string) (*inventory.Inventory, error) {
			inv, err := readPOM(fsys, p, lim)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			return inv, nil
		},
	}
}

// readPOM lists the dependencies of the POM at p: properties
// interpolated, local parent POMs merged (found by relativePath, as Maven
// does), and dependency management applied. Parents that are not in fsys
// are not fetched.
func readPOM(fsys fs.FS, p string, lim limit.Limits) (*inventory.Inventory, error) {
	content, err := plugin.ReadFile(fsys, p, lim.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	var project maven.Project
	if err := decodePOM(bytes.NewReader(content), &project); err != nil {
		return nil, fmt.Errorf("pom.xml: %w", err)
	}
	// Properties are resolved once the parents are merged: a dependency
	// may use a property its parent defines. (osv-scalibr resolves them
	// before merging too, which drops such dependencies.)
	parents, err := mergeLocalParents(fsys, p, &project, lim)
	if err != nil {
		return nil, fmt.Errorf("pom.xml: %w", err)
	}
	if err := checkExpansion(&project, append(parents, content)); err != nil {
		return nil, fmt.Errorf("pom.xml: %w", err)
	}
	if err := project.Interpolate(); err != nil {
		return nil, fmt.Errorf("pom.xml: interpolate: %w", err)
	}
	// Imported dependency management would need the network.
	project.ProcessDependencies(func(_, _, _ maven.String) (maven.DependencyManagement, error) {
		return maven.DependencyManagement{}, nil
	})
	if err := limit.Count(len(project.Dependencies), lim.MaxComponents, "dependencies"); err != nil {
		return nil, err
	}
	lines := newPOMLines(content)
	byName := map[string]inventory.Component{}
	for _, d := range project.Dependencies {
		c, err := pomComponent(d, p, lines)
		if err != nil {
			return nil, err
		}
		byName[c.Name] = c // the last declaration of a name wins
	}
	inv := &inventory.Inventory{Target: p, Kind: inventory.KindLockfile, Format: "pom.xml"}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		inv.Add(byName[name])
	}
	return inv, nil
}

// decodePOM decodes a POM in any XML encoding, with HTML entities as
// Maven accepts them.
func decodePOM(r io.Reader, project *maven.Project) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity
	return dec.Decode(project)
}

// mergeLocalParents merges the chain of parent POMs found in fsys into
// project and returns their texts. A parent is found at its relativePath
// (default ../pom.xml) when that file has the parent's coordinates and
// pom packaging; the chain ends at the first parent not found.
func mergeLocalParents(fsys fs.FS, p string, project *maven.Project, lim limit.Limits) ([][]byte, error) {
	current, at := project.Parent, p
	seen := map[maven.ProjectKey]bool{}
	var texts [][]byte
	for range maxPOMParents {
		if current.GroupID == "" || current.ArtifactID == "" || current.Version == "" {
			break
		}
		if seen[current.ProjectKey] {
			return nil, errors.New("a cycle of parent POMs")
		}
		seen[current.ProjectKey] = true
		parent, parentPath, text, err := localParent(fsys, at, current, lim)
		if err != nil {
			return nil, err
		}
		// Default profiles are merged once a parent is declared (as
		// osv-scalibr does).
		if err := project.MergeProfiles("", maven.ActivationOS{}); err != nil {
			return nil, fmt.Errorf("merge default profiles: %w", err)
		}
		if parentPath == "" {
			break // not in fsys: not fetched
		}
		project.MergeParent(parent)
		texts = append(texts, text)
		current, at = parent.Parent, parentPath
	}
	return texts, nil
}

// maxPOMExpansion bounds the text that resolving a POM's properties may
// produce. deps.dev's interpolation expands a property afresh wherever it
// is used, so a few properties that each use the one before twice expand
// to gigabytes (a "billion laughs" in properties).
const maxPOMExpansion = 16 << 20

// checkExpansion fails when interpolating project, whose POM and parent
// texts are texts, could produce more than maxPOMExpansion bytes: it adds
// up, for every ${key} the texts hold, the length key's value expands to
// (computed once per key, a cycle counting as unexpanded), which bounds
// what interpolation can write.
func checkExpansion(project *maven.Project, texts [][]byte) error {
	values := map[string]string{}
	for _, prop := range project.Properties.Properties {
		values[prop.Name] = prop.Value
	}
	for k, v := range map[string]maven.String{"groupId": project.GroupID, "version": project.Version,
		"parent.groupId": project.Parent.GroupID, "parent.version": project.Parent.Version} {
		if v != "" {
			if _, set := values[k]; !set {
				values[k] = string(v)
			}
			values["pom."+k], values["project."+k] = string(v), string(v)
		}
	}
	size := map[string]int{}    // expanded length of a key's value
	active := map[string]bool{} // keys being expanded
	var expand func(s string) int
	expand = func(s string) int {
		n := 0
		for {
			i := strings.Index(s, "${")
			j := strings.IndexByte(s[max(i, 0):], '}')
			if i < 0 || j < 0 {
				return min(n+len(s), maxPOMExpansion+1)
			}
			n += i
			ref, key := s[i:i+j+1], s[i+2:i+j]
			v, defined := values[key]
			switch {
			case !defined || active[key]:
				n += len(ref)
			default:
				if _, done := size[key]; !done {
					active[key] = true
					size[key] = expand(v)
					active[key] = false
				}
				n += size[key]
			}
			if n > maxPOMExpansion {
				return maxPOMExpansion + 1
			}
			s = s[i+j+1:]
		}
	}
	total := 0
	for _, t := range texts {
		total += expand(string(t))
		if total > maxPOMExpansion {
			return fmt.Errorf("properties expand to more than %d bytes", maxPOMExpansion)
		}
	}
	return nil
}

// localParent reads the parent POM of the POM at p and returns it with
// its path and text, or an empty path when fsys does not hold it.
func localParent(fsys fs.FS, p string, parent maven.Parent, lim limit.Limits) (maven.Project, string, []byte, error) {
	rel := string(parent.RelativePath)
	if rel == "" {
		rel = "../pom.xml"
	}
	pp := path.Join(path.Dir(p), rel)
	info, err := fs.Stat(fsys, pp)
	if err == nil && info.IsDir() {
		pp = path.Join(pp, "pom.xml")
		info, err = fs.Stat(fsys, pp)
	}
	if err != nil || info.IsDir() || !fs.ValidPath(pp) {
		return maven.Project{}, "", nil, nil
	}
	content, err := plugin.ReadFile(fsys, pp, lim.MaxFileBytes)
	if err != nil {
		return maven.Project{}, "", nil, fmt.Errorf("parent %s: %w", pp, err)
	}
	var proj maven.Project
	if err := decodePOM(bytes.NewReader(content), &proj); err != nil {
		return maven.Project{}, "", nil, fmt.Errorf("parent %s: %w", pp, err)
	}
	key := proj.ProjectKey
	if key.GroupID == "" {
		key.GroupID = proj.Parent.GroupID
	}
	if key.Version == "" {
		key.Version = proj.Parent.Version
	}
	if key != parent.ProjectKey || proj.Packaging != "pom" {
		return maven.Project{}, "", nil, nil
	}
	return proj, pp, content, nil
}

// pomComponent converts one resolved dependency of the POM at p.
func pomComponent(d maven.Dependency, p string, lines *pomLines) (inventory.Component, error) {
	group, artifact, ok := strings.Cut(d.Name(), ":")
	if !ok {
		return inventory.Component{}, fmt.Errorf("pom.xml: invalid dependency name %q", d.Name())
	}
	typ := ""
	if d.Type != "jar" {
		typ = string(d.Type)
	}
	c := inventory.Component{
		Name:      d.Name(),
		Version:   firstVersion(string(d.Version)),
		Ecosystem: "Maven",
		Locations: []inventory.Location{{Path: p, Line: lines.find(group, artifact, string(d.Version), typ, string(d.Classifier))}},
	}
	c.PURL = pkgurl.Make("maven", strings.ToLower(group), strings.ToLower(artifact), c.Version,
		map[string]string{"classifier": string(d.Classifier), "type": typ})
	c.ID = c.PURL
	if c.ID == "" {
		c.ID = c.Name + "@" + c.Version
	}
	return c, nil
}

// firstVersion is a version requirement's first version: "1.2" for
// "1.2", "[1.2,2.0)" and "(,1.2]" gives "".
func firstVersion(req string) string {
	if strings.HasPrefix(req, "[") || strings.HasPrefix(req, "(") {
		req = req[1:]
	}
	if i := strings.IndexAny(req, ",)]"); i >= 0 {
		req = req[:i]
	}
	return req
}

// pomLines finds the line that declares a dependency in a POM, for the
// component's location: the first unclaimed declaration with the same
// coordinates, else the only one that fits through a ${property}, else
// the <parent> element (the dependency is inherited), else 0.
type pomLines struct {
	decls  []pomDecl
	used   []bool
	parent int
}

// pomDecl is a <dependency> element as written, and its line.
type pomDecl struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Type       string `xml:"type"`
	Classifier string `xml:"classifier"`
	line       int
}

// newPOMLines indexes the dependencies a POM declares itself and in its
// profiles (not dependency management, not build plugins). Lines are
// best effort: a POM the index cannot read yields none.
func newPOMLines(content []byte) *pomLines {
	l := &pomLines{}
	lineAt := func(off int64) int { return bytes.Count(content[:off], []byte{'\n'}) + 1 }
	dec := xml.NewDecoder(bytes.NewReader(content))
	dec.CharsetReader = charset.NewReaderLabel
	dec.Entity = xml.HTMLEntity
	var stack []string // element names below the root
	depth, done := 0, false
	for {
		tok, err := dec.Token()
		if err != nil {
			if !done && !errors.Is(err, io.EOF) {
				l.decls = nil
			}
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "parent" && l.parent == 0 {
				l.parent = lineAt(dec.InputOffset())
			}
			if done {
				continue // past the root: only a <parent> line is looked for
			}
			if depth > 0 && t.Name.Local == "dependency" && declaresDependencies(stack) {
				d := pomDecl{line: lineAt(dec.InputOffset())}
				if err := dec.DecodeElement(&d, &t); err != nil {
					l.decls = nil
					return l
				}
				l.decls = append(l.decls, d)
				continue
			}
			if depth > 0 {
				stack = append(stack, t.Name.Local)
			}
			depth++
		case xml.EndElement:
			if done {
				continue
			}
			depth--
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			done = depth == 0
		}
	}
	l.used = make([]bool, len(l.decls))
	return l
}

// declaresDependencies reports whether a <dependency> under the element
// path below the root is one of the project's own.
func declaresDependencies(stack []string) bool {
	return slices.Equal(stack, []string{"dependencies"}) ||
		slices.Equal(stack, []string{"profiles", "profile", "dependencies"})
}

func (l *pomLines) find(group, artifact, version, typ, classifier string) int {
	for i, d := range l.decls {
		if !l.used[i] && d.exactly(group, artifact, version, typ, classifier) {
			l.used[i] = true
			return d.line
		}
	}
	fit := -1
	for i, d := range l.decls {
		if l.used[i] || !fitsPlaceholder(d.GroupID, group) || !fitsPlaceholder(d.ArtifactID, artifact) ||
			(d.Version != "" && !fitsPlaceholder(d.Version, version)) {
			continue
		}
		if fit >= 0 {
			fit = -2 // ambiguous
			break
		}
		fit = i
	}
	if fit >= 0 {
		l.used[fit] = true
		return l.decls[fit].line
	}
	return l.parent
}

func (d pomDecl) exactly(group, artifact, version, typ, classifier string) bool {
	if d.Version != "" && (strings.Contains(d.Version, "${") || d.Version != version) {
		return false
	}
	jar := func(t string) string {
		if t == "" {
			return "jar"
		}
		return t
	}
	return d.GroupID == group && d.ArtifactID == artifact && jar(d.Type) == jar(typ) && d.Classifier == classifier
}

// fitsPlaceholder reports whether resolved can be raw with its one
// ${property} replaced.
func fitsPlaceholder(raw, resolved string) bool {
	if raw == resolved {
		return true
	}
	start, end := strings.Index(raw, "${"), strings.Index(raw, "}")
	if start < 0 || end < start {
		return false
	}
	prefix, suffix := raw[:start], raw[end+1:]
	return len(resolved) >= len(prefix)+len(suffix) && strings.HasPrefix(resolved, prefix) && strings.HasSuffix(resolved, suffix)
}
