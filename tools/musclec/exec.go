package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"lukechampine.com/blake3"

	harness "github.com/muscles/referee/compiler/codegen/run"
	"github.com/muscles/referee/tools/internal/cli"
)

func runExec(stdout io.Writer, args []string) error {
	fs := newFlags("exec", "MODEL.py|MODEL.onnx --input V,V,...[;V,V,...] [--train --target V,V,... [--steps N]] [--batch N] [--loss L] [--frozen NAMES] [--learning-rate R]")
	input := fs.String("input", "", "the input tensor, flattened row-major, comma-separated; forward: several inputs separated by ';' (a batch: one output row each)")
	train := fs.Bool("train", false, "run the train entry (forward, backward, SGD update) instead of forward")
	target := fs.String("target", "", "with --train: the target tensor, flattened row-major")
	steps := fs.Int("steps", 1, "with --train: how many training steps")
	options := modelFlags(fs)
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	if *input == "" {
		return cli.Fail(exitUsage, "want --input V,V,...")
	}
	rows := strings.Split(*input, ";")
	if *train && len(rows) > 1 {
		return cli.Fail(exitUsage, "--train takes one --input (--steps repeats it)")
	}
	xs := make([][]float32, len(rows))
	for i, r := range rows {
		x, err := parseFloats(r)
		if err != nil {
			if len(rows) > 1 {
				return cli.Fail(exitRejected, "--input row %d: %v", i+1, err)
			}
			return cli.Fail(exitRejected, "--input: %v", err)
		}
		xs[i] = x
	}
	x := xs[0]
	c, err := compileFile(path, opt)
	if err != nil {
		return err
	}
	mu := c.code
	for i, x := range xs {
		if want := mu.InputSize / 4; len(x) != want {
			if len(rows) > 1 {
				return cli.Fail(exitRejected, "--input row %d has %d values, the model's input %v has %d", i+1, len(x), c.model.InputShape, want)
			}
			return cli.Fail(exitRejected, "--input has %d values, the model's input %v has %d", len(x), c.model.InputShape, want)
		}
	}
	if err := harness.Available(); err != nil {
		return cli.Wrap(exitRun, err)
	}
	p := harness.Program{Code: mu.Code, Entry: mu.ForwardEntry, State: mu.InitialState(),
		InputSize: mu.InputSize, OutputSize: mu.OutputSize, ScratchSize: mu.ScratchSize}
	if !*train {
		if *target != "" {
			return cli.Fail(exitUsage, "--target needs --train")
		}
		out, err := harness.Forward(p, xs)
		if err != nil {
			return cli.Wrap(exitRun, err)
		}
		if len(xs) > 1 {
			return printJSON(stdout, map[string]any{"outputs": out})
		}
		return printJSON(stdout, map[string]any{"output": out[0]})
	}
	if *target == "" || *steps < 1 {
		return cli.Fail(exitUsage, "--train wants --target V,V,... and --steps of at least 1")
	}
	y, err := parseFloats(*target)
	if err != nil {
		return cli.Fail(exitRejected, "--target: %v", err)
	}
	if want := mu.TargetSize / 4; len(y) != want {
		return cli.Fail(exitRejected, "--target has %d values, the model's output %v has %d", len(y), c.model.OutputShape, want)
	}
	p.Entry = mu.TrainEntry
	outs, state, err := harness.Train(harness.TrainProgram{Program: p, TargetSize: mu.TargetSize}, [][]float32{x}, [][]float32{y}, nil, *steps)
	if err != nil {
		return cli.Wrap(exitRun, err)
	}
	params := map[string][]float32{}
	for _, prm := range c.model.Params {
		if !prm.Trainable {
			continue
		}
		slot, ok := mu.Slot(prm.Name)
		if !ok {
			return fmt.Errorf("no state slot for parameter %s", prm.Name)
		}
		params[prm.Name] = floats(state[slot.Offset : slot.Offset+slot.Bytes])
	}
	sum := blake3.Sum256(state)
	return printJSON(stdout, map[string]any{"output": outs[len(outs)-1], "state": params, "state_hash": hex.EncodeToString(sum[:])})
}

// floats decodes little-endian float32 values.
func floats(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func parseFloats(s string) ([]float32, error) {
	var xs []float32
	for i, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil {
			return nil, fmt.Errorf("value %d (%q) is not a number", i+1, f)
		}
		xs = append(xs, float32(v))
	}
	return xs, nil
}

func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
