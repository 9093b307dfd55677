package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"lukechampine.com/blake3"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/compiler/pipeline"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/verify"
	"github.com/muscles/referee/tools/internal/cli"
)

// compilerVersion is recorded in every muscle's provenance.
const compilerVersion = "musclec 0.1.0"

func runBuild(stdout io.Writer, args []string) error {
	fs := newFlags("build", "MODEL.py|MODEL.onnx -o OUT.muscle --sealing-key FILE --signer FILE [--name NAME] [--version N] [--caps LIST] [--budget MICROSECONDS] [--batch N] [--loss L] [--frozen NAMES] [--learning-rate R]")
	out := fs.String("o", "", "write the sealed muscle to `FILE`")
	sealingFile := fs.String("sealing-key", "", "the publisher's sealing key `FILE` (from muscle keygen)")
	signerFile := fs.String("signer", "", "the publisher's signing key `FILE` (from muscle keygen)")
	name := fs.String("name", "", "muscle name (default: the model file's base name)")
	version := fs.Uint64("version", 1, "version counter")
	caps := fs.String("caps", "forward", "capabilities to ask for, comma-separated (forward, train, persist)")
	budget := fs.Uint("budget", 1000, "run-time budget per call in `MICROSECONDS`")
	force := fs.Bool("force", false, "replace OUT if it exists")
	options := modelFlags(fs)
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	if *out == "" || *sealingFile == "" || *signerFile == "" {
		return cli.Fail(exitUsage, "want -o OUT.muscle, --sealing-key FILE and --signer FILE")
	}
	capabilities, err := muscle.ParseCapabilities(*caps)
	if err != nil {
		return cli.Fail(exitUsage, "--caps: %v", err)
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if !*force {
		if _, err := os.Stat(*out); err == nil {
			return cli.Fail(exitFile, "%s exists; refusing to overwrite it (use --force)", *out)
		}
	}
	sk, sg, err := cli.ReadPublisherKeys(*sealingFile, *signerFile)
	if err != nil {
		return err
	}
	defer sk.Wipe()
	defer sg.Wipe()

	c, err := compileFile(path, opt)
	if err != nil {
		return err
	}
	mu := c.code
	in := &muscle.Input{
		Name: *name, Version: *version, Capabilities: capabilities, BudgetMicros: uint32(*budget),
		Code: mu.Code, State: mu.InitialState(),
	}
	in.Manifest.ForwardEntry = uint32(mu.ForwardEntry)
	in.Manifest.TrainEntry = muscle.NoEntry
	if capabilities&muscle.CapTrain != 0 {
		in.Manifest.TrainEntry = uint32(mu.TrainEntry)
		in.Manifest.Target = pipeline.ShapeOf(c.model.OutputShape)
	}
	in.Manifest.ScratchSize = uint32(mu.ScratchSize)
	in.Manifest.Input = pipeline.ShapeOf(c.model.InputShape)
	in.Manifest.Output = pipeline.ShapeOf(c.model.OutputShape)
	in.Manifest.State = muscle.Shape{uint32(mu.StateSize / 4)}
	in.Provenance.Compiler = compilerVersion
	in.Provenance.Source = filepath.Base(path)
	in.Provenance.SourceHash = blake3.Sum256(c.source)
	// The data files the front end read (np.load), as the model wrote
	// their paths, with their hashes.
	if len(c.model.Sources) > muscle.MaxDataFiles {
		return rejectedErr(fmt.Errorf("%s reads %d data files; a muscle's provenance records at most %d", path, len(c.model.Sources), muscle.MaxDataFiles))
	}
	for _, s := range c.model.Sources {
		in.Provenance.Data = append(in.Provenance.Data, muscle.DataFile{Name: s.Path, Hash: s.BLAKE3})
	}
	report, err := verifyCode(in)
	if err != nil {
		return err
	}
	blob, err := muscle.Seal(sk, sg, in)
	if err != nil {
		return cli.Fail(exitRejected, "sealing: %v", err)
	}
	if err := os.WriteFile(*out, blob, 0o644); err != nil {
		return cli.Wrap(exitFile, err)
	}
	fmt.Fprintf(stdout, "%s: muscle %q version %d, %d bytes (code %d, state %d, scratch %d), publisher %s, %s\n",
		*out, *name, *version, len(blob), len(mu.Code), mu.StateSize, mu.ScratchSize, sk.Publisher, capabilities)
	for _, d := range in.Provenance.Data {
		fmt.Fprintf(stdout, "  data: %s blake3 %x\n", d.Name, d.Hash)
	}
	fmt.Fprintf(stdout, "  verified: %s\n", countText(report, uint64(*budget)))
	return nil
}

// verifyCode runs the referee's machine-code verifier on the code and
// manifest as Seal will write them, and returns its instruction counts.
// A rejection is a compiler bug; the publisher holds the plaintext, so the
// message is the verifier's full diagnosis (Explain), word and values
// included.
func verifyCode(in *muscle.Input) (verify.Report, error) {
	man := in.Manifest
	man.ABI = muscle.ABIVersion
	man.CodeSize = uint32(len(in.Code))
	man.StateSize = uint32(len(in.State))
	r, err := verify.VerifyManifest(in.Code, &man)
	if err != nil {
		var ve *verify.Error
		if errors.As(err, &ve) {
			return r, fmt.Errorf("the referee's verifier rejects the generated code (a compiler bug): %s", ve.Explain())
		}
		return r, err
	}
	return r, nil
}

// countText states the verifier's instruction counts and the budget they
// need at the rate the referee assumes (armv8.PeakInstructionsPerMicro),
// below which the referee refuses the muscle.
func countText(r verify.Report, budget uint64) string {
	s := fmt.Sprintf("forward %d instructions per call", r.Forward)
	if r.Train != 0 {
		s += fmt.Sprintf(", train %d", r.Train)
	}
	need := (max(r.Forward, r.Train) + armv8.PeakInstructionsPerMicro - 1) / armv8.PeakInstructionsPerMicro
	s += fmt.Sprintf("; the referee needs a budget of at least %d µs", need)
	if need > budget {
		s += fmt.Sprintf(", more than --budget %d: it will refuse this muscle", budget)
	}
	return s
}
