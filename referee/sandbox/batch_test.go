package sandbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// TestBatchLayout: a batch's rows are RowAlign apart inside the input and
// output regions, the stub (its row table and code) lies in the code pages
// after the muscle's code (executable at EL0, writable by nobody), its
// table names every row and its code returns to ReturnAddress.
func TestBatchLayout(t *testing.T) {
	spec := testSpec()
	spec.Input, spec.Output, spec.Rows = 20, 12, 100
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows() != MaxRows {
		t.Fatalf("%d rows, want MaxRows", s.Rows())
	}
	for i := 0; i < s.Rows(); i++ {
		in, out := s.InputRow(i), s.OutputRow(i)
		if len(in) != 20 || len(out) != 12 || cap(in) != 20 {
			t.Fatalf("row %d: %d and %d bytes", i, len(in), len(out))
		}
		for _, a := range []uint64{addressOf(in) + uint64(s.l.input.off+i*32), s.base + uint64(s.l.output.off+i*16)} {
			if a%RowAlign != 0 {
				t.Errorf("row %d at %#x: not %d-byte aligned", i, a, RowAlign)
			}
		}
	}
	if &s.InputRow(0)[0] != &s.Input()[0] || &s.OutputRow(0)[0] != &s.Output()[0] {
		t.Error("row 0 is not Input and Output")
	}
	if d := walk(s.mem, s.base, s.ttbr, s.stub); d != s.stub&^(PageSize-1)|pageCode {
		t.Errorf("stub page descriptor %#x, want code", d)
	}
	if code, size := s.CodeRange(); s.stub < code+size || s.stub%16 != 0 {
		t.Errorf("stub at %#x overlaps the code [%#x, %#x)", s.stub, code, code+size)
	}
	off := int(s.stub - s.base)
	le := binary.LittleEndian
	pair, forward, train, size := stubLayout(s.l.rows)
	if off+size > s.l.code.end() {
		t.Fatalf("the %d-byte stub does not fit the code pages", size)
	}
	for i := 0; i < s.Rows(); i++ {
		if le.Uint64(s.mem[off+16*i:]) != s.base+uint64(s.l.input.off+32*i) || le.Uint64(s.mem[off+16*i+8:]) != s.base+uint64(s.l.output.off+16*i) {
			t.Fatalf("row table entry %d is not row %d's input and output", i, i)
		}
	}
	if le.Uint64(s.mem[off+pair:]) != s.frame.args[2] || le.Uint64(s.mem[off+pair+8:]) != s.frame.args[3] {
		t.Error("the stub's pair is not state and scratch")
	}
	words := func(at int, w []uint32) int {
		for i, x := range w {
			if le.Uint32(s.mem[off+at+4*i:]) != x {
				t.Fatalf("stub word at %#x not in the arena", at+4*i)
			}
		}
		return at + 4*len(w)
	}
	at := forward
	for i := 0; i < s.l.rows; i++ {
		at = words(at, stubRow[:])
	}
	if words(words(at, stubDone[:]), stubTrain[:]) != size || at+4*len(stubDone) != train {
		t.Error("the stub's parts are not where stubLayout says")
	}
	// mov x30, #imm16 (movz): imm16 at bits 20:5 must be ReturnAddress.
	if mov := stubDone[0]; mov&^(0xFFFF<<5) != 0xd280001e || mov>>5&0xFFFF != ReturnAddress {
		t.Errorf("the stub does not return to ReturnAddress: %#x", mov)
	}
	// b.ne train and b done: imm19 and imm26 in words, back to their targets.
	if bne := stubTrain[5]; int32(bne<<8)>>13 != -5 || bne&0xFF00001F != 0x54000001 {
		t.Errorf("b.ne %#x does not loop to train", bne)
	}
	if b := stubTrain[6]; int32(b<<6)>>6 != -int32(len(stubDone)+6) || b>>26 != 0b000101 {
		t.Errorf("b %#x does not go to done", b)
	}
}

// TestBatchClearsRows: a batch zeroes the output rows it writes, scratch
// and (forward) target, and the rows a longer earlier batch left behind,
// so no call reads another's rows; it refuses sizes beyond its limits and
// leaves a single call's frame as before.
func TestBatchClearsRows(t *testing.T) {
	spec := testSpec()
	spec.Input, spec.Output, spec.Target, spec.Rows, spec.TrainEntry = 8, 8, 4, 8, 0
	s, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	fill := func() {
		for i := 0; i < s.Rows(); i++ {
			copy(s.InputRow(i), bytes.Repeat([]byte{0xAA}, 8))
			copy(s.OutputRow(i), bytes.Repeat([]byte{0xBB}, 8))
		}
		copy(s.Scratch(), bytes.Repeat([]byte{0xCC}, 64))
		copy(s.Target(), []byte{1, 2, 3, 4})
	}
	zero := func(b []byte) bool { return bytes.Count(b, []byte{0}) == len(b) }
	fill()
	s.dirty = s.Rows()
	if err := s.Batch(Forward, 3); err == nil { // off the referee: clears, then needs EL3
		t.Fatalf("host Batch: %v", err)
	}
	for i := 0; i < s.Rows(); i++ {
		if zero(s.InputRow(i)) != (i >= 3) || !zero(s.OutputRow(i)) {
			t.Errorf("after a batch of 3: row %d input %x output %x", i, s.InputRow(i), s.OutputRow(i))
		}
	}
	if !zero(s.Scratch()) || !zero(s.Target()) {
		t.Error("scratch or target not cleared")
	}
	fill()
	tables := bytes.Clone(s.mem[s.l.target.off:]) // target, initial state, tables
	s.Batch(Train, MaxSteps)                      // train: row 0 only, target kept
	if !zero(s.Output()) || !zero(s.InputRow(1)) || !zero(s.OutputRow(1)) || zero(s.InputRow(0)) {
		t.Error("train batch: output or the earlier batch's rows kept, or the input cleared")
	}
	if !bytes.Equal(tables, s.mem[s.l.target.off:]) {
		t.Error("train batch: the target, the initial state or the tables changed")
	}
	for _, k := range []int{0, -1, s.Rows() + 1} {
		if err := s.Batch(Forward, k); err == nil || !strings.Contains(err.Error(), "takes 1-8") {
			t.Errorf("forward batch of %d: %v", k, err)
		}
	}
	if err := s.Batch(Train, MaxSteps+1); err == nil || !strings.Contains(err.Error(), "takes 1-1024") {
		t.Errorf("train batch of %d: %v", MaxSteps+1, err)
	}
	s.SetBatchLimit(6)
	if s.Rows() != 6 || s.Steps() != 6 {
		t.Errorf("batch limit 6: %d rows, %d steps", s.Rows(), s.Steps())
	}
	if err := s.Batch(Train, 7); err == nil || !strings.Contains(err.Error(), "takes 1-6") {
		t.Errorf("train batch of 7 beyond the limit: %v", err)
	}
	s.batchFrame(Forward, 4)
	f := s.batch.batch
	pair, forward, train, _ := stubLayout(s.l.rows)
	done := s.stub + uint64(train-4*len(stubDone))
	if f[0] != neg(4) || f[2] != s.stub || f[3] != s.stub+uint64(pair) || f[6] != s.entry[Forward] || f[9] != s.frame.args[4] ||
		f[1] != 4 || f[4] != 0 || f[5] != 0 || f[7] != 0 || f[8] != 0 || s.batch.budget != 4*s.budget {
		t.Errorf("batch registers %#x", f)
	}
	// Forward runs exactly k blocks, falling into done; train loops.
	if blocks := (done - s.batch.entry) / uint64(4*len(stubRow)); s.batch.entry < s.stub+uint64(forward) || blocks != 4 || (done-s.batch.entry)%uint64(4*len(stubRow)) != 0 {
		t.Errorf("forward batch of 4 enters at %#x: %d blocks before done", s.batch.entry, blocks)
	}
	s.batchFrame(Train, 9)
	if s.batch.entry != s.stub+uint64(train) || s.batch.batch[0] != neg(9) || s.batch.budget != 9*s.budget {
		t.Errorf("train batch of 9: entry %#x, registers %#x", s.batch.entry, s.batch.batch)
	}
	// The outcome's row: x19 + k inside [0, k), else unknown; a normal
	// return with x19 not back at 0 is a register fault.
	for _, tt := range []struct {
		x19  uint64
		want int
	}{{neg(4), 0}, {neg(1), 3}, {0, -1}, {5, -1}, {neg(9), -1}} {
		s.batchFrame(Forward, 4)
		s.frame.row = tt.x19
		var be *BatchError
		if err := s.batchResult(Forward, 4); !errors.As(err, &be) || be.Row != tt.want {
			t.Errorf("x19 %#x: %v, want row %d", tt.x19, err, tt.want)
		}
	}
	no := testSpec()
	s2, _ := New(no)
	if err := s2.Batch(Train, 1); !errors.Is(err, ErrNoEntry) {
		t.Errorf("train batch without the entry: %v", err)
	}
}

// TestBatchErrors: a batch's error names the row or step, and unwraps to
// the fault.
func TestBatchErrors(t *testing.T) {
	flt := &Fault{Kind: FaultDeadline}
	for _, tt := range []struct {
		e    *BatchError
		want string
	}{
		{&BatchError{Entry: Forward, Row: 2, Rows: 5, Err: flt}, "row 3 of 5: budget exceeded"},
		{&BatchError{Entry: Train, Row: 0, Rows: 9, Err: flt}, "step 1 of 9: budget exceeded"},
		{&BatchError{Entry: Forward, Row: -1, Rows: 4, Err: ErrBatchRegisters}, "batch of 4 rows: the batch's row counter did not end at its last row"},
	} {
		if !strings.HasPrefix(tt.e.Error(), tt.want) {
			t.Errorf("%q, want %q...", tt.e.Error(), tt.want)
		}
	}
	var f *Fault
	if !errors.As(error(&BatchError{Err: flt}), &f) || f != flt {
		t.Error("BatchError does not unwrap to its Fault")
	}
}

// neg is -n as a 64-bit register holds it.
func neg(n uint64) uint64 { return -n }
