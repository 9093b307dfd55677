package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"lukechampine.com/blake3"
)

// prompt ends every reply: the console is waiting for the next line.
const prompt = "referee> "

// conn is one console connection.
type conn struct {
	rw      io.ReadWriteCloser
	r       *bufio.Reader
	timeout time.Duration
	// deadline is set on sockets; a serial device relies on the timer.
	setDeadline func(time.Time) error
}

// dial opens a Unix socket, a tcp:HOST:PORT address or a device file.
func dial(addr string, timeout time.Duration) (*conn, error) {
	c := &conn{timeout: timeout}
	switch {
	case strings.HasPrefix(addr, "tcp:"):
		nc, err := net.DialTimeout("tcp", strings.TrimPrefix(addr, "tcp:"), timeout)
		if err != nil {
			return nil, err
		}
		c.rw, c.setDeadline = nc, nc.SetReadDeadline
	default:
		st, err := os.Stat(addr)
		if err != nil {
			return nil, fmt.Errorf("console %s: %w", addr, err)
		}
		if st.Mode()&os.ModeSocket != 0 {
			nc, err := net.DialTimeout("unix", addr, timeout)
			if err != nil {
				return nil, err
			}
			c.rw, c.setDeadline = nc, nc.SetReadDeadline
		} else {
			f, err := os.OpenFile(addr, os.O_RDWR, 0)
			if err != nil {
				return nil, err
			}
			c.rw, c.setDeadline = f, f.SetReadDeadline
		}
	}
	c.r = bufio.NewReader(c.rw)
	return c, nil
}

func (c *conn) Close() error { return c.rw.Close() }

// readUntilPrompt reads until the prompt and returns what came before it.
func (c *conn) readUntilPrompt() (string, error) {
	if c.setDeadline != nil {
		c.setDeadline(time.Now().Add(c.timeout)) // unsupported on some devices: then no timeout
	}
	var buf bytes.Buffer
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return buf.String(), fmt.Errorf("no prompt within %v", c.timeout)
			}
			if err == io.EOF {
				return buf.String(), errors.New("the console closed (the referee powered off?)")
			}
			return buf.String(), err
		}
		buf.WriteByte(b)
		if bytes.HasSuffix(buf.Bytes(), []byte(prompt)) {
			return strings.TrimSuffix(buf.String(), prompt), nil
		}
	}
}

// sync waits for the console's prompt (the referee may still be booting,
// or already waiting, hence the empty line), then lets any second prompt
// arrive and drops it.
func (c *conn) sync() error {
	if _, err := io.WriteString(c.rw, "\n"); err != nil {
		return err
	}
	if _, err := c.readUntilPrompt(); err != nil {
		return err
	}
	if c.setDeadline == nil {
		return nil
	}
	for {
		if c.setDeadline(time.Now().Add(500*time.Millisecond)) != nil {
			return nil
		}
		if _, err := c.r.ReadByte(); err != nil {
			return nil // quiet: in sync
		}
	}
}

// command sends one console line and returns the reply (without the echo
// of the line and the next prompt). "upload FILE" is framed here.
func (c *conn) command(line string) (string, error) {
	send := line + "\n"
	if f := strings.Fields(line); len(f) == 2 && f[0] == "upload" {
		blob, err := os.ReadFile(f[1])
		if err != nil {
			return "", err
		}
		send = uploadFrame(blob)
	}
	if _, err := io.WriteString(c.rw, send); err != nil {
		return "", err
	}
	if strings.TrimSpace(line) == "poweroff" || strings.HasPrefix(strings.TrimSpace(line), "poweroff ") {
		out, _ := io.ReadAll(c.r) // the console ends with the power-off
		return stripEcho(string(out)), nil
	}
	out, err := c.readUntilPrompt()
	return stripEcho(out), err
}

// stripEcho drops the console's echo of the command line.
func stripEcho(out string) string {
	out = strings.ReplaceAll(out, "\r", "")
	if i := strings.IndexByte(out, '\n'); i >= 0 {
		return out[i+1:]
	}
	return ""
}

// uploadFrame is the console's upload framing for a sealed blob.
func uploadFrame(blob []byte) string {
	sum := blake3.Sum256(blob)
	var b strings.Builder
	fmt.Fprintf(&b, "upload %d %s\n", len(blob), hex.EncodeToString(sum[:]))
	text := base64.StdEncoding.EncodeToString(blob)
	for len(text) > 76 {
		b.WriteString(text[:76] + "\n")
		text = text[76:]
	}
	b.WriteString(text + "\n.\n")
	return b.String()
}

// isError reports a reply that is an error, human or JSON.
func isError(reply string) bool {
	for _, l := range strings.Split(reply, "\n") {
		if strings.HasPrefix(l, "error: ") || strings.HasPrefix(l, `{"error":`) {
			return true
		}
	}
	return false
}

// passThrough sends standard input's lines one by one.
func passThrough(stdin io.Reader, each func(string) bool) {
	sc := bufio.NewScanner(stdin)
	for sc.Scan() {
		if !each(sc.Text()) {
			break
		}
	}
}
