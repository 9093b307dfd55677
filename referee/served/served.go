// Package served holds a muscle the referee serves and its call path: the
// capability check, the muscle's buffers as float32 values in place (the
// buffers are little-endian float32, as the referee's memory is: callers
// write the input and target there and read the output there, nothing is
// copied for a single call; Batch copies the caller's rows), the call into
// its sandbox, single or a batch of rows or steps in one entry, counting
// runs, training steps and faults. It builds for the host, where
// calls report that they need the image, and for GOOS=tamago.
package served

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/sandbox"
)

// Muscle is a muscle the referee serves: its sealed description and its
// sandbox (which holds the only copy of its code and state).
type Muscle struct {
	Header     *muscle.Header
	Manifest   *muscle.Manifest
	Provenance *muscle.Provenance
	Space      *sandbox.Space
	// in, target and out are the sandbox's input, target and output
	// buffers as float32 values, in place (Input, Target, Output)
	in, target, out []float32
	// Memory is what the muscle holds of the loader's budget (its arena).
	Memory int64
	// LoadNanos is how long admission took (validation, verifier, mapping),
	// in guest time: instructions under -icount shift=0.
	LoadNanos int64
	// LoadPhases is how LoadNanos divides into the loader's phases, in
	// the order they ran (durations only, nothing secret).
	LoadPhases []LoadPhase
}

// LoadPhase is one phase of a muscle's admission and how long it took.
type LoadPhase struct {
	Name  string
	Nanos int64
}

// New maps an opened muscle into a sandbox of its own, with its call
// deadline in timer ticks.
func New(m *muscle.Muscle, deadlineTicks uint64) (*Muscle, error) {
	man := m.Manifest
	sp, err := sandbox.New(specOf(m))
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	sp.SetBudget(deadlineTicks)
	// A batch's deadline is its rows' or steps' budgets together: at most
	// what the longest single call may take.
	sp.SetBatchLimit(int(muscle.MaxBudgetMicros / max(m.Header.BudgetMicros, 1)))
	return &Muscle{Header: m.Header, Manifest: man, Provenance: m.Provenance, Space: sp,
		in: floatsOf(sp.Input()), target: floatsOf(sp.Target()), out: floatsOf(sp.Output())}, nil
}

// specOf is the sandbox an opened muscle needs.
func specOf(m *muscle.Muscle) sandbox.Spec {
	man := m.Manifest
	return sandbox.Spec{
		Code: m.Code, State: m.State, Scratch: int(man.ScratchSize),
		Input: int(man.Input.Bytes()), Output: int(man.Output.Bytes()), Target: int(man.Target.Bytes()),
		ForwardEntry: man.ForwardEntry, TrainEntry: man.TrainEntry, // NoEntry lies outside any code
		Rows: batchRows(man.Input.Bytes(), man.Output.Bytes()),
	}
}

// batchBytes bounds what the extra rows of a forward batch add to each of
// the input and output buffers.
const batchBytes = 64 << 10

// batchRows is how many rows a forward batch holds: sandbox.MaxRows, fewer
// when rows are large (at least one).
func batchRows(in, out int64) int {
	row := max(in, out, 1)
	return int(min(max(batchBytes/row, 1), sandbox.MaxRows))
}

// MemoryNeeded is what New will allocate for m: its arena. The loader
// checks it against its budget first.
func MemoryNeeded(m *muscle.Muscle) (int64, error) {
	n, err := sandbox.ArenaSize(specOf(m))
	if err != nil {
		return 0, fmt.Errorf("sandbox: %w", err)
	}
	return int64(n), nil
}

// Name is the muscle's name.
func (s *Muscle) Name() string { return s.Header.Name }

// Counts describes the muscle's calls, for the audit log.
func (s *Muscle) Counts() string {
	t := s.Space.Tally
	return fmt.Sprintf("%q v%d: %d runs, %d training steps, %d faults", s.Header.Name, s.Header.Version, t.Runs, t.Trainings, t.Faults)
}

// Persists reports whether trained state outlives a train command.
func (s *Muscle) Persists() bool { return s.Header.Capabilities&muscle.CapPersist != 0 }

// CapabilityError is May's refusal.
type CapabilityError struct{ msg string }

func (e *CapabilityError) Error() string { return e.msg }

// May reports whether the muscle may be called at entry e: it needs the
// entry's capability (forward or train) and the entry in its code.
func (s *Muscle) May(e sandbox.Entry) error {
	c, verb := muscle.CapForward, "run forward"
	if e == sandbox.Train {
		c, verb = muscle.CapTrain, "train"
	}
	if s.Header.Capabilities&c == 0 || !s.Space.HasEntry(e) {
		return &CapabilityError{fmt.Sprintf("%s may not %s: its capabilities are %s", s.Header.Name, verb, s.Header.Capabilities)}
	}
	return nil
}

// Input, Target and Output are the muscle's input, target and output
// buffers as float32 values, in place: a caller writes Input (and for
// train Target) before Call and reads Output after it. Output holds the
// last call's result until the next call (or batch) zeroes it; Input and
// Target hold what the caller (or the muscle, which may write its
// buffers) left there, so a caller writes all of them before each call.
func (s *Muscle) Input() []float32 { return s.in }

func (s *Muscle) Target() []float32 { return s.target }

func (s *Muscle) Output() []float32 { return s.out }

// Call runs entry e on what the caller wrote into Input (and, for train,
// Target); the output is in Output. Output and scratch start zeroed (and
// for forward the target: sandbox.Space.Call), so a call depends only on
// the input, the target and the muscle's state. The caller has checked
// May. Nothing is copied or allocated. The sandbox counts the call (its
// Tally: runs, training steps, faults); Call is inlined, down to the
// trampoline itself.
func (s *Muscle) Call(e sandbox.Entry) error { return s.Space.Call(e) }

// Rows is the most rows one forward Batch takes, Steps the most train
// steps: sandbox.MaxRows and sandbox.MaxSteps, fewer for large rows or
// when that many budgets would exceed muscle.MaxBudgetMicros.
func (s *Muscle) Rows() int { return s.Space.Rows() }

func (s *Muscle) Steps() int { return s.Space.Steps() }

// ErrBatchShape is a Batch whose slices do not match its rows or steps.
var ErrBatchShape = errors.New("served: batch input, target or output of the wrong length")

// Batch runs k forward rows or k train steps in one entry into the
// sandbox (sandbox.Space.Batch). Forward: x holds k input rows one after
// the other, out receives k output rows. Train: x and y are one input and
// target, the k steps all use them, out (and Output) receives the last
// step's output. The caller has checked May; k is at most Rows for
// forward, Steps for train. The sandbox counts it (Space.Batch: on a
// fault, Faults counts one and for train Trainings the steps that
// finished when the muscle's row counter says so). Nothing is allocated
// unless it fails.
func (s *Muscle) Batch(e sandbox.Entry, x, y []float32, k int, out []float32) error {
	in, o := len(s.in), len(s.out)
	sp := s.Space
	if e == sandbox.Train {
		if len(x) != in || len(y) != len(sp.Target())/4 || len(out) != o {
			return ErrBatchShape
		}
		copy(sp.Input(), bytesOf(x))
		copy(sp.Target(), bytesOf(y))
	} else {
		if k < 1 || k > sp.Rows() || len(x) != k*in || len(out) != k*o {
			return ErrBatchShape
		}
		for i := 0; i < k; i++ {
			copy(sp.InputRow(i), bytesOf(x[i*in:(i+1)*in]))
		}
	}
	if err := sp.Batch(e, k); err != nil {
		return err
	}
	if e == sandbox.Train {
		copy(out, s.out)
		return nil
	}
	for i := 0; i < k; i++ {
		copy(bytesOf(out[i*o:(i+1)*o]), sp.OutputRow(i))
	}
	return nil
}

// InputRow and OutputRow are row i (below Rows) of the sandbox's input and
// output buffers as float32 values, for callers that write inputs and read
// outputs in place (RunRows): no copy. The output rows hold the last
// forward batch's results until the next call.
func (s *Muscle) InputRow(i int) []float32 { return floatsOf(s.Space.InputRow(i)) }

func (s *Muscle) OutputRow(i int) []float32 { return floatsOf(s.Space.OutputRow(i)) }

// RunRows runs forward on the k rows written into InputRow(0..k-1), in one
// entry into the sandbox; row i's output is OutputRow(i). The caller has
// checked May. Nothing is allocated unless it fails.
func (s *Muscle) RunRows(k int) error { return s.Space.Batch(sandbox.Forward, k) }

// TrainSteps runs k train steps (at most Steps) on what the caller wrote
// into Input and Target, in one entry into the sandbox; the last step's
// output is in Output. The caller has checked May. The sandbox counts
// it, as Batch's. Nothing is allocated unless it fails.
func (s *Muscle) TrainSteps(k int) error { return s.Space.Batch(sandbox.Train, k) }

// floatsOf is a muscle buffer's float32 values, in place (the buffers are
// 16-byte aligned).
func floatsOf(b []byte) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// bytesOf is v's memory: the muscle's buffers hold little-endian float32,
// which is how the referee (arm64) and every host it builds for keep them.
func bytesOf(v []float32) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), 4*len(v))
}

func init() {
	if one := uint16(1); *(*byte)(unsafe.Pointer(&one)) != 1 {
		panic("served: muscle buffers are little-endian; this build is not")
	}
}
