// Package descrypt implements the traditional DES-based crypt(3) of
// Version 7 Unix, the password hash of old /etc/passwd and /etc/shadow
// files and of much embedded firmware.
//
// A hash is 13 characters: a 2-character salt and 11 characters encoding
// the result of encrypting a zero block 25 times with DES, keyed by the
// first 8 bytes of the password shifted left by one bit, where the 12 salt
// bits each swap two outputs of the expansion (E) permutation. Characters
// come from the alphabet "./0-9A-Za-z".
//
// The package follows glibc and libxcrypt: only the low 7 bits of the
// first 8 password bytes count, the password ends at its first NUL byte,
// and a salt with a character outside the alphabet is rejected.
//
// Traditional DES crypt is broken: its 56-bit keys and 12-bit salts are
// searched exhaustively in hours. Use it to check existing hashes only.
package descrypt

import (
	"crypto/subtle"
	"errors"
	"fmt"
)

// HashLen is the length of a traditional DES crypt hash.
const HashLen = 13

// ErrSalt is returned for a salt shorter than two characters or with a
// character outside the crypt alphabet.
var ErrSalt = errors.New("descrypt: invalid salt")

// alphabet is the crypt base64 alphabet; index is the 6-bit value.
const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// iterations is the number of DES encryptions of the zero block.
const iterations = 25

// Crypt returns the 13-character hash of password with the salt given by
// the first two characters of salt; a whole hash may be passed as salt.
func Crypt(password []byte, salt string) (string, error) {
	mask, err := saltMask(salt)
	if err != nil {
		return "", err
	}
	var ks schedule
	ks.init(passwordKey(password))
	var l, r uint32 // IP of the zero block is zero
	for range iterations {
		// FP followed by the next iteration's IP is the identity, so
		// the permutations are applied once, outside the loop.
		l, r = ks.rounds(l, r, mask)
	}
	out := permute(uint64(l)<<32|uint64(r), 64, finalPerm[:])
	var b [HashLen]byte
	b[0], b[1] = salt[0], salt[1]
	for i := range 10 {
		b[2+i] = alphabet[out>>(58-6*i)&63]
	}
	b[12] = alphabet[out&15<<2]
	return string(b[:]), nil
}

// Verify reports whether hash is the traditional DES crypt hash of
// password. A malformed hash matches no password.
func Verify(hash string, password []byte) bool {
	if !IsHash(hash) {
		return false
	}
	h, err := Crypt(password, hash[:2])
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(h), []byte(hash)) == 1
}

// IsHash reports whether h has the form of a traditional DES crypt hash:
// 13 characters of the crypt alphabet. (Not every such string is the
// hash of a password: the last character carries 4 bits, so only 16 of
// the 64 characters occur there.)
func IsHash(h string) bool {
	if len(h) != HashLen {
		return false
	}
	for i := range len(h) {
		if value(h[i]) < 0 {
			return false
		}
	}
	return true
}

// value returns the 6-bit value of a crypt alphabet character, or -1.
func value(c byte) int {
	switch {
	case c == '.' || c == '/':
		return int(c - '.')
	case c >= '0' && c <= '9':
		return int(c-'0') + 2
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// saltMask turns the first two characters of salt into the mask of the
// expansion outputs to swap, on the low side of the 48-bit E output:
// salt bit k (the low 6 bits from the first character, least significant
// first) swaps E outputs k and k+24, counted from the most significant.
func saltMask(salt string) (uint64, error) {
	if len(salt) < 2 {
		return 0, fmt.Errorf("%w: %d characters, want 2", ErrSalt, len(salt))
	}
	v0, v1 := value(salt[0]), value(salt[1])
	if v0 < 0 || v1 < 0 {
		return 0, fmt.Errorf("%w: %q is outside the alphabet [./0-9A-Za-z]", ErrSalt, salt[:2])
	}
	s := v0 | v1<<6
	var mask uint64
	for k := range 12 {
		if s>>k&1 == 1 {
			mask |= 1 << (23 - k)
		}
	}
	return mask, nil
}

// passwordKey returns the DES key: the first 8 bytes of password (up to
// a NUL) shifted left by one bit, so the parity bit is the lowest.
func passwordKey(password []byte) uint64 {
	var key uint64
	for i := range 8 {
		var c byte
		if i < len(password) {
			c = password[i]
		}
		if c == 0 {
			password = nil
		}
		key |= uint64(c<<1) << (56 - 8*i)
	}
	return key
}

// schedule holds the 16 round keys of one DES key, 48 bits each.
type schedule [16]uint64

// init computes the round keys of key.
func (ks *schedule) init(key uint64) {
	cd := permute(key, 64, keyPerm1[:])
	c, d := uint32(cd>>28), uint32(cd&0xfffffff)
	for i, n := range keyShifts {
		c = (c<<n | c>>(28-n)) & 0xfffffff
		d = (d<<n | d>>(28-n)) & 0xfffffff
		ks[i] = permute(uint64(c)<<28|uint64(d), 56, keyPerm2[:])
	}
}

// rounds runs the 16 DES rounds on the halves l and r of a block after
// IP, with the salt's swap mask applied to every expansion, and returns
// the halves of the pre-output block (R16, L16).
func (ks *schedule) rounds(l, r uint32, mask uint64) (uint32, uint32) {
	for _, k := range ks {
		l, r = r, l^feistel(r, k, mask)
	}
	return r, l
}

// feistel is the DES round function f(r, k) with a salted expansion.
func feistel(r uint32, k, mask uint64) uint32 {
	// E: eight overlapping 6-bit groups of r, taken circularly; group g
	// is bits 4g-1 … 4g+4 (1-based, most significant first) of r.
	w := uint64(r&1)<<33 | uint64(r)<<1 | uint64(r>>31)
	var e uint64
	for g := range 8 {
		e = e<<6 | w>>(28-4*g)&63
	}
	t := (e ^ e>>24) & mask
	e ^= t | t<<24
	e ^= k
	return sp[0][e>>42&63] | sp[1][e>>36&63] | sp[2][e>>30&63] | sp[3][e>>24&63] |
		sp[4][e>>18&63] | sp[5][e>>12&63] | sp[6][e>>6&63] | sp[7][e&63]
}

// permute returns the bits of in (width bits wide) picked by table,
// 1-based positions counted from the most significant bit.
func permute(in uint64, width uint, table []uint8) uint64 {
	var out uint64
	for _, p := range table {
		out = out<<1 | in>>(width-uint(p))&1
	}
	return out
}

// finalPerm is FP, the inverse of IP.
var finalPerm = func() (fp [64]uint8) {
	for i, p := range initialPerm {
		fp[p-1] = uint8(i + 1)
	}
	return fp
}()

// sp combines S-box g and P: sp[g][v] is P applied to the output of S-box
// g for the 6-bit input v, in place among the other seven.
var sp = func() (t [8][64]uint32) {
	for g := range 8 {
		for v := range 64 {
			row := v>>4&2 | v&1
			col := v >> 1 & 15
			s := uint64(sBoxes[g][row*16+col]) << (28 - 4*g)
			t[g][v] = uint32(permute(s, 32, roundPerm[:]))
		}
	}
	return t
}()
