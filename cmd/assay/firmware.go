package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/assayhq/assay/firmware"
)

func newFirmwareCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "firmware",
		Short: "Unpack and inspect firmware images",
	}
	cmd.AddCommand(newFirmwareUnpackCmd(g))
	cmd.AddCommand(newFirmwareIdentifyCmd(g))
	cmd.AddCommand(newFirmwareDetectCmd(g))
	return cmd
}

func newFirmwareUnpackCmd(g *globals) *cobra.Command {
	var (
		out    string
		format string
		lim    = firmware.DefaultLimits()
	)
	cmd := &cobra.Command{
		Use:   "unpack IMAGE --out DIR",
		Short: "Recursively unpack a firmware image and list what was extracted",
		Long: `Unpack recognises containers by content, not by file name: squashfs,
cpio (newc, crc, odc), tar, zip, gzip, xz, lzma, bzip2, zstd, lz4, lzop,
U-Boot uImage and FIT, UBI, UBIFS, JFFS2, ext2/3/4, FAT, cramfs and MBR/GPT
partition tables, at offset 0 or carved at any offset behind a vendor
header, nested to any depth within the limits. Files are written under DIR (never outside
it); symlinks are written only when they stay inside their container, and
setuid/setgid bits are not applied on disk (the manifest keeps the image's
own modes and owners). Nothing from the image is executed.

The summary (or with --format json the assay.firmware-unpack/v1 manifest)
lists every file with its provenance chain, the containers with format and
offset, and what was not unpacked, with the reason.`,
		Example: `  assay firmware unpack router.bin --out /tmp/router
  assay firmware unpack router.bin --out /tmp/router --format json --max-depth 4`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out DIR is required")
			}
			if format != "text" && format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			log := g.logger(cmd.ErrOrStderr())
			res, err := firmware.UnpackLogger(cmd.Context(), args[0], lim, log)
			if err != nil {
				return err
			}
			defer res.Close()
			skipped, err := res.WriteDir(out)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeUnpackJSON(cmd.OutOrStdout(), args[0], out, res, skipped)
			}
			return writeUnpackText(cmd.OutOrStdout(), out, res, skipped)
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "directory to write the extracted files to (created; must be empty)")
	f.StringVar(&format, "format", "text", "output format: text or json")
	f.Int64Var(&lim.MaxTotalBytes, "max-total-bytes", lim.MaxTotalBytes, "limit: bytes extracted in total, including decompressed intermediates")
	f.Float64Var(&lim.MaxRatio, "max-ratio", lim.MaxRatio, "limit: bytes extracted in total as a multiple of the image size")
	f.IntVar(&lim.MaxDepth, "max-depth", lim.MaxDepth, "limit: nested container layers")
	f.IntVar(&lim.MaxFiles, "max-files", lim.MaxFiles, "limit: entries extracted")
	f.Int64Var(&lim.MaxFileSize, "max-file-size", lim.MaxFileSize, "limit: bytes of one extracted file or decompressed stream")
	f.DurationVar(&lim.Timeout, "timeout", lim.Timeout, "limit: wall-clock time of the unpack")
	return cmd
}

// unpackManifest is the assay.firmware-unpack/v1 document.
type unpackManifest struct {
	Schema       string                `json:"schema"`
	Image        string                `json:"image"`
	Out          string                `json:"out"`
	Files        []*firmware.File      `json:"files"`
	Containers   []firmware.Container  `json:"containers"`
	Unassessed   []firmware.Unassessed `json:"unassessed"`
	Ignored      []firmware.Unassessed `json:"ignored"`
	NotWritten   []firmware.Unassessed `json:"not_written"`
	BytesWritten int64                 `json:"bytes_extracted"`
	DurationMS   int64                 `json:"duration_ms"`
}

func writeUnpackJSON(w io.Writer, image, out string, res *firmware.Result, skipped []firmware.Unassessed) error {
	abs, _ := filepath.Abs(out)
	m := unpackManifest{
		Schema: "assay.firmware-unpack/v1", Image: image, Out: abs,
		Files: res.Files, Containers: res.Containers,
		Unassessed: nonNil(res.Unassessed), Ignored: nonNil(res.Ignored), NotWritten: nonNil(skipped),
		BytesWritten: res.BytesWritten, DurationMS: res.Duration.Milliseconds(),
	}
	if m.Files == nil {
		m.Files = []*firmware.File{}
	}
	if m.Containers == nil {
		m.Containers = []firmware.Container{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

func nonNil(u []firmware.Unassessed) []firmware.Unassessed {
	if u == nil {
		return []firmware.Unassessed{}
	}
	return u
}

func writeUnpackText(w io.Writer, out string, res *firmware.Result, skipped []firmware.Unassessed) error {
	regular := 0
	for _, f := range res.Files {
		if f.Mode.IsRegular() {
			regular++
		}
	}
	fmt.Fprintf(w, "Extracted %d entries (%d regular files, %d bytes) to %s in %s.\n\n",
		len(res.Files), regular, res.BytesWritten, out, res.Duration.Round(time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tOFFSET\tSIZE\tFILES\tMOUNT")
	for _, c := range res.Containers {
		chain := ""
		for i, l := range c.Chain {
			if i > 0 {
				chain += " > "
			}
			chain += l.String()
		}
		fmt.Fprintf(tw, "%s\t%#x\t%d\t%d\t%s\n", chain, c.Offset, c.Size, c.Files, c.Mount)
	}
	tw.Flush()
	list := func(title string, us []firmware.Unassessed) {
		if len(us) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(us))
		for _, u := range us {
			fmt.Fprintf(w, "  %s: %s\n", u.Path, u.Reason)
		}
	}
	list("Unassessed", res.Unassessed)
	list("Ignored", res.Ignored)
	list("Not written", skipped)
	return nil
}
