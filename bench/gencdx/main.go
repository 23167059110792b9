// Command gencdx writes a synthetic CycloneDX 1.6 JSON SBOM of N
// components to standard output, for measuring `assay inventory` on large
// SBOMs without an advisory database (see bench/inventory-100k.sh;
// bench/gensbom writes SBOMs of real package names from a database).
//
//	go run ./bench/gencdx -n 100000 > big.cdx.json
package main

import (
	"flag"
	"log"
	"os"

	"github.com/assayhq/assay/extract/sbom/sbomtest"
)

func main() {
	n := flag.Int("n", 100_000, "number of components")
	flag.Parse()
	if err := sbomtest.WriteCycloneDX(os.Stdout, *n); err != nil {
		log.Fatal(err)
	}
}
