package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	harness "github.com/muscles/referee/compiler/codegen/run"
)

func runExec(stdout io.Writer, args []string) error {
	fs := newFlags("exec", "MODEL.py --input V,V,...")
	input := fs.String("input", "", "the input tensor, flattened row-major, comma-separated")
	pos, err := parse(fs, stdout, args)
	if err != nil {
		return err
	}
	path, err := oneModel(pos)
	if err != nil {
		return err
	}
	if *input == "" {
		return fail(exitUsage, "want --input V,V,...")
	}
	x, err := parseFloats(*input)
	if err != nil {
		return fail(exitRejected, "--input: %v", err)
	}
	c, err := compileFile(path)
	if err != nil {
		return err
	}
	if want := c.code.InputSize / 4; len(x) != want {
		return fail(exitRejected, "--input has %d values, the model's input %v has %d", len(x), c.model.InputShape, want)
	}
	if err := harness.Available(); err != nil {
		return &exitError{exitRun, err}
	}
	p := harness.Program{Code: c.code.Bytes, Entry: c.code.Entry, State: c.code.InitialState(),
		InputSize: c.code.InputSize, OutputSize: c.code.OutputSize, ScratchSize: c.code.ScratchSize}
	out, err := harness.Forward(p, [][]float32{x})
	if err != nil {
		return &exitError{exitRun, err}
	}
	return printJSON(stdout, map[string]any{"output": out[0]})
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
