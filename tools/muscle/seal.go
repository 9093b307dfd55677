package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/tools/internal/cli"
	"lukechampine.com/blake3"
)

var sealCmd = &command{
	name: "seal",
	args: "--sealing-key FILE --signing-key FILE --code FILE [--state FILE] --name NAME [flags] -o OUT",
	help: `seal encrypts code and initial state with the publisher's sealing key, signs
the blob with its signing key and writes OUT. Manifest fields come from flags
or from --manifest FILE (JSON with the flags' names as keys, e.g.
{"name": "neuron4", "version": 3, "caps": "forward", "input": "4"}); flags
given on the command line win. Shapes are dimensions joined by "x" ("4",
"2x3"; "" is a scalar); the state file holds little-endian fp32 values.
Sealing is deterministic unless --random.`,
	run: runSeal,
}

// sealSpec is everything seal needs besides the keys; JSON names = flags.
type sealSpec struct {
	Name       string `json:"name"`
	Version    uint64 `json:"version"`
	Caps       string `json:"caps"`
	BudgetUS   uint32 `json:"budget-us"`
	Code       string `json:"code"`
	State      string `json:"state"`
	Input      string `json:"input"`
	Output     string `json:"output"`
	StateShape string `json:"state-shape"`
	Target     string `json:"target"`
	Forward    string `json:"forward"`
	Train      string `json:"train"`
	Scratch    uint32 `json:"scratch"`
	Source     string `json:"source"`
	SourceHash string `json:"source-hash"`
	SourceName string `json:"source-name"`
	Compiler   string `json:"compiler"`
	// Data are data files (weights) the code was compiled from.
	Data       []string `json:"data"`
	SealingKey string   `json:"sealing-key"`
	SigningKey string   `json:"signing-key"`
	Random     bool     `json:"random"`
	OutputPath string   `json:"-"`
	Force      bool     `json:"-"`
	Manifest   string   `json:"-"`
}

func runSeal(c *ctx, cmd *command, args []string) error {
	spec := sealSpec{Caps: "forward", BudgetUS: 1000, Forward: "0", Train: "none", Compiler: "muscle seal"}
	if path := scanFlag(args, "manifest"); path != "" {
		b, err := cli.ReadFile(path)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&spec); err != nil {
			return cli.Fail(exitUsage, "--manifest %s: %v", path, err)
		}
	}
	fs := c.newFlags(cmd)
	fs.StringVar(&spec.Manifest, "manifest", "", "JSON file of manifest fields (flags override it)")
	fs.StringVar(&spec.SealingKey, "sealing-key", spec.SealingKey, "publisher sealing key file")
	fs.StringVar(&spec.SigningKey, "signing-key", spec.SigningKey, "publisher signing key file")
	fs.StringVar(&spec.Code, "code", spec.Code, "raw AArch64 code file")
	fs.StringVar(&spec.State, "state", spec.State, "initial state file (fp32, little-endian); none if empty")
	fs.StringVar(&spec.Name, "name", spec.Name, "muscle name ([A-Za-z0-9._-], 1..64 bytes)")
	fs.Uint64Var(&spec.Version, "version", spec.Version, "version counter")
	fs.StringVar(&spec.Caps, "caps", spec.Caps, "capabilities: forward,train,persist")
	fs.Func("budget-us", fmt.Sprintf("run-time budget per call in microseconds (default %d)", spec.BudgetUS), func(s string) error {
		v, err := strconv.ParseUint(s, 0, 32)
		spec.BudgetUS = uint32(v)
		return err
	})
	fs.StringVar(&spec.Input, "input", spec.Input, "input shape")
	fs.StringVar(&spec.Output, "output", spec.Output, "output shape")
	fs.StringVar(&spec.StateShape, "state-shape", spec.StateShape, "state shape (default: the state file's fp32 count)")
	fs.StringVar(&spec.Target, "target", spec.Target, "target shape (train)")
	fs.StringVar(&spec.Forward, "forward", spec.Forward, "forward entry offset in the code")
	fs.StringVar(&spec.Train, "train", spec.Train, "train entry offset, or none")
	fs.Func("scratch", "scratch buffer size in bytes", func(s string) error {
		v, err := strconv.ParseUint(s, 0, 32)
		spec.Scratch = uint32(v)
		return err
	})
	fs.StringVar(&spec.Source, "source", spec.Source, "source file: its BLAKE3 hash and base name go into the provenance")
	fs.StringVar(&spec.SourceHash, "source-hash", spec.SourceHash, "BLAKE3 hash of the source, hex (instead of --source)")
	fs.StringVar(&spec.SourceName, "source-name", spec.SourceName, "source file name for the provenance")
	fs.StringVar(&spec.Compiler, "compiler", spec.Compiler, "compiler name and version for the provenance")
	dataFlag := false
	fs.Func("data", "data file (weights) the code was compiled from, repeatable: its BLAKE3 hash and base name go into the provenance", func(f string) error {
		if !dataFlag { // flags replace the --manifest list
			spec.Data, dataFlag = nil, true
		}
		spec.Data = append(spec.Data, f)
		return nil
	})
	fs.BoolVar(&spec.Random, "random", spec.Random, "random salt and nonce instead of deterministic sealing")
	fs.StringVar(&spec.OutputPath, "o", "", "output file")
	fs.BoolVar(&spec.Force, "force", false, "overwrite OUT")
	pos, err := c.parse(cmd, fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return cli.Fail(exitUsage, "unexpected arguments %q", pos)
	}
	for flagName, v := range map[string]string{"o": spec.OutputPath, "sealing-key": spec.SealingKey, "signing-key": spec.SigningKey, "code": spec.Code, "name": spec.Name} {
		if v == "" {
			return cli.Fail(exitUsage, "missing -%s", flagName)
		}
	}
	in, err := spec.input()
	if err != nil {
		return err
	}
	sk, signer, err := cli.ReadPublisherKeys(spec.SealingKey, spec.SigningKey)
	if err != nil {
		return err
	}
	defer sk.Wipe()
	defer signer.Wipe()
	blob, err := muscle.Seal(sk, signer, in)
	if err != nil {
		return cli.Reject("seal", err)
	}
	if err := writeFile(spec.OutputPath, blob, spec.Force, false); err != nil {
		return err
	}
	h, _ := muscle.Inspect(blob)
	return c.printHeader(spec.OutputPath, h, blob)
}

// input builds muscle.Input from the spec, reading the files it names.
func (s *sealSpec) input() (*muscle.Input, error) {
	caps, err := muscle.ParseCapabilities(s.Caps)
	if err != nil {
		return nil, cli.Fail(exitUsage, "--caps: %v", err)
	}
	in := &muscle.Input{Name: s.Name, Version: s.Version, Capabilities: caps, BudgetMicros: s.BudgetUS}
	if in.Code, err = cli.ReadFile(s.Code); err != nil {
		return nil, err
	}
	if s.State != "" {
		if in.State, err = cli.ReadFile(s.State); err != nil {
			return nil, err
		}
	}
	m := &in.Manifest
	for _, sh := range []struct {
		flag, v string
		dst     *muscle.Shape
	}{{"input", s.Input, &m.Input}, {"output", s.Output, &m.Output}, {"state-shape", s.StateShape, &m.State}, {"target", s.Target, &m.Target}} {
		if *sh.dst, err = parseShape(sh.v); err != nil {
			return nil, cli.Fail(exitUsage, "--%s: %v", sh.flag, err)
		}
	}
	if s.StateShape == "" {
		m.State = muscle.Shape{uint32(len(in.State) / muscle.ElementSize)}
	}
	if m.ForwardEntry, err = parseEntry(s.Forward); err != nil {
		return nil, cli.Fail(exitUsage, "--forward: %v", err)
	}
	if m.TrainEntry, err = parseEntry(s.Train); err != nil {
		return nil, cli.Fail(exitUsage, "--train: %v", err)
	}
	m.ScratchSize = s.Scratch
	p := &in.Provenance
	p.Compiler, p.Source = s.Compiler, s.SourceName
	switch {
	case s.Source != "":
		src, err := cli.ReadFile(s.Source)
		if err != nil {
			return nil, err
		}
		p.SourceHash = blake3.Sum256(src)
		if p.Source == "" {
			p.Source = filepath.Base(s.Source)
		}
	case s.SourceHash != "":
		b, err := hex.DecodeString(s.SourceHash)
		if err != nil || len(b) != muscle.HashSize {
			return nil, cli.Fail(exitUsage, "--source-hash: want %d hex digits", 2*muscle.HashSize)
		}
		copy(p.SourceHash[:], b)
	}
	for _, f := range s.Data {
		b, err := cli.ReadFile(f)
		if err != nil {
			return nil, err
		}
		p.Data = append(p.Data, muscle.DataFile{Name: filepath.Base(f), Hash: blake3.Sum256(b)})
	}
	if s.Random {
		in.Rand = rand.Reader
	}
	return in, nil
}

func parseShape(s string) (muscle.Shape, error) {
	if s = strings.TrimSpace(s); s == "" || s == "scalar" {
		return nil, nil
	}
	var sh muscle.Shape
	for _, d := range strings.FieldsFunc(s, func(r rune) bool { return r == 'x' || r == ',' }) {
		v, err := strconv.ParseUint(strings.TrimSpace(d), 10, 32)
		if err != nil {
			return nil, fmt.Errorf("shape %q: want dimensions like 4 or 2x3", s)
		}
		sh = append(sh, uint32(v))
	}
	if len(sh) > muscle.MaxRank {
		return nil, fmt.Errorf("shape %q has rank %d, at most %d", s, len(sh), muscle.MaxRank)
	}
	return sh, nil
}

func parseEntry(s string) (uint32, error) {
	if s == "none" || s == "" {
		return muscle.NoEntry, nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err
}

// scanFlag finds the value of -name/--name in args before flags are parsed.
func scanFlag(args []string, name string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		for _, p := range []string{"-" + name, "--" + name} {
			if a == p && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, p+"="); ok {
				return v
			}
		}
	}
	return ""
}
