// Package firmware unpacks firmware images recursively and by content
// into a read-only fs.FS in which every file keeps its provenance: the
// chain of containers (format and offset) from the outermost inward, and
// the modes, owners and symlink targets recorded in the image.
//
// Supported: squashfs, cpio (newc, crc, odc), tar, zip, gzip, xz, lzma,
// bzip2, zstd, lz4, lzop, U-Boot uImage and FIT, UBI, UBIFS, JFFS2,
// ext2/3/4, FAT12/16/32, cramfs and MBR/GPT partition tables, at offset 0
// or carved at any offset behind a vendor header. Every reader is bounded
// by Limits; a limit hit or a parse failure becomes an Unassessed entry,
// never a crash. Nothing from the image is executed.
package firmware
