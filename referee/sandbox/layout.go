package sandbox

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	// PageSize is the translation granule: every region is whole pages.
	PageSize = 4096
	// ReturnAddress is what x30 holds on entry: an unmapped page, so the
	// muscle's final ret ends the call with an instruction abort there.
	ReturnAddress = 0x1000
	// MaxArena bounds one muscle's arena (code, buffers, tables).
	MaxArena = 256 << 20

	entries   = 512 // descriptors per table
	blockL2   = 1 << 21
	blockL1   = 1 << 30
	vaBits    = 39
	vectorLen = 16 // exception vector entries, 0x80 bytes apart
)

// Translation table descriptor bits (ARM ARM D5.3, 4 KiB granule, stage 1).
const (
	descTable  = 0b11      // level 1/2: next-level table
	descPage   = 0b11      // level 3: page
	attrNormal = 1 << 2    // AttrIndx 1: MAIR_EL1 attr1, Normal WB
	apEL1RW    = 0b00 << 6 // EL1 read/write, EL0 none
	apRW       = 0b01 << 6 // EL1 and EL0 read/write
	apEL1RO    = 0b10 << 6 // EL1 read-only, EL0 none
	apRO       = 0b11 << 6 // EL1 and EL0 read-only
	apMask     = 0b11 << 6
	shInner    = 0b11 << 8
	accessFlag = 1 << 10
	pxn        = 1 << 53
	uxn        = 1 << 54
	addrMask   = (1<<48 - 1) &^ (PageSize - 1)

	pageCode    = descPage | attrNormal | apRO | shInner | accessFlag | pxn
	pageBuffer  = descPage | attrNormal | apRW | shInner | accessFlag | pxn | uxn
	pageVectors = descPage | attrNormal | apEL1RO | shInner | accessFlag | uxn
)

// Spec is what a muscle brings: its code and initial state, and the sizes
// in bytes of the buffers the caller provides.
type Spec struct {
	Code                           []byte
	State                          []byte
	Scratch, Input, Output, Target int
	// ForwardEntry and TrainEntry are offsets into Code; a TrainEntry
	// outside the code means the muscle has no train entry.
	ForwardEntry, TrainEntry uint32
	// Rows is how many input and output rows a forward batch may hold
	// (Space.Batch); 0 or 1 is a single row, more than MaxRows is MaxRows.
	Rows int
}

const (
	// MaxRows bounds the rows of one forward batch.
	MaxRows = 64
	// MaxSteps bounds the training steps of one train batch (one EL0
	// entry; the deadline is MaxSteps budgets at most).
	MaxSteps = 1024
	// RowAlign is the alignment of every batch row (the ABI's BufferAlign).
	RowAlign = 16
)

// region is a page-aligned part of the arena: off and size in bytes, size
// a whole number of pages; used is the part the muscle was promised.
type region struct{ off, size, used int }

func (r region) end() int { return r.off + r.size }

// layout places the regions of one arena.
type layout struct {
	vectors, code, state, scratch, input, output, target region
	initial, tables                                      region
	size                                                 int
	stubOff                                              int // the batch stub, in the code pages (writeStub)
	// rows of a forward batch, and the distance in bytes between rows of
	// the input and of the output (used of each is one row)
	rows, inStride, outStride int
}

// pages rounds n bytes up to whole pages, at least one.
func pages(n int) int {
	if n <= 0 {
		return PageSize
	}
	return (n + PageSize - 1) &^ (PageSize - 1)
}

// newLayout places the regions in the order doc.go lists them.
func newLayout(s Spec) (layout, error) {
	var l layout
	for name, n := range map[string]int{"code": len(s.Code), "state": len(s.State), "scratch": s.Scratch,
		"input": s.Input, "output": s.Output, "target": s.Target} {
		if n < 0 || n > MaxArena {
			return l, fmt.Errorf("%s of %d bytes: at most %d", name, n, MaxArena)
		}
	}
	if len(s.Code) == 0 {
		return l, errors.New("no code")
	}
	off := 0
	place := func(n int) region {
		r := region{off: off, size: pages(n), used: n}
		off += r.size
		return r
	}
	l.vectors = place(vectorLen * 0x80)
	// The stub follows the code in its pages (16-byte aligned); used
	// stays the muscle's own code.
	l.rows = min(max(s.Rows, 1), MaxRows)
	_, _, _, stub := stubLayout(l.rows)
	l.code = place(stride(len(s.Code)) + stub)
	l.code.used = len(s.Code)
	l.stubOff = l.code.off + stride(len(s.Code))
	l.state = place(len(s.State))
	l.scratch = place(s.Scratch)
	l.inStride, l.outStride = stride(s.Input), stride(s.Output)
	l.input = place(l.inStride*(l.rows-1) + s.Input)
	l.input.used = s.Input
	l.output = place(l.outStride*(l.rows-1) + s.Output)
	l.output.used = s.Output
	l.target = place(s.Target)
	mapped := off
	l.initial = place(len(s.State))
	// One level-1 table, a level-2 table for each of at most two 1 GiB
	// blocks the mapped part touches, a level-3 table for each 2 MiB block.
	nTables := 1 + 2 + mapped/blockL2 + 2
	l.tables = place(nTables * PageSize)
	l.size = off
	if l.size > MaxArena {
		return l, fmt.Errorf("muscle needs a %d-byte arena: at most %d", l.size, MaxArena)
	}
	return l, nil
}

// stride is the distance between batch rows of n bytes.
func stride(n int) int { return (n + RowAlign - 1) &^ (RowAlign - 1) }

// mapped lists the regions the EL1&0 regime maps, with their page
// attributes.
func (l *layout) mapped() []struct {
	r    region
	attr uint64
} {
	return []struct {
		r    region
		attr uint64
	}{
		{l.vectors, pageVectors}, {l.code, pageCode}, {l.state, pageBuffer}, {l.scratch, pageBuffer},
		{l.input, pageBuffer}, {l.output, pageBuffer}, {l.target, pageBuffer},
	}
}

// tableBuilder writes translation tables into the arena's table region;
// base is the physical (= virtual) address of the arena's first byte.
type tableBuilder struct {
	mem  []byte
	base uint64
	next int // offset of the next free table page
	end  int
}

func (b *tableBuilder) alloc() (int, error) {
	if b.next+PageSize > b.end {
		return 0, errors.New("translation table region exhausted")
	}
	off := b.next
	b.next += PageSize
	clear(b.mem[off : off+PageSize])
	return off, nil
}

func (b *tableBuilder) desc(table, index int) uint64 {
	return binary.LittleEndian.Uint64(b.mem[table+8*index:])
}

func (b *tableBuilder) setDesc(table, index int, d uint64) {
	binary.LittleEndian.PutUint64(b.mem[table+8*index:], d)
}

// next level table for va at this table's index, created on first use.
func (b *tableBuilder) child(table, index int) (int, error) {
	d := b.desc(table, index)
	if d&0b11 == descTable {
		return int(d&addrMask - b.base), nil
	}
	off, err := b.alloc()
	if err != nil {
		return 0, err
	}
	b.setDesc(table, index, (b.base+uint64(off))|descTable)
	return off, nil
}

// mapPage maps the page at virtual (= physical) address va.
func (b *tableBuilder) mapPage(root int, va, attr uint64) error {
	if va>>vaBits != 0 || va%PageSize != 0 {
		return fmt.Errorf("address %#x cannot be mapped", va)
	}
	l2, err := b.child(root, int(va>>30&(entries-1)))
	if err != nil {
		return err
	}
	l3, err := b.child(l2, int(va>>21&(entries-1)))
	if err != nil {
		return err
	}
	b.setDesc(l3, int(va>>12&(entries-1)), va|attr)
	return nil
}

// buildTables writes the vector page and the translation tables for l
// into mem (the arena) at physical address base, and returns the physical
// address of the level-1 table.
func buildTables(l *layout, mem []byte, base uint64) (uint64, error) {
	if base%PageSize != 0 || len(mem) < l.size {
		return 0, errors.New("arena is not page-aligned or too small")
	}
	writeVectors(mem[l.vectors.off:l.vectors.end()])
	b := &tableBuilder{mem: mem, base: base, next: l.tables.off, end: l.tables.end()}
	root, err := b.alloc()
	if err != nil {
		return 0, err
	}
	for _, m := range l.mapped() {
		for off := m.r.off; off < m.r.end(); off += PageSize {
			if err := b.mapPage(root, base+uint64(off), m.attr); err != nil {
				return 0, err
			}
		}
	}
	return base + uint64(root), nil
}

// writeVectors fills the Secure EL1 vector table: entry i (at 0x80*i) is
// "smc #i", which hands the exception to EL3 and tells it which entry ran.
func writeVectors(page []byte) {
	clear(page)
	const smc = 0xD400_0003 // smc #imm16, imm16 at bits 20:5
	for i := 0; i < vectorLen; i++ {
		binary.LittleEndian.PutUint32(page[0x80*i:], smc|uint32(i)<<5)
	}
}

// walk translates va through the tables as the MMU would, returning the
// level-3 descriptor (0 when unmapped).
func walk(mem []byte, base, ttbr, va uint64) uint64 {
	if va>>vaBits != 0 {
		return 0
	}
	table := ttbr
	for level, shift := 1, 30; level <= 3; level, shift = level+1, shift-9 {
		off := table + 8*(va>>uint(shift)&(entries-1)) - base
		if off+8 > uint64(len(mem)) {
			return 0
		}
		d := binary.LittleEndian.Uint64(mem[off:])
		if d&0b11 != 0b11 {
			return 0
		}
		if level == 3 {
			return d
		}
		table = d & addrMask
	}
	return 0
}

// The batch stub (Space.Batch) is the referee's EL0 code for a batch,
// written after the muscle's code in its pages (16-byte aligned; EL0 may
// read and execute it, nobody writes it after New): a row table, then the
// code. The table holds, for each of the Spec.Rows rows, the row's input
// and output addresses, then the state and scratch addresses. The code
// calls the entry once per row, with x0 and x1 at the row's input and
// output and x2..x4 at state, scratch and target, then returns to
// ReturnAddress. Its registers are x19..x28, which the ABI forbids a
// muscle to write (the others are zero):
//
//	x19 row - rows (counts up to 0), x20 rows (never 0: the trampoline
//	tells a batch by it), x21 the row table, x22 the table's state and
//	scratch, x25 the entry, x28 the target
//
// Forward is unrolled, one block of stubRow per row, entered at the block
// of the first of the last k rows' (Space.batchFrame): a row costs 5
// instructions besides the muscle's (an ldp for input and output, one for
// state and scratch, a mov for the target, the blr, the count). Train
// repeats row 0 in a loop (up to MaxSteps, 7 a step). A muscle that
// writes the stub's registers anyway only misdirects its own batch inside
// its own pages (the regime still confines it, the deadline still stops
// it); Batch reports a batch whose counter does not end at 0.
var (
	stubRow = [...]uint32{
		0xa8c106a0, // ldp x0, x1, [x21], #16 (the row's input and output)
		0xa9400ec2, // ldp x2, x3, [x22]
		0xaa1c03e4, // mov x4, x28
		0xd63f0320, // blr x25
		0x91000673, // add x19, x19, #1
	}
	stubDone = [...]uint32{
		0xd282001e, // done: mov x30, #ReturnAddress
		0xd65f03c0, // ret
	}
	stubTrain = [...]uint32{
		0xa94006a0, // train: ldp x0, x1, [x21] (row 0)
		0xa9400ec2, // ldp x2, x3, [x22]
		0xaa1c03e4, // mov x4, x28
		0xd63f0320, // blr x25
		0xb1000673, // adds x19, x19, #1
		0x54ffff61, // b.ne train
		0x17fffff8, // b done
	}
)

// stubLayout is where the parts of a batch stub for rows rows lie, in
// bytes from its start: the row table, the state and scratch pair, the
// forward blocks, the train loop; size is the whole stub.
func stubLayout(rows int) (pair, forward, train, size int) {
	pair = 16 * rows
	forward = pair + 16
	train = forward + 4*(rows*len(stubRow)+len(stubDone))
	return pair, forward, train, train + 4*len(stubTrain)
}

// stubCode is the batch stub's code for MaxRows rows (the forward blocks,
// done, the train loop), encoded once; a stub for fewer rows is its tail.
var stubCode = func() []byte {
	var w []uint32
	for i := 0; i < MaxRows; i++ {
		w = append(w, stubRow[:]...)
	}
	w = append(append(w, stubDone[:]...), stubTrain[:]...)
	b := make([]byte, 4*len(w))
	for i, x := range w {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}()

// writeStub writes the batch stub for l's rows into b (its start), for
// an arena at base.
func writeStub(b []byte, l *layout, base uint64) {
	pair, forward, _, size := stubLayout(l.rows)
	in, out := base+uint64(l.input.off), base+uint64(l.output.off)
	for i := 0; i < l.rows; i++ {
		binary.LittleEndian.PutUint64(b[16*i:], in+uint64(i*l.inStride))
		binary.LittleEndian.PutUint64(b[16*i+8:], out+uint64(i*l.outStride))
	}
	binary.LittleEndian.PutUint64(b[pair:], base+uint64(l.state.off))
	binary.LittleEndian.PutUint64(b[pair+8:], base+uint64(l.scratch.off))
	copy(b[forward:size], stubCode[len(stubCode)-(size-forward):])
}
