package firmware

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
)

// UBI (Unsorted Block Images) reader: no Go library reads UBI, so this is
// our own. It finds the erase-block size from the spacing of erase-counter
// headers, maps every volume's logical erase blocks (the copy with the
// highest sequence number wins), names volumes from the volume table and
// emits each volume as one file, which is then analysed in turn (UBIFS,
// squashfs on ubiblock, ...).

const (
	ubiECMagic      = "UBI#"
	ubiVIDMagic     = "UBI!"
	ubiECHdrLen     = 64
	ubiVIDHdrLen    = 64
	ubiLayoutVolID  = 0x7FFFEFFF
	ubiMaxVolumes   = 128
	ubiVtblRecLen   = 172
	ubiMaxPEBs      = 1 << 20
	ubiMinPEBSize   = 4 << 10
	ubiMaxPEBSize   = 8 << 20
	ubiStaticVolume = 2
)

// ubiCRC is the CRC-32 used by UBI and UBIFS: initial value 0xFFFFFFFF and
// no final inversion.
func ubiCRC(b []byte) uint32 { return ^crc32.ChecksumIEEE(b) }

func ubiFormat() *format {
	return &format{
		name:  "ubi",
		magic: []byte(ubiECMagic),
		probe: probeUBIEC,
		walk:  walkUBI,
	}
}

func probeUBIEC(h []byte) bool {
	return len(h) >= ubiECHdrLen && string(h[:4]) == ubiECMagic && h[4] == 1 &&
		ubiCRC(h[:60]) == binary.BigEndian.Uint32(h[60:64])
}

type ubiLEB struct {
	peb   int64 // offset of the PEB in the image
	sqnum uint64
	size  uint32 // data size (static volumes)
	used  uint32 // used_ebs (static volumes)
	typ   byte
}

func walkUBI(ctx context.Context, r *io.SectionReader, s *sink) (int64, error) {
	peb, err := ubiPEBSize(r)
	if err != nil {
		return 0, err
	}
	hdr := make([]byte, ubiECHdrLen)
	vid := make([]byte, ubiVIDHdrLen)
	vols := map[uint32]map[uint32]*ubiLEB{}
	var dataOff int64
	var used int64
	for off := int64(0); off+peb <= r.Size(); off += peb {
		if off/peb >= ubiMaxPEBs {
			break
		}
		if _, err := r.ReadAt(hdr, off); err != nil || !probeUBIEC(hdr) {
			break
		}
		used = off + peb
		be := binary.BigEndian
		vidOff := int64(be.Uint32(hdr[16:]))
		dataOff = int64(be.Uint32(hdr[20:]))
		if vidOff < ubiECHdrLen || vidOff+ubiVIDHdrLen > peb || dataOff >= peb {
			continue
		}
		if _, err := r.ReadAt(vid, off+vidOff); err != nil || string(vid[:4]) != ubiVIDMagic || ubiCRC(vid[:60]) != be.Uint32(vid[60:]) {
			continue // erased or damaged block
		}
		volID, lnum := be.Uint32(vid[8:]), be.Uint32(vid[12:])
		l := &ubiLEB{peb: off, sqnum: be.Uint64(vid[40:]), size: be.Uint32(vid[20:]), used: be.Uint32(vid[24:]), typ: vid[5]}
		if vols[volID] == nil {
			if len(vols) > ubiMaxVolumes+1 {
				continue
			}
			vols[volID] = map[uint32]*ubiLEB{}
		}
		if old := vols[volID][lnum]; old == nil || l.sqnum > old.sqnum {
			vols[volID][lnum] = l
		}
	}
	if used == 0 {
		return 0, errors.New("ubi: no erase-counter header")
	}
	leb := peb - dataOff
	names := ubiVolumeNames(r, vols[ubiLayoutVolID], dataOff, leb)
	ids := make([]uint32, 0, len(vols))
	for id := range vols {
		if id != ubiLayoutVolID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		v := vols[id]
		name := sanitizeName(names[id])
		if name == "" {
			name = fmt.Sprintf("volume%d", id)
		}
		name = fmt.Sprintf("%s.ubivol%d", name, id)
		size := ubiVolumeSize(v, leb)
		vr := &ubiVolume{r: r, lebs: v, leb: leb, dataOff: dataOff, size: size}
		e := entry{Name: name, Mode: 0o644, UID: -1, GID: -1, Size: size}
		e.Open = func() (io.Reader, error) { return io.NewSectionReader(vr, 0, size), nil }
		if err := s.emit(ctx, e); err != nil {
			return used, err
		}
	}
	return used, nil
}

// ubiPEBSize finds the physical erase block size: the distance from the
// first erase-counter header to the next one.
func ubiPEBSize(r *io.SectionReader) (int64, error) {
	buf := make([]byte, 64<<10)
	magic := []byte(ubiECMagic)
	for off := int64(ubiMinPEBSize); off <= ubiMaxPEBSize && off < r.Size(); off += int64(len(buf)) - 3 {
		n, _ := r.ReadAt(buf, off)
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], magic)
			if j < 0 {
				break
			}
			at := off + int64(i+j)
			i += j + 1
			if at%ubiMinPEBSize == 0 && i-1+ubiECHdrLen <= len(b) && probeUBIEC(b[i-1:]) {
				return at, nil
			}
		}
		if n < len(buf) {
			break
		}
	}
	if r.Size() >= ubiMinPEBSize && r.Size() <= ubiMaxPEBSize {
		return r.Size(), nil // a single erase block
	}
	return 0, errors.New("ubi: cannot determine the erase block size")
}

func ubiVolumeSize(v map[uint32]*ubiLEB, leb int64) int64 {
	var maxL uint32
	var static *ubiLEB
	for l, b := range v {
		maxL = max(maxL, l)
		if b.typ == ubiStaticVolume && b.used > 0 && l == b.used-1 {
			static = b
		}
	}
	if static != nil {
		return int64(static.used-1)*leb + int64(static.size)
	}
	return int64(maxL+1) * leb
}

// ubiVolumeNames reads the volume table from the layout volume.
func ubiVolumeNames(r io.ReaderAt, layout map[uint32]*ubiLEB, dataOff, leb int64) map[uint32]string {
	names := map[uint32]string{}
	l := layout[0]
	if l == nil {
		return names
	}
	tbl := make([]byte, min(leb, ubiMaxVolumes*ubiVtblRecLen))
	if _, err := r.ReadAt(tbl, l.peb+dataOff); err != nil {
		return names
	}
	for i := 0; (i+1)*ubiVtblRecLen <= len(tbl); i++ {
		rec := tbl[i*ubiVtblRecLen : (i+1)*ubiVtblRecLen]
		if ubiCRC(rec[:168]) != binary.BigEndian.Uint32(rec[168:]) {
			continue
		}
		n := int(binary.BigEndian.Uint16(rec[14:]))
		if n > 0 && n <= 127 {
			names[uint32(i)] = string(rec[16 : 16+n])
		}
	}
	return names
}

// ubiVolume reads a volume's logical address space; unmapped LEBs read
// as 0xFF (erased flash).
type ubiVolume struct {
	r       io.ReaderAt
	lebs    map[uint32]*ubiLEB
	leb     int64
	dataOff int64
	size    int64
}

func (v *ubiVolume) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for len(p) > 0 {
		if off >= v.size {
			return n, io.EOF
		}
		lnum, within := off/v.leb, off%v.leb
		k := min(int64(len(p)), v.leb-within, v.size-off)
		if b := v.lebs[uint32(lnum)]; b != nil {
			if _, err := v.r.ReadAt(p[:k], b.peb+v.dataOff+within); err != nil {
				return n, err
			}
		} else {
			for i := range p[:k] {
				p[i] = 0xff
			}
		}
		n += int(k)
		p, off = p[k:], off+k
	}
	return n, nil
}
