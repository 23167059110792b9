// Package descrypt implements the DES-based crypt(3) password hashes: the
// traditional one of Version 7 Unix, found in old /etc/passwd and
// /etc/shadow files and in much embedded firmware, and the extended one
// of BSD/OS ("BSDi", hashes starting with an underscore).
//
// A traditional hash is 13 characters: a 2-character salt and 11
// characters encoding the result of encrypting a zero block 25 times with
// DES, keyed by the first 8 bytes of the password shifted left by one
// bit, where the 12 salt bits each swap two outputs of the expansion (E)
// permutation. An extended hash is 20 characters: '_', a 24-bit iteration
// count and a 24-bit salt (4 characters each, least significant first),
// and the 11-character result; every byte of the password counts.
// Characters come from the alphabet "./0-9A-Za-z".
//
// The package follows glibc and libxcrypt: only the low 7 bits of each
// password byte count, the password ends at its first NUL byte, and a
// salt with a character outside the alphabet is rejected.
//
// DES crypt is broken: its 56-bit keys are searched exhaustively in
// hours. Use it to check existing hashes only.
package descrypt

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
)

// Lengths of the two hash forms.
const (
	HashLen         = 13 // traditional: salt (2) and result (11)
	ExtendedHashLen = 20 // extended: '_', count (4), salt (4), result (11)
)

// ErrSalt is returned for a salt that is too short or has a character
// outside the crypt alphabet.
var ErrSalt = errors.New("descrypt: invalid salt")

// alphabet is the crypt base64 alphabet; index is the 6-bit value.
const alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// traditionalCount is the number of DES encryptions of the zero block in
// a traditional hash.
const traditionalCount = 25

// Crypt returns the hash of password with the given setting: two salt
// characters for a traditional hash, or '_' and 8 characters (count and
// salt) for an extended one. Characters after the setting are ignored, so
// a whole hash may be passed as the setting. An extended count may be up
// to 16 777 215 DES encryptions, several seconds of work; use Iterations
// to bound it first.
func Crypt(password []byte, setting string) (string, error) {
	if i := bytes.IndexByte(password, 0); i >= 0 {
		password = password[:i]
	}
	if len(setting) > 0 && setting[0] == '_' {
		return cryptExtended(password, setting)
	}
	salt, err := decode(setting, 2)
	if err != nil {
		return "", err
	}
	var ks schedule
	ks.init(firstKey(password))
	return encode(setting[:2], ks.encryptZero(traditionalCount, saltMask(salt))), nil
}

// cryptExtended computes a BSDi extended hash.
func cryptExtended(password []byte, setting string) (string, error) {
	v, err := decode(setting[1:], 8)
	if err != nil {
		return "", err
	}
	count, salt := v&0xffffff, v>>24
	if count == 0 {
		count = 1 // as libxcrypt: a count of 0 hashes like 1
	}
	var ks schedule
	key := firstKey(password)
	ks.init(key)
	// Fold in the rest of the password 8 bytes at a time: encrypt the
	// key with itself, then XOR in the next bytes.
	for rest := password[min(8, len(password)):]; len(rest) > 0; rest = rest[min(8, len(rest)):] {
		key = ks.encrypt(key)
		for i, c := range rest[:min(8, len(rest))] {
			key ^= uint64(c<<1) << (56 - 8*i)
		}
		ks.init(key)
	}
	return encode(setting[:9], ks.encryptZero(int(count), saltMask(salt))), nil
}

// Verify reports whether hash is the DES crypt hash (traditional or
// extended) of password. A malformed hash matches no password.
func Verify(hash string, password []byte) bool {
	if !IsHash(hash) {
		return false
	}
	h, err := Crypt(password, hash)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(h), []byte(hash)) == 1
}

// IsHash reports whether h has the form of a DES crypt hash: 13
// characters of the crypt alphabet, or '_' and 19 of them. (Not every
// such string is the hash of a password: the last character carries 4
// bits, so only 16 of the 64 characters occur there.)
func IsHash(h string) bool {
	switch {
	case len(h) == HashLen:
	case len(h) == ExtendedHashLen && h[0] == '_':
		h = h[1:]
	default:
		return false
	}
	_, err := decode(h, len(h))
	return err == nil
}

// Iterations returns the number of DES encryptions of the zero block
// that checking one password against hash costs: 25 for a traditional
// hash, the count for an extended one, 0 when hash is not a DES crypt
// hash. (Extended hashes add one encryption per 8 password bytes beyond
// the first 8.)
func Iterations(hash string) int {
	if !IsHash(hash) {
		return 0
	}
	if hash[0] != '_' {
		return traditionalCount
	}
	v, _ := decode(hash[1:], 4)
	return max(int(v), 1)
}

// decode returns the value of the first n characters of s, n ≤ 10, read
// as base-64 digits of the crypt alphabet, least significant first.
func decode(s string, n int) (uint64, error) {
	if len(s) < n {
		return 0, fmt.Errorf("%w: %d characters, want %d", ErrSalt, len(s), n)
	}
	var v uint64
	for i := range n {
		d := value(s[i])
		if d < 0 {
			return 0, fmt.Errorf("%w: %q is outside the alphabet [./0-9A-Za-z]", ErrSalt, s[i])
		}
		v |= uint64(d) << (6 * i)
	}
	return v, nil
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

// encode appends the 11-character encoding of block to prefix: 6 bits a
// character, most significant first, the last 4 bits padded with zeros.
func encode(prefix string, block uint64) string {
	b := make([]byte, len(prefix), len(prefix)+11)
	copy(b, prefix)
	for i := range 10 {
		b = append(b, alphabet[block>>(58-6*i)&63])
	}
	b = append(b, alphabet[block&15<<2])
	return string(b)
}

// saltMask turns a salt (12 or 24 bits) into the mask of the expansion
// outputs to swap, on the low side of the 48-bit E output: salt bit k
// (least significant first) swaps E outputs k and k+24, counted from the
// most significant.
func saltMask(salt uint64) uint64 {
	var mask uint64
	for k := range 24 {
		if salt>>k&1 == 1 {
			mask |= 1 << (23 - k)
		}
	}
	return mask
}

// firstKey returns the DES key of the first 8 bytes of password, each
// shifted left by one bit so the parity bit is the lowest.
func firstKey(password []byte) uint64 {
	var key uint64
	for i, c := range password[:min(8, len(password))] {
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

// encrypt is plain DES encryption of one block.
func (ks *schedule) encrypt(block uint64) uint64 {
	ip := permute(block, 64, initialPerm[:])
	l, r := ks.rounds(uint32(ip>>32), uint32(ip), 0)
	return permute(uint64(l)<<32|uint64(r), 64, finalPerm[:])
}

// encryptZero encrypts the zero block count times with the salted
// expansion given by mask.
func (ks *schedule) encryptZero(count int, mask uint64) uint64 {
	var l, r uint32 // IP of the zero block is zero
	for range count {
		// FP followed by the next encryption's IP is the identity, so
		// the permutations are applied once, outside the loop.
		l, r = ks.rounds(l, r, mask)
	}
	return permute(uint64(l)<<32|uint64(r), 64, finalPerm[:])
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
