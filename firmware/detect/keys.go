package detect

import (
	"bytes"
	"crypto"
	//lint:ignore SA1019 DSA keys still ship in firmware and must be recognised
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Key is a private key found in a file.
type Key struct {
	// Format is pkcs1-pem, pkcs8-pem, sec1-pem, dsa-pem, openssh,
	// pkcs8-encrypted-pem, encrypted-pem or dropbear.
	Format string
	// Type is rsa-2048, ecdsa-p256, ed25519, dsa-1024, … ("unknown" when
	// the key is encrypted and its public part is not stored).
	Type string
	// Encrypted is true when a passphrase protects the key.
	Encrypted bool
	// Fingerprint is the OpenSSH SHA256 fingerprint of the public key, ""
	// when unknown.
	Fingerprint string
	// Offset is the byte offset of the key in the file.
	Offset int64
	// Bits is the RSA or DSA modulus size, 0 for other types.
	Bits int
}

// maxKeysPerFile bounds the keys reported for one file.
const maxKeysPerFile = 64

// FindKeys returns the private keys in b: PEM blocks (PKCS#1, PKCS#8,
// SEC 1, DSA, OpenSSH, encrypted forms) anywhere in b, and a Dropbear key
// file when b is one. Certificates and public keys are not returned;
// malformed blocks are skipped.
func FindKeys(b []byte) []Key {
	var out []Key
	if k, ok := parseDropbear(b); ok {
		return []Key{k}
	}
	begin := []byte("-----BEGIN ")
	for off := 0; off < len(b) && len(out) < maxKeysPerFile; {
		i := bytes.Index(b[off:], begin)
		if i < 0 {
			break
		}
		start := off + i
		block, _ := pem.Decode(b[start:])
		if block == nil || !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			off = start + len(begin)
			continue
		}
		end := bytes.Index(b[start:], []byte("-----END "))
		if end < 0 {
			end = len(begin)
		}
		off = start + end + 1
		if k, ok := parsePEMKey(block); ok {
			k.Offset = int64(start)
			out = append(out, k)
		}
	}
	return out
}

// parsePEMKey decodes one PEM private-key block.
func parsePEMKey(block *pem.Block) (Key, bool) {
	k := Key{}
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
		k.Format, k.Type, k.Encrypted = "encrypted-pem", keyTypeFromPEM(block.Type), true
		return k, true
	}
	var priv any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		k.Format = "pkcs1-pem"
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k.Format = "pkcs8-pem"
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k.Format = "sec1-pem"
		priv, err = x509.ParseECPrivateKey(block.Bytes)
	case "DSA PRIVATE KEY":
		k.Format = "dsa-pem"
		priv, err = ssh.ParseRawPrivateKey(pem.EncodeToMemory(block))
	case "OPENSSH PRIVATE KEY":
		k.Format = "openssh"
		priv, err = ssh.ParseRawPrivateKey(pem.EncodeToMemory(block))
		var pm *ssh.PassphraseMissingError
		if errors.As(err, &pm) {
			k.Encrypted = true
			if pm.PublicKey != nil {
				k.Type, k.Bits = sshKeyType(pm.PublicKey)
				k.Fingerprint = ssh.FingerprintSHA256(pm.PublicKey)
			} else {
				k.Type = "unknown"
			}
			return k, true
		}
	case "ENCRYPTED PRIVATE KEY":
		k.Format, k.Type, k.Encrypted = "pkcs8-encrypted-pem", "unknown", true
		return k, true
	default:
		return k, false
	}
	if err != nil {
		return k, false
	}
	return withPublic(k, priv)
}

func keyTypeFromPEM(t string) string {
	switch t {
	case "RSA PRIVATE KEY":
		return "rsa"
	case "EC PRIVATE KEY":
		return "ecdsa"
	case "DSA PRIVATE KEY":
		return "dsa"
	}
	return "unknown"
}

// withPublic fills type, size and fingerprint from a parsed private key.
func withPublic(k Key, priv any) (Key, bool) {
	var pub crypto.PublicKey
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		pub = &p.PublicKey
	case *ecdsa.PrivateKey:
		pub = &p.PublicKey
	case ed25519.PrivateKey:
		pub = p.Public()
	case *ed25519.PrivateKey:
		pub = p.Public()
	case *dsa.PrivateKey:
		pub = &p.PublicKey
	default:
		k.Type = fmt.Sprintf("%T", priv)
		return k, true
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		k.Type = "unsupported"
		return k, true
	}
	k.Type, k.Bits = sshKeyType(sp)
	k.Fingerprint = ssh.FingerprintSHA256(sp)
	return k, true
}

// sshKeyType names an SSH public key with its size.
func sshKeyType(p ssh.PublicKey) (string, int) {
	cp, ok := p.(ssh.CryptoPublicKey)
	if !ok {
		return p.Type(), 0
	}
	switch k := cp.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("rsa-%d", k.N.BitLen()), k.N.BitLen()
	case *dsa.PublicKey:
		return fmt.Sprintf("dsa-%d", k.P.BitLen()), k.P.BitLen()
	case *ecdsa.PublicKey:
		return "ecdsa-" + strings.ToLower(strings.ReplaceAll(k.Curve.Params().Name, "-", "")), 0
	case ed25519.PublicKey:
		return "ed25519", 0
	}
	return p.Type(), 0
}

// dropbearMax bounds the size of a Dropbear key file.
const dropbearMax = 64 << 10

// parseDropbear decodes a Dropbear private key file (dropbearkey's
// format: SSH wire-format strings and mpints, no armour).
func parseDropbear(b []byte) (Key, bool) {
	if len(b) < 11 || len(b) > dropbearMax {
		return Key{}, false
	}
	r := wire{b: b}
	typ := string(r.str())
	k := Key{Format: "dropbear"}
	var priv any
	switch typ {
	case "ssh-rsa":
		e, n, d := r.mpint(), r.mpint(), r.mpint()
		p, q := r.mpint(), r.mpint()
		if r.err || !e.IsInt64() || n.Sign() <= 0 || d.Sign() <= 0 || e.Int64() < 3 || e.Int64() > 1<<31 {
			return Key{}, false
		}
		rk := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d}
		if p.Sign() > 0 && q.Sign() > 0 {
			rk.Primes = []*big.Int{p, q}
		}
		priv = rk
	case "ssh-dss":
		p, q, g, y, x := r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint()
		if r.err || p.Sign() <= 0 || x.Sign() <= 0 {
			return Key{}, false
		}
		priv = &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: dsa.Parameters{P: p, Q: q, G: g}, Y: y}, X: x}
	case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521":
		curves := map[string]elliptic.Curve{"nistp256": elliptic.P256(), "nistp384": elliptic.P384(), "nistp521": elliptic.P521()}
		c := curves[string(r.str())]
		point := r.str()
		d := r.mpint()
		if r.err || c == nil || d.Sign() <= 0 {
			return Key{}, false
		}
		pub, err := ssh.ParsePublicKey(ssh.Marshal(struct {
			Name, Curve string
			Q           []byte
		}{typ, strings.TrimPrefix(typ, "ecdsa-sha2-"), point}))
		if err != nil {
			return Key{}, false
		}
		k.Type, k.Bits = sshKeyType(pub)
		k.Fingerprint = ssh.FingerprintSHA256(pub)
		return k, true
	case "ssh-ed25519":
		kb := r.str()
		if r.err || len(kb) != 64 {
			return Key{}, false
		}
		priv = ed25519.PrivateKey(append(append([]byte{}, kb[:32]...), kb[32:]...))
	default:
		return Key{}, false
	}
	return withPublic(k, priv)
}

// wire reads SSH wire-format values, recording the first error.
type wire struct {
	b   []byte
	err bool
}

func (w *wire) str() []byte {
	if w.err || len(w.b) < 4 {
		w.err = true
		return nil
	}
	n := binary.BigEndian.Uint32(w.b)
	if uint64(n) > uint64(len(w.b)-4) {
		w.err = true
		return nil
	}
	s := w.b[4 : 4+n]
	w.b = w.b[4+n:]
	return s
}

func (w *wire) mpint() *big.Int {
	s := w.str()
	if len(s) > 2048 {
		w.err = true
	}
	if w.err {
		return new(big.Int)
	}
	return new(big.Int).SetBytes(s)
}

// detectKeys reports the private keys of one file, and RSA/DSA keys
// shorter than 2048 bits as insecure crypto configuration.
func detectKeys(c *content) []Problem {
	keys := FindKeys(c.data)
	var out []Problem
	for _, k := range keys {
		sev, conf := SeverityHigh, ConfidenceHigh
		what := "private key"
		if k.Encrypted {
			sev, conf = SeverityMedium, ConfidenceMedium
			what = "passphrase-protected private key (the passphrase usually ships too)"
		}
		if c.testData() {
			sev, conf = SeverityLow, ConfidenceMedium
			what += " in test data"
		}
		p := problem(c.f, CategoryPrivateKey, sev, conf,
			fmt.Sprintf("%s %s (%s), identical on every device running this image", k.Type, what, k.Format),
			c.where(k.Offset))
		p.Fingerprint = k.Fingerprint
		out = append(out, p)
		if (strings.HasPrefix(k.Type, "rsa-") || strings.HasPrefix(k.Type, "dsa-")) && k.Bits > 0 && k.Bits < 2048 {
			out = append(out, problem(c.f, CategoryInsecureCryptoConfig, SeverityMedium, ConfidenceHigh,
				fmt.Sprintf("%d-bit %s key: below 2048 bits", k.Bits, strings.ToUpper(k.Type[:3])), c.where(k.Offset)))
		}
	}
	return out
}
