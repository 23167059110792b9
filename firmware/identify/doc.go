// Package identify lists the software components inside an unpacked
// firmware image (a *firmware.Result): packages recorded in the package
// databases of each root filesystem (dpkg, opkg, apk, rpm), Go modules
// from the build information of Go binaries, and, for files no database
// covers, components recognised by the version strings their builds embed
// (BusyBox, OpenSSL, Dropbear, the Linux kernel banner, ...).
//
// Every component found by a signature carries a generic package URL and
// NVD CPE 2.3 names, so CPE matching finds its vulnerabilities, and
// inventory.MetaEvidence saying what identified it. Components whose
// release cycle is past its end of life (endoflife.date data) are marked
// with inventory.MetaEOL. docs/firmware.md ("Components") has the
// signature table and the rules.
package identify
