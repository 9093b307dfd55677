package codegen

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	A "github.com/muscles/referee/compiler/arm64"
	"github.com/muscles/referee/compiler/autodiff"
	"github.com/muscles/referee/compiler/ir"
)

// Muscle is the code of a muscle: a forward entry and a train entry in one
// code section, sharing one state layout.
//
// The forward entry reads the input at x0 and writes the output at x1; it
// never writes the state. The train entry reads the input at x0 and the
// target at x4, writes the forward output y (computed with the parameters
// before the update) at x1 and replaces every trainable parameter in the
// state at x2 by p − lr·dloss/dp; frozen parameters and constant slots are
// never written. Each entry ends in its own single ret.
type Muscle struct {
	Code         []byte // the code section: forward, then train
	ForwardEntry int    // byte offset of the forward entry (0)
	TrainEntry   int    // byte offset of the train entry (a multiple of 4)

	State       []Slot // the state layout: ParamLayout, then constant tensors
	StateSize   int    // bytes, a multiple of 16
	ScratchSize int    // bytes, the larger of the two entries' needs
	InputSize   int    // bytes of the input tensor
	OutputSize  int    // bytes of the output tensor
	TargetSize  int    // bytes of the target tensor (= OutputSize)

	ForwardInstrs []A.Instr // the forward entry's program
	TrainInstrs   []A.Instr // the train entry's program
	Listing       string    // both entries, offsets from the code start

	// ForwardExecuted and TrainExecuted are the instructions one call of
	// each entry executes (the same for every call: no data-dependent
	// branches; loop bodies count once per iteration).
	ForwardExecuted, TrainExecuted int

	// InPlaceUpdates counts the parameters the train entry computes
	// straight into their state slot; CopiedUpdates those it computes in
	// scratch and copies into the state at its end.
	InPlaceUpdates, CopiedUpdates int
}

// InitialState returns the state buffer as both entries expect it before
// the first call: every slot's initial data, row-major float32,
// little-endian, zero padding between slots.
func (mu *Muscle) InitialState() []byte {
	buf := make([]byte, mu.StateSize)
	for _, s := range mu.State {
		for i, f := range s.Init {
			binary.LittleEndian.PutUint32(buf[s.Offset+4*i:], math.Float32bits(f))
		}
	}
	return buf
}

// Slot returns the state slot named name.
func (mu *Muscle) Slot(name string) (Slot, bool) {
	for _, s := range mu.State {
		if s.Name == name {
			return s, true
		}
	}
	return Slot{}, false
}

// CompileMuscle generates the forward entry from m.Graph (after the ir
// passes, as for Compile) and the train entry from tg (autodiff.Train of
// the same model, as traced: compiler/pipeline runs it so). The state layout is
// ParamLayout(m.Params) followed by the large constants of both entries.
// It returns an error naming the first op either graph uses that the code
// generator does not support.
func CompileMuscle(m *ir.Model, tg *autodiff.TrainGraph) (*Muscle, error) {
	if m == nil || m.Graph == nil || m.Graph.Output == nil {
		return nil, fmt.Errorf("codegen: the model has no forward graph")
	}
	if tg == nil || tg.Graph == nil || tg.Y == nil || tg.Input == nil || tg.Target == nil {
		return nil, fmt.Errorf("codegen: incomplete train graph")
	}
	fins := m.Graph.Inputs()
	if len(fins) > 1 {
		return nil, fmt.Errorf("codegen: forward graph has %d inputs, want at most one", len(fins))
	}
	if !tg.Y.Shape.Equal(m.Graph.Output.Shape) || !tg.Target.Shape.Equal(tg.Y.Shape) {
		return nil, fmt.Errorf("codegen: train graph output %s / target %s do not match the forward output %s",
			tg.Y.Shape, tg.Target.Shape, m.Graph.Output.Shape)
	}
	inSize := 4 * tg.Input.Shape.Size()
	if len(fins) == 1 && !fins[0].Shape.Equal(tg.Input.Shape) {
		return nil, fmt.Errorf("codegen: forward input %s and train input %s differ", fins[0].Shape, tg.Input.Shape)
	}
	trainable := map[string]bool{}
	for _, p := range m.Params {
		trainable[p.Name] = p.Trainable
	}
	for _, name := range tg.Frozen {
		if trainable[name] {
			return nil, fmt.Errorf("codegen: %s is frozen in the train graph but trainable in the model", name)
		}
	}
	for _, u := range tg.Updates {
		if !trainable[u.Name] {
			return nil, fmt.Errorf("codegen: the train graph updates %s, which the model does not train", u.Name)
		}
	}

	st := newStateLayout(m.Params)
	fbases := map[*ir.Value]A.Reg{}
	if len(fins) == 1 {
		fbases[fins[0]] = A.X0
	}
	fwd, err := st.compileEntry(entrySpec{g: m.Graph, bases: fbases, out: m.Graph.Output})
	if err != nil {
		return nil, fmt.Errorf("%w (forward entry)", err)
	}

	tbases := map[*ir.Value]A.Reg{}
	for _, v := range tg.Graph.Inputs() {
		switch {
		case v == tg.Input || v.Name == tg.Input.Name:
			tbases[v] = A.X0
		case v == tg.Target || v.Name == tg.Target.Name:
			tbases[v] = A.X4
		default:
			return nil, fmt.Errorf("codegen: train graph input %s is neither the model input nor the target", v.Name)
		}
	}
	var ups []entryUpdate
	for _, u := range tg.Updates {
		ups = append(ups, entryUpdate{name: u.Name, value: u.Value})
	}
	tr, err := st.compileEntry(entrySpec{g: tg.Graph, bases: tbases, out: tg.Y, updates: ups, train: true})
	if err != nil {
		return nil, fmt.Errorf("%w (train entry)", err)
	}

	code := append(append([]byte{}, fwd.bytes...), tr.bytes...)
	var lst strings.Builder
	lst.WriteString("forward:\n")
	lst.WriteString(fwd.listing)
	lst.WriteString("train:\n")
	lst.WriteString(shiftListing(tr.listing, len(fwd.bytes)))
	return &Muscle{
		Code: code, ForwardEntry: 0, TrainEntry: len(fwd.bytes),
		State: st.slots, StateSize: st.size, ScratchSize: max(fwd.scratch, tr.scratch),
		InputSize: inSize, OutputSize: 4 * tg.Y.Shape.Size(), TargetSize: 4 * tg.Target.Shape.Size(),
		ForwardInstrs: fwd.instrs, TrainInstrs: tr.instrs, Listing: lst.String(),
		ForwardExecuted: fwd.run, TrainExecuted: tr.run,
		InPlaceUpdates: tr.inPlace, CopiedUpdates: tr.copied,
	}, nil
}

// shiftListing adds base to the hex offset that starts each instruction
// line of an Assembler listing, and renames its labels L<n> to T<n> so
// that they do not clash with the forward entry's.
func shiftListing(s string, base int) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		head, rest, ok := strings.Cut(line, ":\t")
		if off, err := strconv.ParseInt(strings.TrimSpace(head), 16, 64); ok && err == nil {
			line = fmt.Sprintf("%6x:\t%s", off+int64(base), renameLabels(rest))
		} else {
			line = renameLabels(line)
		}
		b.WriteString(line)
	}
	return b.String()
}

// renameLabels turns every label reference L<digits> into T<digits>.
func renameLabels(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 'L' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' &&
			(i == 0 || !isIdent(s[i-1])) {
			b.WriteByte('T')
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isIdent(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
