package extract_test

import (
	"context"
	"fmt"
	"testing/fstest"

	"github.com/assayhq/assay/extract"
)

// FS inventories an unpacked root filesystem held in any fs.FS, such as
// the read-only view a firmware unpacker returns.
func ExampleFS() {
	rootfs := fstest.MapFS{
		"etc/os-release":       {Data: []byte("ID=debian\nVERSION_ID=\"12\"\n")},
		"var/lib/dpkg/status":  {Data: []byte("Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\n")},
		"usr/share/doc/README": {Data: []byte("irrelevant")},
	}
	inv, err := extract.FS(context.Background(), rootfs, ".", extract.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range inv.Components {
		fmt.Println(c.Ecosystem, c.Name, c.Version, "source", c.SourceName)
	}
	// Output:
	// Debian:12 libssl3 3.0.11-1~deb12u2 source openssl
}
