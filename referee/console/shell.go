// Package console is the referee's console: the command language (help,
// list, info, run, train, bench, upload, save, state, audit, json,
// poweroff), its
// human-readable and JSON replies, and the upload framing. It reads bytes
// from the board's console and writes replies; muscles come from a
// loader.Loader. It builds for the host, where it is unit-tested and
// fuzzed, and for GOOS=tamago.
package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/keeper"
	"github.com/muscles/referee/referee/loader"
)

const (
	// Prompt is printed before each command.
	Prompt = "referee> "
	// MaxLine is the longest command line; longer ones are ignored.
	MaxLine     = 1024
	pollEvery   = 2 * time.Millisecond
	asciiDelete = 0x7f
)

const shellHelp = `commands:
  help              this text
  list              the muscles being served (never their code or weights)
  info NAME         one muscle: shapes, sizes, hashes, budget, call counts
  run NAME V,V,...  run forward on one input (flattened, row-major)
  run NAME V,V,...;V,V,...
                    a batch: several inputs, one output line per input;
                    up to the muscle's batch size (64 small rows) enter
                    the sandbox at once
  train NAME INPUTS TARGETS [STEPS]
                    run the train entry STEPS times (default 1) on one input
                    and target, up to 1024 steps in one sandbox entry; prints the last output and the BLAKE3 hash
                    of the state (kept only with the persist capability;
                    then saved to the sealed store, at most once every
                    10 s automatically)
  bench NAME [N]    time N calls (default 1000) of each entry: instructions
                    and nanoseconds per call, allocations
  upload LENGTH BLAKE3
                    add or replace a muscle: then send the sealed blob as
                    base64 lines and a line "." (LENGTH bytes, BLAKE3 the
                    hex hash of the blob); it goes through the same checks
                    as the boot bundle
  save              save every persisted muscle's state and the version
                    floors to the sealed store now
  state [format]    the sealed store: medium, slots, generations; format
                    erases a medium refused at boot (foreign, conflicting)
  audit             the audit log and its authenticated head
  json on|off       one JSON line per reply (errors: {"error", "code"})
  poweroff [N]      power off with exit status N (default 0)
`

// Input is the console's receiving side (board.Board has it).
type Input interface {
	// ReadConsole returns the next byte received, if one is waiting.
	ReadConsole() (byte, bool)
}

// Shell serves the console until poweroff.
type Shell struct {
	In     Input
	Out    io.Writer
	Log    *audit.Log
	Loader *loader.Loader
	// Now is the clock for audit entries.
	Now func() int64
	// Instructions reads the CPU's instruction counter, if it has one
	// (for bench).
	Instructions func() (uint64, bool)
	// State is the sealed store (nil: the referee has none).
	State *keeper.Keeper
	// Wait is called while no byte is waiting (the image sleeps; nil:
	// time.Sleep of a couple of milliseconds).
	Wait func()

	json bool
}

// readLine reads one line, echoing it. Over-long lines are cut and
// reported.
func (s *Shell) readLine() (string, bool) { return s.read(true) }

func (s *Shell) read(echo bool) (string, bool) {
	var line []byte
	overflow := false
	for {
		c, ok := s.In.ReadConsole()
		if !ok {
			if s.Wait != nil {
				s.Wait()
			} else {
				time.Sleep(pollEvery)
			}
			continue
		}
		switch {
		case c == '\r' || c == '\n':
			if echo {
				fmt.Fprint(s.Out, "\n")
			}
			return string(line), overflow
		case c == asciiDelete || c == '\b':
			if len(line) > 0 {
				line = line[:len(line)-1]
				if echo {
					fmt.Fprint(s.Out, "\b \b")
				}
			}
		case len(line) >= MaxLine:
			overflow = true
		default:
			line = append(line, c)
			if echo && c >= ' ' && c < asciiDelete {
				fmt.Fprintf(s.Out, "%c", c)
			}
		}
	}
}

// Run serves commands until poweroff and returns its exit status.
func (s *Shell) Run() int {
	fmt.Fprintf(s.Out, "console: type help for commands\n")
	for {
		fmt.Fprint(s.Out, Prompt)
		line, overflow := s.readLine()
		if overflow {
			fmt.Fprintf(s.Out, "error: line longer than %d bytes ignored\n", MaxLine)
			s.Log.Append(s.Now(), "console", fmt.Sprintf("over-long line (more than %d bytes) ignored", MaxLine))
			continue
		}
		if status, done := s.Execute(line); done {
			return status
		}
	}
}

// Execute runs one command line; done reports a power-off, after which
// every muscle is retired (counts audited, arena wiped) and the audit log
// has been closed and printed, ending in its final head.
func (s *Shell) Execute(line string) (status int, done bool) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return 0, false
	}
	var err error
	cmd := f[0] // names the command in a human-readable error
	switch cmd {
	case "help":
		fmt.Fprint(s.Out, shellHelp)
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
			s.Log.Append(s.Now(), "upload-error", err.Error())
		}
	case "save":
		err = s.save(f[1:])
	case "state":
		err = s.stateCmd(f[1:])
	case "audit":
		PrintAudit(s.Out, s.Log)
	case "json":
		switch {
		case len(f) == 2 && f[1] == "on":
			s.json = true
			err = s.replyJSON(map[string]bool{"json": true})
		case len(f) == 2 && f[1] == "off":
			s.json = false
			fmt.Fprintln(s.Out, "json off")
		default:
			err = fail("usage", "usage: json on|off")
		}
	case "poweroff":
		if status, err = poweroffStatus(f[1:]); err == nil {
			s.saveAtPowerOff()
			if s.State != nil {
				s.State.Close()
			}
			s.Loader.Shutdown()
			// The last entry: the listing that follows is the final one.
			s.Log.Close(s.Now(), "poweroff", fmt.Sprintf("exit status %d", status))
			PrintAudit(s.Out, s.Log)
			return status, true
		}
	default:
		name := f[0]
		if len(name) > 32 {
			name = name[:32] + "..."
		}
		s.Log.Append(s.Now(), "console", fmt.Sprintf("unknown command %q", name))
		cmd, err = "", fail("unknown-command", "unknown command %q; try help", name)
	}
	if err != nil {
		s.replyError(cmd, err)
	}
	return 0, false
}

// PrintAudit prints the audit log and its authenticated head, in the form
// package audit describes (a final head once the log is closed at
// power-off).
func PrintAudit(w io.Writer, log *audit.Log) {
	for _, e := range log.Entries() {
		fmt.Fprintln(w, audit.Format(e))
	}
	fmt.Fprintln(w, log.FormatHead())
}
