package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
)

// Partition tables of disk images (storage products, SD-card images):
// MBR primary partitions and GPT. Each partition is emitted as a file
// pN-LABEL and analysed at offset 0 in turn; logical partitions (p5 on)
// are followed through their extended boot records. Only recognised at
// offset 0 of a blob.

const (
	mbrSector    = 512
	gptMaxParts  = 256
	gptEntryMin  = 128
	mbrProtected = 0xEE
	// mbrMaxLogical bounds the logical partitions followed.
	mbrMaxLogical = 128
)

func mbrFormat() *format {
	return &format{name: "partitions", probe: probeMBR, walk: walkPartitions}
}

// probeMBR accepts a boot sector with a plausible partition table. A FAT
// or NTFS boot sector is tried first by formats, so it never gets here
// when it parses.
func probeMBR(h []byte) bool {
	if len(h) < mbrSector || h[510] != 0x55 || h[511] != 0xAA {
		return false
	}
	used := 0
	for i := range 4 {
		e := h[446+16*i : 462+16*i]
		if e[0] != 0 && e[0] != 0x80 {
			return false
		}
		if e[4] == 0 {
			continue
		}
		if binary.LittleEndian.Uint32(e[8:]) == 0 || binary.LittleEndian.Uint32(e[12:]) == 0 {
			return false
		}
		used++
	}
	return used > 0
}

type partition struct {
	name       string
	start, len int64
}

func walkPartitions(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	h := make([]byte, mbrSector)
	if _, err := r.ReadAt(h, 0); err != nil {
		return 0, err
	}
	var parts []partition
	le := binary.LittleEndian
	for i := range 4 {
		e := h[446+16*i : 462+16*i]
		typ := e[4]
		start, n := int64(le.Uint32(e[8:]))*mbrSector, int64(le.Uint32(e[12:]))*mbrSector
		switch typ {
		case 0:
			continue
		case mbrProtected:
			gpt, err := gptPartitions(r)
			if err != nil {
				return 0, err
			}
			parts = append(parts, gpt...)
			continue
		case 0x05, 0x0f, 0x85:
			logical, err := ebrPartitions(r, start)
			if err != nil {
				s.u.unassessed(s.display(fmt.Sprintf("/p%d", i+1)), "extended partition: "+err.Error())
			}
			parts = append(parts, logical...)
			continue
		}
		parts = append(parts, partition{name: fmt.Sprintf("p%d-type%02x", i+1, typ), start: start, len: n})
	}
	var used int64
	for _, p := range parts {
		if p.start >= r.Size() {
			s.u.unassessed(s.display("/"+p.name), "partition starts beyond the end of the image")
			continue
		}
		n := min(p.len, r.Size()-p.start)
		used = max(used, p.start+n)
		sec := io.NewSectionReader(r, p.start, n)
		e := entry{Name: p.name, Mode: 0o644, UID: -1, GID: -1, Size: n, Open: func() (io.Reader, error) { return sec, nil }}
		if err := s.emit(ctx, e); err != nil {
			return used, err
		}
	}
	if len(parts) == 0 {
		return 0, errNotContainer
	}
	return used, nil
}

// ebrPartitions follows the chain of extended boot records starting at
// ext: each holds one logical partition (relative to itself) and the link
// to the next record (relative to ext).
func ebrPartitions(r *io.SectionReader, ext int64) ([]partition, error) {
	le := binary.LittleEndian
	var out []partition
	seen := map[int64]bool{}
	b := make([]byte, mbrSector)
	for at := ext; ; {
		if seen[at] || len(out) >= mbrMaxLogical {
			return out, errors.New("logical partition chain loops or is too long")
		}
		seen[at] = true
		if _, err := r.ReadAt(b, at); err != nil || b[510] != 0x55 || b[511] != 0xAA {
			return out, fmt.Errorf("no extended boot record at %#x", at)
		}
		if e := b[446:462]; e[4] != 0 {
			out = append(out, partition{
				name:  fmt.Sprintf("p%d-type%02x", 5+len(out), e[4]),
				start: at + int64(le.Uint32(e[8:]))*mbrSector,
				len:   int64(le.Uint32(e[12:])) * mbrSector,
			})
		}
		next := b[462:478]
		if next[4] == 0 {
			return out, nil
		}
		at = ext + int64(le.Uint32(next[8:]))*mbrSector
	}
}

// gptPartitions reads a GPT with 512- or 4096-byte sectors.
func gptPartitions(r *io.SectionReader) ([]partition, error) {
	le := binary.LittleEndian
	for _, ss := range []int64{512, 4096} {
		h := make([]byte, 92)
		if _, err := r.ReadAt(h, ss); err != nil || string(h[:8]) != "EFI PART" {
			continue
		}
		entLBA, count, size := int64(le.Uint64(h[72:])), int(le.Uint32(h[80:])), int64(le.Uint32(h[84:]))
		if count > gptMaxParts || size < gptEntryMin || size > 4096 {
			return nil, errors.New("gpt: bad partition entry array")
		}
		tbl := make([]byte, int64(count)*size)
		if _, err := r.ReadAt(tbl, entLBA*ss); err != nil {
			return nil, fmt.Errorf("gpt: %w", err)
		}
		var out []partition
		for i := range count {
			e := tbl[int64(i)*size : int64(i+1)*size]
			if bytes.Equal(e[:16], make([]byte, 16)) {
				continue
			}
			first, last := int64(le.Uint64(e[32:])), int64(le.Uint64(e[40:]))
			if last < first {
				continue
			}
			u := make([]uint16, 36)
			for j := range u {
				u[j] = le.Uint16(e[56+2*j:])
			}
			label := sanitizeName(string(utf16.Decode(trimZero16(u))))
			name := fmt.Sprintf("p%d", i+1)
			if label != "" {
				name += "-" + label
			}
			out = append(out, partition{name: name, start: first * ss, len: (last - first + 1) * ss})
		}
		return out, nil
	}
	return nil, errors.New("gpt: protective MBR without a GPT header")
}

func trimZero16(u []uint16) []uint16 {
	for i, c := range u {
		if c == 0 {
			return u[:i]
		}
	}
	return u
}
