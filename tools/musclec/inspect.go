package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/muscles/referee/compiler/bench"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/tools/internal/cli"
)

func runIR(stdout io.Writer, args []string) error {
	fs := newFlags("ir", "MODEL.py [--after PASS]")
	after := fs.String("after", "", "stop after this pass (fold, simplify, fold2, dce), or \"traced\" for none")
	path, err := parseModel(fs, stdout, args)
	if err != nil {
		return err
	}
	_, m, err := load(path)
	if err != nil {
		return err
	}
	if *after != "traced" {
		if err := ir.RunPasses(m.Graph, ir.Passes, *after); err != nil {
			return cli.Fail(exitUsage, "%v", err)
		}
	}
	fmt.Fprint(stdout, m.Graph.String())
	return nil
}

func runAsm(stdout io.Writer, args []string) error {
	fs := newFlags("asm", "MODEL.py [--train]")
	train := fs.Bool("train", false, "show the train entry instead of forward")
	path, err := parseModel(fs, stdout, args)
	if err != nil {
		return err
	}
	c, err := compileFile(path)
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
	fs := newFlags("c", "MODEL.py")
	path, err := parseModel(fs, stdout, args)
	if err != nil {
		return err
	}
	_, m, err := load(path)
	if err != nil {
		return err
	}
	if err := ir.RunPasses(m.Graph, ir.Passes, ""); err != nil {
		return err
	}
	src, err := bench.EmitC(m.Graph, m.Params)
	if err != nil {
		return rejectedErr(err)
	}
	fmt.Fprint(stdout, src)
	return nil
}
