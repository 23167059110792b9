// Command bx-agent is the device agent of the (fictional) Bramblecrest
// Systems management suite: it runs on the operator's management server,
// keeps a websocket session to the Bramblecrest fleet controller, pushes
// configuration to NAS and router appliances over SSH and serves a small
// HTTP/2 status endpoint.
//
// It is part of the example portfolio reviewed by `make demo`; the module
// pins old releases of its dependencies on purpose, so that a scan of the
// built binary finds the real advisories published against them.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	jwt "github.com/dgrijalva/jwt-go"
	"github.com/gorilla/websocket"
	"golang.org/x/crypto/ssh"
	"golang.org/x/net/http2"
	"gopkg.in/yaml.v2"
)

// config is /etc/bx-agent/agent.yaml.
type config struct {
	Controller string   `yaml:"controller"` // wss:// URL of the fleet controller
	Secret     string   `yaml:"secret"`     // HMAC key for the session token
	Devices    []string `yaml:"devices"`    // host:port of managed appliances
	User       string   `yaml:"user"`
	Listen     string   `yaml:"listen"`
}

func main() {
	path := flag.String("config", "/etc/bx-agent/agent.yaml", "configuration file")
	flag.Parse()
	if err := run(*path); err != nil {
		log.Fatal(err)
	}
}

func run(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if c.Controller == "" {
		return errors.New("no controller configured")
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.StandardClaims{
		Subject: "bx-agent", ExpiresAt: time.Now().Add(time.Hour).Unix(),
	}).SignedString([]byte(c.Secret))
	if err != nil {
		return err
	}
	hdr := http.Header{"Authorization": {"Bearer " + tok}}
	conn, _, err := websocket.DefaultDialer.Dial(c.Controller, hdr)
	if err != nil {
		return fmt.Errorf("dial controller: %w", err)
	}
	defer conn.Close()
	go serveStatus(c.Listen)
	for {
		var cmd struct {
			Device string `json:"device"`
			Script string `json:"script"`
		}
		if err := conn.ReadJSON(&cmd); err != nil {
			return err
		}
		out, err := push(c.User, cmd.Device, cmd.Script)
		reply := map[string]string{"device": cmd.Device, "output": out}
		if err != nil {
			reply["error"] = err.Error()
		}
		if err := conn.WriteJSON(reply); err != nil {
			return err
		}
	}
}

// push runs a configuration script on an appliance.
func push(user, addr, script string) (string, error) {
	cfg := &ssh.ClientConfig{
		User:            user,
		Auth:            []ssh.AuthMethod{ssh.Password(os.Getenv("BX_DEVICE_PASSWORD"))},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(),
		Timeout:         10 * time.Second,
	}
	cl, err := ssh.Dial("tcp", addr, cfg)
	if err != nil {
		return "", err
	}
	defer cl.Close()
	s, err := cl.NewSession()
	if err != nil {
		return "", err
	}
	defer s.Close()
	b, err := s.CombinedOutput(script)
	return string(b), err
}

// serveStatus serves /status over HTTP/2 (cleartext upgrade refused).
func serveStatus(addr string) {
	if addr == "" {
		return
	}
	srv := &http.Server{Addr: addr, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	}), TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}, BaseContext: func(net.Listener) context.Context { return context.Background() }}
	if err := http2.ConfigureServer(srv, &http2.Server{}); err != nil {
		log.Print(err)
		return
	}
	log.Print(srv.ListenAndServeTLS("/etc/bx-agent/tls.crt", "/etc/bx-agent/tls.key"))
}
