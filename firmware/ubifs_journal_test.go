package firmware

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// ubifsNode builds a UBIFS node of type typ with body (after the common
// header) and a valid CRC.
func ubifsNode(typ byte, sqnum uint64, body []byte) []byte {
	b := make([]byte, ubifsCHLen+len(body))
	le := binary.LittleEndian
	le.PutUint32(b, ubifsMagic)
	le.PutUint64(b[8:], sqnum)
	le.PutUint32(b[16:], uint32(len(b)))
	b[20] = typ
	copy(b[ubifsCHLen:], body)
	le.PutUint32(b[4:], ubiCRC(b[8:]))
	return b
}

// TestUBIFSJournalReplay writes into an mkfs.ubifs image what a running
// device would leave in its journal after the last commit: a new file in a
// bud LEB (data, inode and dentry nodes) and the deletion of an existing
// one, referenced from the log. The unpack must show the new file and not
// the deleted one.
func TestUBIFSJournalReplay(t *testing.T) {
	needTool(t, "mkfs.ubifs")
	dir := t.TempDir()
	src := filepath.Join(dir, "root")
	writeTree(t, src, sampleTree)
	os.WriteFile(filepath.Join(src, "old.txt"), []byte("deleted later"), 0o644)
	img := filepath.Join(dir, "fs.ubifs")
	run(t, "", "mkfs.ubifs", "-r", src, "-m", "2048", "-e", "126976", "-c", "64", "-o", img)
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	const leb = 126976
	sb, mst := data[:4096], data[leb:leb+512]
	logLebs, lptLebs, orphLebs := int(le.Uint32(sb[56:])), int(le.Uint32(sb[60:])), int(le.Uint32(sb[64:]))
	logLnum := int(le.Uint32(mst[44:]))
	newInum := le.Uint64(mst[24:]) + 1
	sq := le.Uint64(mst[8:]) + 1000
	// A free LEB of the main area becomes the bud.
	bud := -1
	for l := 3 + logLebs + lptLebs + orphLebs; (l+1)*leb <= len(data); l++ {
		if bytes.Count(data[l*leb:(l+1)*leb], []byte{0xff}) == leb {
			bud = l
			break
		}
	}
	if bud < 0 {
		t.Skip("no free LEB in the image")
	}
	content := []byte("written after the last commit\n")
	key := func(inum uint64, typ, val uint32) []byte {
		k := make([]byte, 16)
		le.PutUint32(k, uint32(inum))
		le.PutUint32(k[4:], typ<<29|val)
		return k
	}
	dataBody := append(key(newInum, 1, 0), make([]byte, 8)...)
	le.PutUint32(dataBody[16:], uint32(len(content)))
	dataBody = append(dataBody, content...)
	ino := make([]byte, 160-ubifsCHLen)
	copy(ino, key(newInum, 0, 0))
	le.PutUint64(ino[48-ubifsCHLen:], uint64(len(content)))
	le.PutUint32(ino[92-ubifsCHLen:], 1)         // nlink
	le.PutUint32(ino[96-ubifsCHLen:], 1234)      // uid
	le.PutUint32(ino[104-ubifsCHLen:], 0o100600) // mode
	dent := func(name string, inum uint64) []byte {
		d := make([]byte, 56-ubifsCHLen)
		copy(d, key(ubifsRootIno, 2, 7))
		le.PutUint64(d[40-ubifsCHLen:], inum)
		le.PutUint16(d[50-ubifsCHLen:], uint16(len(name)))
		return append(append(d, name...), 0)
	}
	var budData []byte
	for i, n := range [][]byte{
		ubifsNode(ubifsDataNode, sq+1, dataBody),
		ubifsNode(ubifsInoNode, sq+2, ino),
		ubifsNode(ubifsDentNode, sq+3, dent("journaled.txt", newInum)),
		ubifsNode(ubifsDentNode, sq+4, dent("old.txt", 0)),
	} {
		_ = i
		budData = append(budData, n...)
		for len(budData)%8 != 0 {
			budData = append(budData, 0)
		}
	}
	copy(data[bud*leb:], budData)
	ref := make([]byte, 64-ubifsCHLen)
	le.PutUint32(ref, uint32(bud))
	copy(data[logLnum*leb+2048:], ubifsNode(ubifsRefNode, sq, ref))
	res := unpackBytes(t, data, Limits{})
	if b, err := res.FS.ReadFile("journaled.txt"); err != nil || !bytes.Equal(b, content) {
		t.Errorf("journaled.txt = %q, %v (unassessed %v)", b, err, res.Unassessed)
	}
	if f := byInner(res)["/journaled.txt"]; f == nil || f.UID != 1234 || f.Mode.Perm() != 0o600 {
		t.Errorf("journaled.txt metadata %+v", f)
	}
	if _, err := res.FS.Stat("old.txt"); err == nil {
		t.Error("old.txt was deleted in the journal but is still there")
	}
	checkSample(t, res, "ubifs", rootOwned())
}
