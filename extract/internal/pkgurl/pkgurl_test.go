package pkgurl

import "testing"

func TestDistroEcosystem(t *testing.T) {
	tests := []struct{ id, rel, want string }{
		{"debian", "12", "Debian:12"},
		{"debian", "bookworm", "Debian:12"},
		{"debian", "debian-11", "Debian:11"},
		{"debian", "", "Debian"},
		{"ubuntu", "22.04", "Ubuntu:22.04"},
		{"ubuntu", "ubuntu-20.04", "Ubuntu:20.04"},
		{"alpine", "3.18.4", "Alpine:v3.18"},
		{"alpine", "alpine-3.19", "Alpine:v3.19"},
		{"almalinux", "9.3", "AlmaLinux:9"},
		{"rocky", "8.9", "Rocky Linux:8"},
		{"rhel", "9.2", "Red Hat"},
		{"openwrt", "23.05.2", "OpenWrt"},
		{"gentoo", "2.14", ""},
	}
	for _, tt := range tests {
		if got := DistroEcosystem(tt.id, tt.rel); got != tt.want {
			t.Errorf("DistroEcosystem(%q, %q) = %q, want %q", tt.id, tt.rel, got, tt.want)
		}
	}
}

func TestNormalizeAndEcosystem(t *testing.T) {
	tests := []struct{ in, canon, eco string }{
		{"pkg:pypi/Django_Rest.Framework@3.14.0", "pkg:pypi/django-rest-framework@3.14.0", "PyPI"},
		{"pkg:npm/%40babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0", "npm"},
		{"pkg:golang/github.com/BurntSushi/toml@v1.3.2", "pkg:golang/github.com/burntsushi/toml@v1.3.2", "Go"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=debian-12&arch=amd64", "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12", "Debian:12"},
		{"pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4", "pkg:apk/alpine/musl@1.2.4-r2?distro=alpine-3.18.4", "Alpine:v3.18"},
		{"pkg:cargo/serde@1.0.0", "pkg:cargo/serde@1.0.0", "crates.io"},
		{"pkg:generic/openssl@3.0.0", "pkg:generic/openssl@3.0.0", ""},
	}
	for _, tt := range tests {
		canon, p, ok := Normalize(tt.in)
		if !ok || canon != tt.canon || Ecosystem(p) != tt.eco {
			t.Errorf("Normalize(%q) = %q %v, ecosystem %q; want %q %q", tt.in, canon, ok, Ecosystem(p), tt.canon, tt.eco)
		}
	}
	for _, bad := range []string{"", "not a purl", "pkg:", "pkg:npm/"} {
		if _, _, ok := Normalize(bad); ok {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
	if got := Go("github.com/pkg/errors", "v0.9.1"); got != "pkg:golang/github.com/pkg/errors@v0.9.1" {
		t.Errorf("Go() = %q", got)
	}
}

func TestSplitSourceRPM(t *testing.T) {
	for in, want := range map[string][2]string{
		"openssl-3.0.7-24.el9.src.rpm":      {"openssl", "3.0.7-24.el9"},
		"python3-libs-3.9.18-1.el9.src.rpm": {"python3-libs", "3.9.18-1.el9"},
		"weird":                             {"weird", ""},
	} {
		n, v := SplitSourceRPM(in)
		if n != want[0] || v != want[1] {
			t.Errorf("SplitSourceRPM(%q) = %q %q", in, n, v)
		}
	}
}
