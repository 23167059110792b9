package detect

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/assayhq/assay/firmware"
)

// tf is one entry of a fixture tree.
type tf struct {
	name string
	mode int64 // permission bits incl. 04000/02000/01000; 0 means 0644 (files) or 0755 (dirs)
	body string
	link string
	dir  bool
	uid  int
}

// tarImage writes the entries as a tar archive.
func tarImage(t testing.TB, files []tf) []byte {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, ModTime: time.Unix(1704110400, 0), Format: tar.FormatPAX}
		switch {
		case f.dir:
			h.Typeflag, h.Name = tar.TypeDir, f.name+"/"
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case f.link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, f.link, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.body))
			if h.Mode == 0 {
				h.Mode = 0o644
			}
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			w.Write([]byte(f.body))
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// newcImage writes the entries as a cpio newc archive.
func newcImage(files []tf) []byte {
	var b bytes.Buffer
	pad := func() {
		for b.Len()%4 != 0 {
			b.WriteByte(0)
		}
	}
	write := func(ino int, name string, mode int64, uid int, data string) {
		b.WriteString("070701")
		for _, v := range []int64{int64(ino), mode, int64(uid), 0, 1, 1704110400, int64(len(data)), 0, 0, 0, 0, int64(len(name) + 1), 0} {
			b.WriteString(strings.ToUpper(strings.Repeat("0", 8-len(big.NewInt(v).Text(16))) + big.NewInt(v).Text(16)))
		}
		b.WriteString(name + "\x00")
		pad()
		b.WriteString(data)
		pad()
	}
	for i, f := range files {
		mode, data := f.mode, f.body
		switch {
		case f.dir:
			if mode == 0 {
				mode = 0o755
			}
			mode |= 0o040000
		case f.link != "":
			mode, data = 0o120777, f.link
		default:
			if mode == 0 {
				mode = 0o644
			}
			mode |= 0o100000
		}
		// cpio keeps setuid/setgid/sticky in the low 12 bits as tar does.
		write(i+1, f.name, mode, f.uid, data)
	}
	write(0, "TRAILER!!!", 0, 0, "")
	return b.Bytes()
}

// zipOf returns a zip archive (no Unix modes) of empty-ish files.
func zipOf(t testing.TB, names ...string) string {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, n := range names {
		f, err := w.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("content of " + n))
	}
	w.Close()
	return b.String()
}

func gz(b []byte) []byte {
	var o bytes.Buffer
	w := gzip.NewWriter(&o)
	w.Write(b)
	w.Close()
	return o.Bytes()
}

// fixedNow is the clock of the fixture tests.
var fixedNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// detectImage unpacks an image from bytes and runs Detect.
func detectImage(t testing.TB, img []byte) []Problem {
	t.Helper()
	p := filepath.Join(t.TempDir(), "image.bin")
	if err := os.WriteFile(p, img, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := firmware.Unpack(context.Background(), p, firmware.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	probs, err := Detect(context.Background(), res, Options{now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return probs
}

// want names a problem by category and path, with an optional minimum
// severity and a substring of its detail.
type want struct {
	cat, path, minSev, detail string
}

func has(ps []Problem, w want) *Problem {
	for i, p := range ps {
		if p.Category == w.cat && p.Path == w.path && (w.minSev == "" || SeverityRank(p.Severity) >= SeverityRank(w.minSev)) &&
			strings.Contains(p.Detail, w.detail) {
			return &ps[i]
		}
	}
	return nil
}

// keys generated once for all fixtures.
var testKeys = sync.OnceValue(func() (k struct {
	rsa1024 *rsa.PrivateKey
	ec      *ecdsa.PrivateKey
	ed      ed25519.PrivateKey
}) {
	var err error
	if k.rsa1024, err = rsa.GenerateKey(rand.Reader, 1024); err != nil {
		panic(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	_, k.ed, _ = ed25519.GenerateKey(rand.Reader)
	return k
})

func pemString(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func sshString(b []byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...)
}

// dropbearEd25519 encodes an ed25519 key in Dropbear's key file format.
func dropbearEd25519(k ed25519.PrivateKey) string {
	return string(append(sshString([]byte("ssh-ed25519")), sshString(k)...))
}

// dropbearRSA encodes an RSA key in Dropbear's key file format.
func dropbearRSA(k *rsa.PrivateKey) string {
	mp := func(i *big.Int) []byte {
		b := i.Bytes()
		if len(b) > 0 && b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return sshString(b)
	}
	var b []byte
	b = append(b, sshString([]byte("ssh-rsa"))...)
	for _, i := range []*big.Int{big.NewInt(int64(k.E)), k.N, k.D, k.Primes[0], k.Primes[1]} {
		b = append(b, mp(i)...)
	}
	return string(b)
}

func selfSigned(t testing.TB, notAfter time.Time, key any, pub any) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "device.vendor.example"},
		NotBefore: notAfter.AddDate(-2, 0, 0), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return pemString("CERTIFICATE", der)
}

func openSSHKey(t testing.TB, k any) string {
	t.Helper()
	b, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(b))
}

// authorizedKey renders the public half of k as an authorized_keys line.
func authorizedKey(t testing.TB, k any, comment string) string {
	t.Helper()
	signer, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey()))) + " " + comment + "\n"
}
