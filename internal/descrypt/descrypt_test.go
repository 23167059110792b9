package descrypt

import (
	"crypto/des"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCryptLibcVectors(t *testing.T) {
	if len(libcVectors) < 600 {
		t.Fatalf("only %d vectors", len(libcVectors))
	}
	for _, v := range libcVectors {
		got, err := Crypt([]byte(v.password), v.salt)
		if err != nil || got != v.hash {
			t.Errorf("Crypt(%q, %q) = %q, %v; want %q", v.password, v.salt, got, err, v.hash)
		}
		// The whole hash works as the salt, as with crypt(3).
		if got, _ := Crypt([]byte(v.password), v.hash); got != v.hash {
			t.Errorf("Crypt(%q, %q) = %q with the hash as salt", v.password, v.hash, got)
		}
		if !Verify(v.hash, []byte(v.password)) {
			t.Errorf("Verify(%q, %q) = false", v.hash, v.password)
		}
	}
}

func TestVerify(t *testing.T) {
	for _, tc := range []struct {
		hash, password string
		want           bool
	}{
		{"aaqPiZY5xR5l.", "test", true},
		{"aaqPiZY5xR5l.", "Test", false},
		{"aaqPiZY5xR5l.", "tes", false},
		{"aaqPiZY5xR5l.", "", false},
		{"U6aMy0wojraho", "", true}, // Yocto's empty root password
		{"ab1iBa.N.U2C6", "12345678", true},
		{"ab1iBa.N.U2C6", "12345678 and more", true}, // only 8 bytes count
		{"ab1iBa.N.U2C6", "1234567", false},
		{"abGXCZdt888ZI", "\xe9t\xe9", true}, // high bits are dropped
		{"abGXCZdt888ZI", "iti", true},
		{"aaqPiZY5xR5l", "test", false},   // 12 characters
		{"aaqPiZY5xR5l.x", "test", false}, // 14
		{"aaqPiZY5xR5l!", "test", false},  // outside the alphabet
		{"!aqPiZY5xR5l.", "test", false},
		{"aaqPiZY5xR5l/", "test", false}, // last character differs
		{"", "", false},
		{"$1$abc$defghij", "test", false},
		{"_J9..salthGVxOQgfL1M", "test", true},
		{"_J9..salthGVxOQgfL1M", "tesT", false},
		{"_J9..saltYs522z5ZdhE", "12345678abcdefghXYZ", true}, // every byte counts
		{"_J9..saltYs522z5ZdhE", "12345678abcdefghXY", false},
		{"_J9..saltYs522z5ZdhE", "12345678", false},
		{"_J9..saltRa01Emxm7PI", "\x80abcdefgh\x80", true},
		{"_J9..salthGVxOQgfL1", "test", false},
		{"_J9..sal!hGVxOQgfL1M", "test", false},
		{"J9..salthGVxOQgfL1M_", "test", false},
	} {
		if got := Verify(tc.hash, []byte(tc.password)); got != tc.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", tc.hash, tc.password, got, tc.want)
		}
	}
}

func TestCryptBadSalt(t *testing.T) {
	for _, salt := range []string{"", "a", "!!", "a!", "!a", "\x80\x80", " a", "a\x00", "$1", "_", "_J9..sal", "_J9..sal!", "_J9!.salt"} {
		h, err := Crypt([]byte("test"), salt)
		if !errors.Is(err, ErrSalt) || h != "" {
			t.Errorf("Crypt(%q) = %q, %v; want ErrSalt", salt, h, err)
		}
	}
}

// TestCryptNUL checks that the password ends at its first NUL byte, as a
// C string does.
func TestCryptNUL(t *testing.T) {
	a, _ := Crypt([]byte("ab\x00cd"), "xy")
	b, _ := Crypt([]byte("ab"), "xy")
	c, _ := Crypt([]byte("ab\x00ef"), "xy")
	if a != b || a != c {
		t.Errorf("NUL does not end the password: %q %q %q", a, b, c)
	}
}

// TestBlockMatchesCryptoDES checks the DES core (tables, key schedule,
// round function) against crypto/des with the salt that swaps nothing.
func TestBlockMatchesCryptoDES(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		key, block := rng.Uint64(), rng.Uint64()
		var kb, in, want [8]byte
		binary.BigEndian.PutUint64(kb[:], key)
		binary.BigEndian.PutUint64(in[:], block)
		c, err := des.NewCipher(kb[:])
		if err != nil {
			t.Fatal(err)
		}
		c.Encrypt(want[:], in[:])
		var ks schedule
		ks.init(key)
		if got := ks.encrypt(block); got != binary.BigEndian.Uint64(want[:]) {
			t.Fatalf("key %016x block %016x: got %016x, want %x", key, block, got, want)
		}
	}
}

func TestSBoxRowsArePermutations(t *testing.T) {
	for g, box := range sBoxes {
		for row := range 4 {
			var seen uint32
			for _, v := range box[row*16 : row*16+16] {
				seen |= 1 << v
			}
			if seen != 0xffff {
				t.Errorf("S%d row %d is not a permutation of 0..15", g+1, row)
			}
		}
	}
}

func TestIsHash(t *testing.T) {
	for h, want := range map[string]bool{
		"aaqPiZY5xR5l.": true, "U6aMy0wojraho": true, "./0123456789A": true, "_J9..saltAygLhp4S5eQ": true,
		"aaqPiZY5xR5l": false, "aaqPiZY5xR5l:": false, "_J9..saltAygLhp4S5e": false, "xJ9..saltAygLhp4S5eQ": false,
		"_J9..salt_ygLhp4S5eQ": false, "": false, "_": false,
	} {
		if got := IsHash(h); got != want {
			t.Errorf("IsHash(%q) = %v", h, got)
		}
	}
}

func TestIterations(t *testing.T) {
	for h, want := range map[string]int{
		"aaqPiZY5xR5l.": 25, "_J9..saltAygLhp4S5eQ": 725, "_....saltyLmkrNdrUG6": 1, "_/...saltyLmkrNdrUG6": 1,
		"_zzzzsaltDdX4OUzq.Bw": 1<<24 - 1, "_J9..salt": 0, "$1$x$y": 0,
	} {
		if got := Iterations(h); got != want {
			t.Errorf("Iterations(%q) = %d, want %d", h, got, want)
		}
	}
}

func FuzzCrypt(f *testing.F) {
	f.Add([]byte("test"), "aa")
	f.Add([]byte(""), "..")
	f.Add([]byte("12345678plus"), "zZ")
	f.Add([]byte("\xe9t\xe9\x00x"), "/9")
	f.Add([]byte("x"), "!a")
	f.Add([]byte("x"), "a")
	f.Add([]byte("a long password of many bytes"), "_J9..salt")
	f.Add([]byte("x"), "_J9..sal")
	f.Fuzz(func(t *testing.T, pw []byte, salt string) {
		prefix, extended := 2, strings.HasPrefix(salt, "_")
		if extended {
			prefix = 9
		}
		wantErr := len(salt) < prefix || !IsHash(salt[:prefix]+strings.Repeat(".", 11))
		if !wantErr && extended && Iterations(salt[:prefix]+strings.Repeat(".", 11)) > 4096 {
			return // valid but slow
		}
		h, err := Crypt(pw, salt)
		if (err != nil) != wantErr {
			t.Fatalf("Crypt(%q, %q) error %v, want error %v", pw, salt, err, wantErr)
		}
		if err != nil {
			return
		}
		if !IsHash(h) || h[:prefix] != salt[:prefix] || !strings.ContainsRune(".26AEIMQUYcgkosw", rune(h[len(h)-1])) {
			t.Fatalf("Crypt(%q, %q) = %q: malformed", pw, salt, h)
		}
		if h2, _ := Crypt(pw, salt); h2 != h {
			t.Fatalf("Crypt(%q, %q) not deterministic: %q, %q", pw, salt, h, h2)
		}
		// Only the low 7 bits of the bytes before a NUL count, and only
		// of the first 8 in a traditional hash: truncating there and
		// flipping high bits (without making a byte NUL) keeps the hash.
		var key []byte
		for _, c := range pw {
			if c == 0 || len(key) == 8 && !extended {
				break
			}
			if c&0x7f != 0 {
				c ^= 0x80
			}
			key = append(key, c)
		}
		if h2, _ := Crypt(key, salt); h2 != h {
			t.Fatalf("Crypt(%q) = %q but Crypt(%q) = %q", pw, h, key, h2)
		}
		if !Verify(h, pw) {
			t.Fatalf("Verify(Crypt(%q, %q)) = false", pw, salt)
		}
	})
}

func FuzzVerify(f *testing.F) {
	f.Add("aaqPiZY5xR5l.", []byte("test"))
	f.Add("aaqPiZY5xR5l", []byte(""))
	f.Add("!!!!!!!!!!!!!", []byte("x"))
	f.Fuzz(func(t *testing.T, h string, pw []byte) {
		if Verify(h, pw) && !IsHash(h) {
			t.Fatalf("Verify(%q) true for a malformed hash", h)
		}
	})
}

// BenchmarkCrypt hashes one password: traditional (25 DES encryptions)
// and extended with the usual count of 725.
func BenchmarkCrypt(b *testing.B) {
	pw := []byte("xc3511")
	for _, setting := range []string{"Qd", "_J9..salt"} {
		b.Run(setting, func(b *testing.B) {
			for b.Loop() {
				if _, err := Crypt(pw, setting); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
