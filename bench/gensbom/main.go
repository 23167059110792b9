// Command gensbom writes a CycloneDX 1.6 JSON SBOM of N components whose
// names and versions come from real package names in an advisory
// database, so a scan of it exercises matching, not just parsing.
//
//	go run ./bench/gensbom -home H -n 100000 > big.cdx.json
//	go run ./bench/gensbom -home H -n 100000 -mix realistic > real.cdx.json
//
// The default mix ("worst") gives every component an arbitrary version
// (0.x.y to 2.x.y), which most advisories of a package affect: about two
// findings per component. The "realistic" mix gives each component the
// highest version any advisory of its package names as fixed (a maintained
// dependency), and every 20th component the lowest version an advisory
// names as introduced (an outdated one), so most components are clean and
// a few have findings. Both cycle through the same package names, so the
// database queries a scan makes are the same.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/assayhq/assay/version"
	"github.com/assayhq/assay/vulndb"
	_ "modernc.org/sqlite"
)

func main() {
	home := flag.String("home", "", "assay data directory with an imported advisory database")
	n := flag.Int("n", 100_000, "number of components")
	mix := flag.String("mix", "worst", "version mix: worst (arbitrary versions) or realistic (mostly fixed versions)")
	flag.Parse()
	if *mix != "worst" && *mix != "realistic" {
		log.Fatalf("-mix %q: want worst or realistic", *mix)
	}
	if err := run(*home, *n, *mix == "realistic"); err != nil {
		log.Fatal(err)
	}
}

type pkg struct{ eco, name string }

func run(home string, n int, realistic bool) error {
	cur, err := os.ReadFile(filepath.Join(home, "db", "CURRENT"))
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(home, "db", "snapshots", strings.TrimSpace(string(cur)), "vuln.db")+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `SELECT DISTINCT ecosystem, name FROM affected WHERE ecosystem IN ('Go', 'PyPI', 'crates.io') ORDER BY ecosystem, name`)
	if err != nil {
		return err
	}
	var pkgs []pkg
	for rows.Next() {
		var p pkg
		rows.Scan(&p.eco, &p.name)
		pkgs = append(pkgs, p)
	}
	rows.Close()
	if len(pkgs) == 0 {
		return fmt.Errorf("no Go, PyPI or crates.io packages in the database")
	}
	var versions map[pkg][2]string
	if realistic {
		if versions, err = realVersions(home, pkgs); err != nil {
			return err
		}
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprint(w, `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[`)
	for i := 0; i < n; i++ {
		p := pkgs[i%len(pkgs)]
		version := fmt.Sprintf("%d.%d.%d", i/len(pkgs)%3, i%17, i%5)
		if vs, ok := versions[p]; ok {
			version = vs[0]
			if i%20 == 0 && vs[1] != "" {
				version = vs[1]
			}
		}
		purl := purlFor(p, version)
		c := map[string]string{"type": "library", "name": p.name, "version": version, "purl": purl, "bom-ref": fmt.Sprintf("c%d", i)}
		b, _ := json.Marshal(c)
		if i > 0 {
			w.WriteByte(',')
		}
		w.Write(b)
	}
	fmt.Fprint(w, `]}`)
	return nil
}

func purlFor(p pkg, v string) string {
	switch p.eco {
	case "Go":
		return "pkg:golang/" + p.name + "@v" + v
	case "PyPI":
		return "pkg:pypi/" + p.name + "@" + v
	default:
		return "pkg:cargo/" + p.name + "@" + v
	}
}

// realVersions returns, per package, the highest version its advisories
// name as fixed and the lowest non-zero version they name as introduced
// (either may be empty); the Go "v" prefix is dropped (purlFor adds it).
func realVersions(home string, pkgs []pkg) (map[pkg][2]string, error) {
	ctx := context.Background()
	db, err := vulndb.Open(ctx, home)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	out := make(map[pkg][2]string, len(pkgs))
	for _, p := range pkgs {
		pas, err := db.Affecting(ctx, p.eco, p.name)
		if err != nil {
			return nil, err
		}
		var fixed, introduced string
		var hi, lo version.Version
		for _, pa := range pas {
			for _, af := range pa.Affected {
				for _, r := range af.Ranges {
					for _, e := range r.Events {
						if e.Fixed != "" {
							if v, _, err := version.Parse(p.eco, e.Fixed); err == nil && (fixed == "" || cmpVersion(v, hi) > 0) {
								fixed, hi = e.Fixed, v
							}
						}
						if e.Introduced != "" && e.Introduced != "0" {
							if v, _, err := version.Parse(p.eco, e.Introduced); err == nil && (introduced == "" || cmpVersion(v, lo) < 0) {
								introduced, lo = e.Introduced, v
							}
						}
					}
				}
			}
		}
		if fixed != "" {
			out[p] = [2]string{strings.TrimPrefix(fixed, "v"), strings.TrimPrefix(introduced, "v")}
		}
	}
	return out, nil
}

func cmpVersion(a, b version.Version) int {
	c, err := a.Cmp(b)
	if err != nil {
		return 0
	}
	return c
}
