package identify

import (
	"github.com/assayhq/assay/internal/lazyre"
	"strings"
	"time"

	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/supplier/eol"
)

// eolProducts maps component names (signature names, Go "stdlib", and
// distro source package names) to endoflife.date products.
var eolProducts = map[string]string{
	"openssl": "openssl",
	"nginx":   "nginx",
	"sqlite":  "sqlite",
	"sqlite3": "sqlite",
	"linux":   "linux-kernel",
	"stdlib":  "go",
}

var leadingVersion = lazyre.New(`^\d+(?:\.\d+)*`)

// upstreamVersion strips an epoch, a distro revision and a leading "v"
// ("1:3.0.20-1~deb12u2" -> "3.0.20", "go1.21.3" / "v1.21.3" -> "1.21.3").
func upstreamVersion(v string) string {
	if _, after, ok := strings.Cut(v, ":"); ok {
		v = after
	}
	v = strings.TrimPrefix(strings.TrimPrefix(v, "go"), "v")
	return leadingVersion().FindString(v)
}

// markEOL sets MetaEOL, MetaEOLDate and MetaEOLCycle on c when its release
// cycle is past its end of life on date on. The cycle is the longest
// prefix of the version's numeric parts that the product lists
// ("3.0.20" -> "3.0"; "1.1.1w" -> "1.1.1"; "3.40.1" -> "3").
func markEOL(c *inventory.Component, db eol.DB, on time.Time) {
	if len(db) == 0 {
		return
	}
	name := c.Name
	if c.SourceName != "" {
		name = c.SourceName
	}
	product, ok := eolProducts[name]
	if !ok {
		return
	}
	v := c.Version
	if c.SourceVersion != "" {
		v = c.SourceVersion
	}
	parts := strings.Split(upstreamVersion(v), ".")
	for n := len(parts); n >= 1; n-- {
		st, err := db.Lookup(product, strings.Join(parts[:n], "."), on)
		if err != nil {
			continue
		}
		c.Metadata = maps(c.Metadata)
		c.Metadata[inventory.MetaEOLCycle] = product + " " + st.Cycle
		if st.State == "eol" {
			c.Metadata[inventory.MetaEOL] = "true"
			if st.EOL != "true" {
				c.Metadata[inventory.MetaEOLDate] = st.EOL
			}
		}
		return
	}
}
