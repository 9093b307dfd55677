//go:build tamago && arm64

package main

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/referee/audit"
)

// The console shell: one command a line on the serial console.

const (
	prompt      = "referee> "
	maxLine     = 1024
	pollEvery   = 2 * time.Millisecond
	asciiDelete = 0x7f
)

const shellHelp = `commands:
  help              this text
  muscles           the muscles being served (never their code or weights)
  upload LENGTH BLAKE3
                    add or replace a muscle: then send the sealed blob as
                    base64 lines and a line "." (LENGTH bytes, BLAKE3 the
                    hex hash of the blob); it goes through the same checks
                    as the boot bundle
  audit             the audit log and its authenticated head
  poweroff [N]      power off with exit status N (default 0)
`

// shell serves the console until poweroff and returns the exit status.
type shell struct {
	w      io.Writer
	log    *audit.Log
	loader *loader
}

// readLine reads one line from the UART, echoing it, sleeping (WFI) while
// no byte is waiting. Over-long lines are cut and reported.
func (s *shell) readLine() (string, bool) { return s.read(true) }

func (s *shell) read(echo bool) (string, bool) {
	var line []byte
	overflow := false
	for {
		c, ok := virt.ReadByte()
		if !ok {
			time.Sleep(pollEvery)
			continue
		}
		switch {
		case c == '\r' || c == '\n':
			if echo {
				fmt.Fprint(s.w, "\n")
			}
			return string(line), overflow
		case c == asciiDelete || c == '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
				if echo {
					fmt.Fprint(s.w, "\b \b")
				}
			}
		case len(line) >= maxLine:
			overflow = true
		default:
			line = append(line, c)
			if echo && c >= ' ' && c < asciiDelete {
				fmt.Fprintf(s.w, "%c", c)
			}
		}
	}
}

func (s *shell) run() int {
	fmt.Fprintf(s.w, "console: type help for commands\n")
	for {
		fmt.Fprint(s.w, prompt)
		line, overflow := s.readLine()
		if overflow {
			fmt.Fprintf(s.w, "error: line longer than %d bytes ignored\n", maxLine)
			s.log.Append(now(), "console", fmt.Sprintf("over-long line (more than %d bytes) ignored", maxLine))
			continue
		}
		if status, done := s.execute(line); done {
			return status
		}
	}
}

// execute runs one command line; done reports a power-off.
func (s *shell) execute(line string) (status int, done bool) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return 0, false
	}
	switch f[0] {
	case "help":
		fmt.Fprint(s.w, shellHelp)
	case "upload":
		if err := s.upload(f[1:]); err != nil {
			fmt.Fprintf(s.w, "error: upload: %v\n", err)
			s.log.Append(now(), "upload-error", err.Error())
		}
	case "muscles":
		if len(s.loader.muscles) == 0 {
			fmt.Fprintln(s.w, "no muscles loaded")
		}
		for _, m := range s.loader.muscles {
			h := m.Header
			fmt.Fprintf(s.w, "%s v%d by %s: %s, code %d bytes (blake3 %x), state %d bytes, budget %d µs\n",
				h.Name, h.Version, h.Publisher, h.Capabilities, len(m.Code), m.Provenance.CodeHash[:8], len(m.State), h.BudgetMicros)
		}
	case "audit":
		printAudit(s.w, s.log)
	case "poweroff":
		if len(f) > 2 {
			break
		}
		if len(f) == 2 {
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 0 || n > 255 {
				fmt.Fprintf(s.w, "error: poweroff: exit status %q is not 0-255\n", f[1])
				return 0, false
			}
			status = n
		}
		s.log.Append(now(), "poweroff", fmt.Sprintf("exit status %d", status))
		return status, true
	default:
		name := f[0]
		if len(name) > 32 {
			name = name[:32] + "..."
		}
		fmt.Fprintf(s.w, "error: unknown command %q; try help\n", name)
		s.log.Append(now(), "console", fmt.Sprintf("unknown command %q", name))
		return 0, false
	}
	if f[0] == "poweroff" {
		fmt.Fprintln(s.w, "error: usage: poweroff [N]")
	}
	return 0, false
}

// maxUpload bounds an upload: the bundle region's size.
const maxUpload = 128 << 20

// upload receives one sealed muscle in the text-safe framing of the help
// text, checks its length and BLAKE3 hash, and hands it to the loader.
func (s *shell) upload(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: upload LENGTH BLAKE3")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n <= 0 || n > maxUpload {
		return fmt.Errorf("length %q is not 1-%d", args[0], maxUpload)
	}
	want, err := hex.DecodeString(args[1])
	if err != nil || len(want) != 32 {
		return fmt.Errorf("%q is not a 64-digit hex BLAKE3 hash", args[1])
	}
	fmt.Fprintf(s.w, "send %d bytes as base64 lines, then a line \".\"\n", n)
	var text strings.Builder
	for {
		line, overflow := s.read(false)
		if overflow {
			return fmt.Errorf("a base64 line is longer than %d bytes", maxLine)
		}
		if line == "." {
			break
		}
		if text.Len()+len(line) > maxUpload/3*4+4 {
			return fmt.Errorf("more than %d bytes of base64 for %d bytes", text.Len()+len(line), n)
		}
		text.WriteString(strings.TrimSpace(line))
	}
	blob, err := base64.StdEncoding.DecodeString(text.String())
	if err != nil {
		return fmt.Errorf("body is not base64: %v", err)
	}
	if len(blob) != n {
		return fmt.Errorf("received %d bytes, the header said %d", len(blob), n)
	}
	if got := blake3.Sum256(blob); subtle.ConstantTimeCompare(got[:], want) != 1 {
		return fmt.Errorf("BLAKE3 of the received bytes is %x, the header said %s", got, args[1])
	}
	s.log.Append(now(), "upload", fmt.Sprintf("%d bytes, blake3 %x", n, want[:8]))
	s.loader.admit("upload", blob)
	return nil
}
