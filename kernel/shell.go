//go:build tamago && arm64

package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/muscles/referee/board/qemu/virt"
	"github.com/muscles/referee/muscle"
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
  muscles           the muscles loaded at boot (never their code or weights)
  audit             the audit log and its authenticated head
  poweroff [N]      power off with exit status N (default 0)
`

// shell serves the console until poweroff and returns the exit status.
type shell struct {
	w       io.Writer
	log     *audit.Log
	muscles []*muscle.Muscle
}

// readLine reads one line from the UART, echoing it, sleeping (WFI) while
// no byte is waiting. Over-long lines are cut and reported.
func (s *shell) readLine() (string, bool) {
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
			fmt.Fprint(s.w, "\n")
			return string(line), overflow
		case c == asciiDelete || c == '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
				fmt.Fprint(s.w, "\b \b")
			}
		case len(line) >= maxLine:
			overflow = true
		default:
			line = append(line, c)
			if c >= ' ' && c < asciiDelete {
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
	case "muscles":
		if len(s.muscles) == 0 {
			fmt.Fprintln(s.w, "no muscles loaded")
		}
		for _, m := range s.muscles {
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
