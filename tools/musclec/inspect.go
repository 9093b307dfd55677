package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/muscles/referee/compiler/bench"
	"github.com/muscles/referee/compiler/pipeline"
	"github.com/muscles/referee/tools/internal/cli"
)

func runIR(stdout io.Writer, args []string) error {
	fs := newFlags("ir", "MODEL [--after STAGE]")
	options := modelFlags(fs)
	after := fs.String("after", "passes", "stop after this `STAGE` and print what it made: "+strings.Join(pipeline.Names(), ", ")+" (an IR pass's name stops after that pass; traced is trace)")
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	if *after == "traced" {
		*after = "trace"
	}
	if !slices.Contains(pipeline.Names(), *after) {
		return cli.Fail(exitUsage, "--after %q: no such stage (want one of %s)", *after, strings.Join(pipeline.Names(), ", "))
	}
	r, err := runPipeline(path, opt, *after)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, r.Show())
	return nil
}

func runAsm(stdout io.Writer, args []string) error {
	fs := newFlags("asm", "MODEL.py [--train]")
	train := fs.Bool("train", false, "show the train entry instead of forward")
	options := modelFlags(fs)
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	c, err := compileFile(path, opt)
	if err != nil {
		return err
	}
	mu := c.code
	fmt.Fprintf(stdout, "// code %d bytes: forward at %#x (%d instructions executed per call), train at %#x (%d)\n",
		len(mu.Code), mu.ForwardEntry, mu.ForwardExecuted, mu.TrainEntry, mu.TrainExecuted)
	fmt.Fprintf(stdout, "// state %d bytes, scratch %d bytes\n", mu.StateSize, mu.ScratchSize)
	forward, trainPart, ok := strings.Cut(mu.Listing, "\ntrain:\n")
	if !ok {
		return fmt.Errorf("the listing has no train section")
	}
	if *train {
		fmt.Fprint(stdout, "train:\n"+trainPart)
	} else {
		fmt.Fprintln(stdout, forward)
	}
	return nil
}

// runC prints the plain C version of the model's forward pass that make
// bench compiles with gcc -O3 for comparison (weights in a state buffer with
// the muscle's layout).
func runC(stdout io.Writer, args []string) error {
	fs := newFlags("c", "MODEL.py|MODEL.onnx")
	options := modelFlags(fs)
	path, opt, err := options.parse(stdout, args)
	if err != nil {
		return err
	}
	r, err := runPipeline(path, opt, "passes")
	if err != nil {
		return err
	}
	src, err := bench.EmitC(r.Model.Graph, r.Model.Params)
	if err != nil {
		return rejectedErr(err)
	}
	fmt.Fprint(stdout, src)
	return nil
}
