// Command musclec compiles a model, written as a small NumPy script
// ("Family Python") or exported to ONNX, into an AArch64 muscle, and runs,
// inspects or imports what it makes.
//
//	musclec build MODEL.py -o OUT.muscle --sealing-key FILE --signer FILE [--name NAME] [--version N] [--caps LIST] [--budget MICROSECONDS]
//	musclec exec  MODEL.py --input 1,-1,0.5,-0.5 [--train --target T,... [--steps N]]
//	musclec asm   MODEL.py [--train]
//	musclec ir    MODEL.py [--after STAGE]
//	musclec import MODEL.onnx -o OUT.py [--npz]
//
// Flags may come before or after the model file. The compiler never runs
// Python. Its stages are compiler/pipeline's: it parses the file,
// evaluates its constants and traces forward (package compiler/frontend)
// into the language-neutral model (compiler/ir), optimises the IR, builds
// the training step (compiler/autodiff) and emits machine code for both
// entries with its own encoder (compiler/codegen, compiler/arm64). build
// runs the referee's machine-code verifier (referee/verify) on the code
// with the manifest it seals.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/muscles/referee/tools/internal/cli"
)

// Exit statuses (also in the help text).
const (
	exitOK       = cli.OK       // success
	exitFailure  = cli.Failure  // unexpected failure
	exitUsage    = cli.Usage    // bad command line
	exitFile     = cli.File     // a file could not be read or written, or exists already
	exitRejected = cli.Rejected // the model is not in the supported subset, or bad input values
	exitRun      = 5            // the generated code could not be run (qemu-aarch64 or cross gcc missing)
)

const usage = `usage: musclec COMMAND MODEL [flags]

MODEL is a Family Python file (MODEL.py, compiler/SUBSET.md) or an ONNX
file (MODEL.onnx, as torch.onnx.export writes it; SUBSET.md lists the
operators).

Commands:
  build MODEL.py -o OUT.muscle --sealing-key FILE --signer FILE
        [--name NAME] [--version N] [--caps LIST] [--budget MICROSECONDS]
                     compile, check with the referee's machine-code
                     verifier (printing each entry's instructions per call
                     and the budget they need) and seal with a publisher's
                     keys (muscle keygen)
  exec MODEL.py --input V,V,...
                     run the generated forward code on one input (flattened
                     row-major) and print {"output": [...]} as one JSON line;
                     on a host that is not arm64 it runs under qemu-aarch64
  exec MODEL.py --train --input V,... --target V,... [--steps N]
                     run the train entry N times (default 1) on one state
                     buffer and print {"output", "state", "state_hash"}: the
                     last output, every trainable parameter, and the BLAKE3
                     hash of the state buffer as the muscle holds it
  asm MODEL.py [--train]
                     the generated code of the forward (or train) entry,
                     disassembled
  c MODEL.py         a plain C version of forward (what make bench compares
                     against with gcc -O3)
  ir MODEL.py [--after STAGE]
                     what a stage of the pipeline made (compiler/pipeline):
                     parse, trace (the model as traced: forward, parameters,
                     loss), passes (the default; or one IR pass: fold,
                     simplify, fold2, fuse, dce), autodiff (the training
                     graph), plan (the state layout), emit (the listing),
                     assemble, abi-check
  import MODEL.onnx -o OUT.py [--npz]
                     write the model as a readable Family Python file that
                     compiles to the same code (weights as np.array
                     literals, or with --npz in OUT.npz beside it)
  help               this text

Model flags (build, exec, asm, c, ir, import), for what the file does not
say or to override it:
  --batch N          the size of an ONNX input's symbolic batch dimension
                     (default 1)
  --loss L           mse, cross-entropy (the output holds probabilities,
                     e.g. a softmax: -mean over rows of sum(target*log(y))),
                     or a Family Python file defining def loss(y, target)
  --frozen NAMES     parameters that train leaves alone, comma-separated
  --learning-rate R  the SGD step

Flags may come before or after the model file; each command takes --help.
The master key is never needed: build takes the publisher's sealing key and
signing key.

Exit status:
  0  success
  1  unexpected failure
  2  usage error
  3  file error (cannot read or write; refusing to overwrite without --force)
  4  the model is outside the supported subset (file:line:col, or the
     ONNX node and its op type, say where and why), or an input has the
     wrong number of values
  5  the generated code could not be run (qemu-aarch64 or the
     aarch64-linux-gnu-gcc harness is missing)
`

var commands = map[string]func(stdout io.Writer, args []string) error{
	"build":  runBuild,
	"exec":   runExec,
	"asm":    runAsm,
	"ir":     runIR,
	"import": runImport,
	"c":      runC,
}

// run is the whole command; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "musclec: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
	err := cmd(stdout, args[1:])
	if err == nil {
		return exitOK
	}
	if err == errHelp {
		return exitOK
	}
	fmt.Fprintf(stderr, "musclec %s: %v\n", args[0], err)
	if ee, ok := err.(*cli.ExitError); ok {
		return ee.Code
	}
	return exitFailure
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
