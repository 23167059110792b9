// Command gensbom writes a CycloneDX 1.6 JSON SBOM of N components whose
// names and versions come from real package names in an advisory
// database, so a scan of it exercises matching, not just parsing.
//
//	go run ./bench/gensbom -home H -n 100000 > big.cdx.json
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

	_ "modernc.org/sqlite"
)

func main() {
	home := flag.String("home", "", "assay data directory with an imported advisory database")
	n := flag.Int("n", 100_000, "number of components")
	flag.Parse()
	if err := run(*home, *n); err != nil {
		log.Fatal(err)
	}
}

type pkg struct{ eco, name string }

func run(home string, n int) error {
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
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprint(w, `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[`)
	for i := 0; i < n; i++ {
		p := pkgs[i%len(pkgs)]
		version := fmt.Sprintf("%d.%d.%d", i/len(pkgs)%3, i%17, i%5)
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
