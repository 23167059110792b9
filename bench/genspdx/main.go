// Command genspdx writes a synthetic SPDX 2.3 JSON SBOM of N packages to
// standard output, for measuring `assay inventory` on large SPDX documents
// (see bench/inventory-100k.sh; bench/gencdx is the CycloneDX equivalent).
//
//	go run ./bench/genspdx -n 100000 > big.spdx.json
package main

import (
	"flag"
	"log"
	"os"

	"github.com/assayhq/assay/extract/sbom/sbomtest"
)

func main() {
	n := flag.Int("n", 100_000, "number of packages")
	flag.Parse()
	if err := sbomtest.WriteSPDX(os.Stdout, *n); err != nil {
		log.Fatal(err)
	}
}
