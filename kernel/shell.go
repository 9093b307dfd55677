//go:build tamago && arm64

package main

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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
  list              the muscles being served (never their code or weights)
  info NAME         one muscle: shapes, sizes, hashes, budget, call counts
  run NAME V,V,...  run forward on one input (flattened, row-major)
  train NAME INPUTS TARGETS [STEPS]
                    run the train entry STEPS times (default 1) on one input
                    and target; prints the last output and the BLAKE3 hash
                    of the state (kept only with the persist capability)
  bench NAME [N]    time N calls (default 1000) of each entry: instructions
                    and nanoseconds per call, allocations
  upload LENGTH BLAKE3
                    add or replace a muscle: then send the sealed blob as
                    base64 lines and a line "." (LENGTH bytes, BLAKE3 the
                    hex hash of the blob); it goes through the same checks
                    as the boot bundle
  audit             the audit log and its authenticated head
  json on|off       one JSON line per reply (errors: {"error", "code"})
  poweroff [N]      power off with exit status N (default 0)
`

// shell serves the console until poweroff and returns the exit status.
type shell struct {
	json   bool
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
	var err error
	cmd := f[0] // names the command in a human-readable error
	switch cmd {
	case "help":
		fmt.Fprint(s.w, shellHelp)
	case "list":
		err = s.list()
	case "info":
		err = s.info(f[1:])
	case "run":
		err = s.runCmd(f[1:])
	case "train":
		err = s.train(f[1:])
	case "bench":
		err = s.bench(f[1:])
	case "upload":
		if err = s.upload(f[1:]); err != nil && errorCode(err) != "rejected" {
			s.log.Append(now(), "upload-error", err.Error())
		}
	case "audit":
		printAudit(s.w, s.log)
	case "json":
		switch {
		case len(f) == 2 && f[1] == "on":
			s.json = true
			err = s.replyJSON(map[string]bool{"json": true})
		case len(f) == 2 && f[1] == "off":
			s.json = false
			fmt.Fprintln(s.w, "json off")
		default:
			err = fail("usage", "usage: json on|off")
		}
	case "poweroff":
		if status, err = poweroffStatus(f[1:]); err == nil {
			for _, m := range s.loader.muscles {
				s.log.Append(now(), "counts", m.counts())
			}
			s.log.Append(now(), "poweroff", fmt.Sprintf("exit status %d", status))
			return status, true
		}
	default:
		name := f[0]
		if len(name) > 32 {
			name = name[:32] + "..."
		}
		s.log.Append(now(), "console", fmt.Sprintf("unknown command %q", name))
		cmd, err = "", fail("unknown-command", "unknown command %q; try help", name)
	}
	if err != nil {
		s.replyError(cmd, err)
	}
	return 0, false
}

// replyError prints a failed command's error, prefixed with the command
// unless cmd is empty: one JSON line in JSON mode.
func (s *shell) replyError(cmd string, err error) {
	if s.json {
		b, _ := json.Marshal(struct {
			Error string `json:"error"`
			Code  string `json:"code"`
		}{err.Error(), errorCode(err)})
		fmt.Fprintf(s.w, "%s\n", b)
		return
	}
	if cmd == "" {
		fmt.Fprintf(s.w, "error: %v\n", err)
		return
	}
	fmt.Fprintf(s.w, "error: %s: %v\n", cmd, err)
}

func poweroffStatus(args []string) (int, error) {
	switch {
	case len(args) == 0:
		return 0, nil
	case len(args) > 1:
		return 0, fail("usage", "usage: poweroff [N]")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 || n > 255 {
		return 0, fail("usage", "exit status %q is not 0-255", args[0])
	}
	return n, nil
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
	if s.json {
		fmt.Fprintf(s.w, "{\"send\": %d}\n", n)
	} else {
		fmt.Fprintf(s.w, "send %d bytes as base64 lines, then a line \".\"\n", n)
	}
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
	detail, err := s.loader.admit("upload", blob)
	if err != nil {
		return fail("rejected", "rejected: %v", err)
	}
	if s.json {
		return s.replyJSON(map[string]string{"accepted": detail})
	}
	fmt.Fprintf(s.w, "muscle upload: accepted %s\n", detail)
	return nil
}
