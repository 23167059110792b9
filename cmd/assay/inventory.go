package main

import (
	"os"
	"strings"

	"github.com/assayhq/assay/extract"
	"github.com/assayhq/assay/extract/limit"
	"github.com/assayhq/assay/inventory"
	"github.com/assayhq/assay/inventory/encode"
	"github.com/spf13/cobra"
)

func newInventoryCmd(g *globals) *cobra.Command {
	var (
		format string
		lim    limit.Limits
	)
	cmd := &cobra.Command{
		Use:   "inventory PATH...",
		Short: "List the software components in SBOMs, lockfiles, binaries, package databases, images and directories",
		Long: `Inventory reads every kind of software evidence a vendor submits and lists
its components (name, version, OSV ecosystem, purl, CPEs, hashes, where found)
and what could not be assessed, with the reason.

PATH may be:
  an SBOM          CycloneDX 1.2-1.7 JSON/XML, SPDX 2.x JSON/tag-value, SPDX 3.0 JSON-LD
  a lockfile       go.mod (+go.sum), package-lock.json, yarn.lock, pnpm-lock.yaml,
                   requirements.txt, poetry.lock, Pipfile.lock, uv.lock, Cargo.lock,
                   Gemfile.lock, composer.lock, pom.xml, gradle.lockfile,
                   packages.lock.json, pubspec.lock, mix.lock
  a Go binary      any executable built by Go (build info, stdlib, GOOS/GOARCH)
  a package DB     dpkg status, apk installed, rpm Packages/rpmdb.sqlite
  an image         docker save or OCI archive (.tar), OCI layout directory;
                   every image of a multi-image archive (component locations
                   name the image)
  a directory      walked; each file goes to its parser; symlinks never followed

A single file in an unknown or broken format is an error (exit 2). Inside a
directory walk it becomes an "unassessed" entry instead.

Use --format cyclonedx or --format spdx to convert any input into a
CycloneDX 1.6 or SPDX 2.3 SBOM.`,
		Example: `  assay inventory go.mod
  assay inventory --format json ./checkout
  assay inventory --format cyclonedx image.tar > image.cdx.json
  assay inventory --format spdx bom.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			log := g.logger(os.Stderr)
			extract.RouteLibraryLogs(log)
			opts := extract.Options{Limits: lim, Logger: log}
			invs := make([]*inventory.Inventory, 0, len(args))
			for _, p := range args {
				inv, err := extract.Path(cmd.Context(), p, opts)
				if err != nil {
					return err
				}
				invs = append(invs, inv)
			}
			return encode.Write(cmd.OutOrStdout(), format, invs)
		},
	}
	d := limit.Default()
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: "+strings.Join(encode.Formats, ", "))
	f.Int64Var(&lim.MaxFileBytes, "max-file-size", d.MaxFileBytes, "largest document (SBOM, lockfile, package DB) parsed, in bytes")
	f.Int64Var(&lim.MaxBinaryBytes, "max-binary-size", d.MaxBinaryBytes, "largest executable read for build information, in bytes")
	f.IntVar(&lim.MaxComponents, "max-components", d.MaxComponents, "most components read from one document")
	f.IntVar(&lim.MaxDepth, "max-depth", d.MaxDepth, "deepest SBOM component nesting followed")
	f.IntVar(&lim.MaxFiles, "max-files", d.MaxFiles, "most files visited in a directory walk or image")
	f.Int64Var(&lim.MaxTotalBytes, "max-image-bytes", d.MaxTotalBytes, "most bytes decompressed from one container image")
	f.IntVar(&lim.MaxLayers, "max-layers", d.MaxLayers, "most layers in one container image")
	f.IntVar(&lim.MaxImages, "max-images", d.MaxImages, "most images read from one multi-image archive or OCI index")
	f.Int64Var(&lim.MaxImageContentBytes, "max-image-content", d.MaxImageContentBytes, "most file content of one container image kept in memory, in bytes")
	return cmd
}
