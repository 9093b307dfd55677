// Package pipeline is the muscle compiler written down once: the named
// list of stages every model goes through, whatever its front end, used
// alike by musclec, compiler/bench and the tests.
//
//	parse      the front end reads the file (Family Python: lex and parse;
//	           ONNX: decode the protobuf)
//	trace      the front end builds the language-neutral model (ir.Model:
//	           forward graph, parameters, input and output, loss graph)
//	passes     the IR passes on the forward graph (ir.Passes), each
//	           followed by the IR consistency check
//	autodiff   the training step as a graph (forward, loss, gradients,
//	           SGD), from the model as traced
//	plan       the state buffer's layout: every parameter's slot
//	emit       instruction selection for both entries, which also places
//	           the large constants after the parameters and plans scratch
//	assemble   the machine code and its listing
//	abi-check  the referee's machine-code verifier on the code, with the
//	           manifest the muscle will carry
//
// Run stops after any stage (or after one IR pass, by the pass's name);
// Result holds what the stages made so far and Show prints a stage's
// product (musclec ir --after STAGE).
package pipeline

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/codegen"
	"github.com/muscles/referee/compiler/ir"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/verify"
)

// ErrInternal marks a failure of the compiler itself (a pass breaking the
// IR, the verifier refusing generated code), as opposed to a model outside
// the supported subset.
var ErrInternal = errors.New("internal compiler error")

// Stage is one step of the pipeline.
type Stage struct {
	Name string
	// Does says what the stage does, for --help.
	Does string
	run  func(*Result) error
	show func(*Result) string
}

// Stages is the pipeline, in order.
var Stages = []Stage{
	{"parse", "the front end reads the file", parse, showParsed},
	{"trace", "the front end builds the model (ir.Model)", trace, showModel},
	{"passes", "the IR passes on the forward graph, each checked", passes, showModel},
	{"autodiff", "the training step as a graph", train, showTrain},
	{"plan", "the state buffer's layout", plan, showPlan},
	{"emit", "instructions for both entries", emit, showListing},
	{"assemble", "machine code", assemble, showCode},
	{"abi-check", "the referee's machine-code verifier", abiCheck, showReport},
}

// Names lists the stages' names and, for "passes", the IR passes', in
// order: what Run's after may be.
func Names() []string {
	var n []string
	for _, s := range Stages {
		n = append(n, s.Name)
		if s.Name == "passes" {
			for _, p := range ir.Passes {
				n = append(n, p.Name)
			}
		}
	}
	return n
}

// Result is what the stages have made.
type Result struct {
	Path    string
	Source  []byte
	Options Options
	// Stage is the last stage run.
	Stage string

	front  frontEnd
	parsed any
	// traced is the model as the front end made it, for autodiff (the
	// passes change Model's forward graph in place).
	traced *ir.Model
	Model  *ir.Model
	Train  *autodiff.TrainGraph
	Layout []codegen.Slot
	Muscle *codegen.Muscle
	Report verify.Report
}

// Options are the front ends' settings for what a file does not say
// (ONNX: the batch size, the loss, frozen parameters, the learning rate).
type Options struct {
	// Batch fixes a symbolic batch dimension (0: 1).
	Batch int
	// Loss is "mse", "cross-entropy" or a Family Python file defining
	// def loss(y, target) ("": the file's own, else mse).
	Loss string
	// Frozen names parameters that are not trained.
	Frozen []string
	// LearningRate is the SGD step (0: the file's, else
	// ir.DefaultLearningRate).
	LearningRate float64
}

// Compile runs every stage on the model file path (its bytes src).
func Compile(path string, src []byte, opt Options) (*Result, error) {
	return Run(path, src, opt, "")
}

// Run runs the stages on the model file path up to and including after
// (a stage's or an IR pass's name; "": all of them).
func Run(path string, src []byte, opt Options, after string) (*Result, error) {
	if after != "" && !slices.Contains(Names(), after) {
		return nil, fmt.Errorf("no stage or pass named %q (want one of %s)", after, strings.Join(Names(), ", "))
	}
	r := &Result{Path: path, Source: src, Options: opt}
	fe, err := frontEndFor(path)
	if err != nil {
		return nil, err
	}
	r.front = fe
	for _, s := range Stages {
		if s.Name == "passes" && after != "" && after != "passes" && slices.ContainsFunc(ir.Passes, func(p ir.Pass) bool { return p.Name == after }) {
			if err := ir.RunPasses(r.Model.Graph, ir.Passes, after); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrInternal, err)
			}
			r.Stage = after
			return r, nil
		}
		if err := s.run(r); err != nil {
			return nil, err
		}
		r.Stage = s.Name
		if s.Name == after {
			break
		}
	}
	return r, nil
}

// Show prints the product of the last stage run.
func (r *Result) Show() string {
	for _, s := range Stages {
		if s.Name == r.Stage {
			return s.show(r)
		}
	}
	return showModel(r) // an IR pass
}

// frontEnd reads one kind of model file.
type frontEnd struct {
	name  string
	parse func(r *Result) (any, error)
	trace func(r *Result) (*ir.Model, error)
	show  func(parsed any) string
}

// frontEnds maps a file extension to its front end.
var frontEnds = map[string]frontEnd{}

func frontEndFor(path string) (frontEnd, error) {
	ext := strings.ToLower(filepath.Ext(path))
	fe, ok := frontEnds[ext]
	if !ok {
		var exts []string
		for e := range frontEnds {
			exts = append(exts, e)
		}
		slices.Sort(exts)
		return fe, fmt.Errorf("%s: no front end reads %q files (want %s)", path, ext, strings.Join(exts, ", "))
	}
	return fe, nil
}

func parse(r *Result) (err error) {
	r.parsed, err = r.front.parse(r)
	return err
}

func trace(r *Result) error {
	m, err := r.front.trace(r)
	if err != nil {
		return err
	}
	if err := m.Check(); err != nil {
		return fmt.Errorf("%w: %s front end: %v", ErrInternal, r.front.name, err)
	}
	r.Model, r.traced = m, m.Clone()
	return nil
}

func passes(r *Result) error {
	if err := ir.RunPasses(r.Model.Graph, ir.Passes, ""); err != nil {
		return fmt.Errorf("%w: %v", ErrInternal, err)
	}
	return nil
}

// train builds the training step from the model as traced (a copy taken
// before the passes): autodiff never sees a fused op, and the train entry
// is the same whether or not the forward graph was optimised.
func train(r *Result) error {
	tg, err := autodiff.Train(r.traced)
	if err != nil {
		return err
	}
	r.Train = tg
	return nil
}

func plan(r *Result) error {
	r.Layout, _ = codegen.ParamLayout(r.Model.Params)
	return nil
}

func emit(r *Result) error {
	mu, err := codegen.CompileMuscle(r.Model, r.Train)
	if err != nil {
		return err
	}
	r.Muscle = mu
	return nil
}

// assemble: codegen.CompileMuscle assembles as it emits; this stage
// checks what it made.
func assemble(r *Result) error {
	mu := r.Muscle
	if len(mu.Code)%4 != 0 || mu.TrainEntry%4 != 0 || mu.TrainEntry > len(mu.Code) {
		return fmt.Errorf("%w: code of %d bytes with the train entry at %d", ErrInternal, len(mu.Code), mu.TrainEntry)
	}
	return nil
}

// Manifest is the manifest a muscle of this code carries, train entry
// included.
func (r *Result) Manifest() *muscle.Manifest {
	mu, m := r.Muscle, r.Model
	return &muscle.Manifest{
		ABI: muscle.ABIVersion, ForwardEntry: uint32(mu.ForwardEntry), TrainEntry: uint32(mu.TrainEntry),
		CodeSize: uint32(len(mu.Code)), StateSize: uint32(mu.StateSize), ScratchSize: uint32(mu.ScratchSize),
		Input: ShapeOf(m.InputShape), Output: ShapeOf(m.OutputShape), Target: ShapeOf(m.OutputShape),
		State: muscle.Shape{uint32(mu.StateSize / 4)},
	}
}

// ShapeOf is an IR shape as the muscle format writes it.
func ShapeOf(s ir.Shape) muscle.Shape {
	out := make(muscle.Shape, len(s))
	for i, d := range s {
		out[i] = uint32(d)
	}
	return out
}

func abiCheck(r *Result) error {
	rep, err := verify.VerifyManifest(r.Muscle.Code, r.Manifest())
	if err != nil {
		var ve *verify.Error
		if errors.As(err, &ve) {
			return fmt.Errorf("%w: the referee's verifier rejects the generated code: %s", ErrInternal, ve.Explain())
		}
		return fmt.Errorf("%w: %v", ErrInternal, err)
	}
	r.Report = rep
	return nil
}
