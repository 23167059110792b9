// Package ospkg reads OS package databases — dpkg status (Debian, Ubuntu),
// opkg status (OpenWrt), apk installed (Alpine) and the rpm database
// (sqlite, ndb, BerkeleyDB) — through osv-scalibr's extractors, and fills
// the source package and distro release from the database and
// /etc/os-release of the same tree.
package ospkg

import (
	"fmt"
	"strings"

	"github.com/assayhq/assay/extract/internal/pkgurl"
	"github.com/assayhq/assay/extract/internal/plugin"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	cpb "github.com/google/osv-scalibr/binary/proto/config_go_proto"
	"github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem/os/apk"
	apkmeta "github.com/google/osv-scalibr/extractor/filesystem/os/apk/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/os/dpkg"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/os/rpm"
	rpmmeta "github.com/google/osv-scalibr/extractor/filesystem/os/rpm/metadata"
)

// Parsers returns the OS package database parsers. They match the
// standard database paths inside a root filesystem (var/lib/dpkg/status,
// usr/lib/opkg/status, lib/apk/db/installed, var/lib/rpm/Packages, ...).
func Parsers(lim limit.Limits) ([]plugin.Parser, error) {
	lim = lim.WithDefaults()
	cfg := &cpb.PluginConfig{MaxFileSizeBytes: lim.MaxFileBytes}
	d, err := dpkg.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("dpkg extractor: %w", err)
	}
	a, err := apk.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("apk extractor: %w", err)
	}
	r, err := rpm.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("rpm extractor: %w", err)
	}
	return []plugin.Parser{
		plugin.Scalibr("dpkg", inventory.KindOSPackage, d, lim, distro),
		plugin.Scalibr("apk", inventory.KindOSPackage, a, lim, distro),
		plugin.Scalibr("rpm", inventory.KindOSPackage, r, lim, distro),
	}, nil
}

// distro fills the source package, architecture and OSV ecosystem of an
// OS package from its scalibr metadata.
func distro(p *extractor.Package, c *inventory.Component) {
	c.Type = "library"
	set := func(k, v string) {
		if v == "" {
			return
		}
		if c.Metadata == nil {
			c.Metadata = map[string]string{}
		}
		c.Metadata[k] = v
	}
	switch m := p.Metadata.(type) {
	case *dpkgmeta.Metadata:
		c.SourceName, c.SourceVersion = m.SourceName, m.SourceVersion
		if c.SourceName == "" {
			c.SourceName = m.PackageName
		}
		if c.SourceVersion == "" {
			c.SourceVersion = c.Version
		}
		set(inventory.MetaArch, m.Architecture)
		set(inventory.MetaDistro, strings.TrimSpace(m.OSID+" "+m.OSVersionID))
		if p.PURLType == "opkg" {
			c.Ecosystem = "OpenWrt"
		} else if e := pkgurl.DistroEcosystem(m.OSID, firstNonEmpty(m.OSVersionID, m.OSVersionCodename)); e != "" {
			c.Ecosystem = e
		}
	case *apkmeta.Metadata:
		c.SourceName, c.SourceVersion = m.OriginName, c.Version
		set(inventory.MetaArch, m.Architecture)
		set(inventory.MetaDistro, strings.TrimSpace(m.OSID+" "+m.OSVersionID))
		if e := pkgurl.DistroEcosystem(m.OSID, m.OSVersionID); e != "" {
			c.Ecosystem = e
		}
	case *rpmmeta.Metadata:
		c.SourceName, c.SourceVersion = pkgurl.SplitSourceRPM(m.SourceRPM)
		set(inventory.MetaArch, m.Architecture)
		set(inventory.MetaDistro, strings.TrimSpace(m.OSID+" "+m.OSVersionID))
		if m.Epoch > 0 {
			set("epoch", fmt.Sprint(m.Epoch))
		}
		if e := pkgurl.DistroEcosystem(m.OSID, m.OSVersionID); e != "" {
			c.Ecosystem = e
		}
		c.PURL = withQualifier(c.PURL, "upstream", m.SourceRPM)
		return
	}
	if c.SourceName != "" && c.SourceName != c.Name {
		c.PURL = withQualifier(c.PURL, "upstream", c.SourceName)
	}
}

// withQualifier adds key=value to a purl (the "upstream" source package
// qualifier, as syft writes it).
func withQualifier(purl, key, value string) string {
	_, p, ok := pkgurl.Normalize(purl)
	if !ok || value == "" {
		return purl
	}
	q := p.Qualifiers.Map()
	q[key] = value
	return pkgurl.Make(p.Type, p.Namespace, p.Name, p.Version, q)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
