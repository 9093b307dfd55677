package codegen

import (
	A "github.com/muscles/referee/compiler/arm64"
)

// The post-emission scheduler reorders the instructions of each
// straight-line block of an entry for the in-order, dual-issue Cortex-A53,
// keeping every register, flag and memory dependency. A block is a
// maximal run of instructions with no label bound inside it and no branch
// in it; labels and branches stay where they are, so loop trip counts,
// branch targets, the instruction count and the executed count are
// unchanged.
//
// The machine model follows llvm-mca's cortex-a53 model: integer ALU ops
// take 3 cycles on two pipes, loads and stores 4 on the single load/store
// pipe (a four-register LD1 7, holding it 4 cycles), FP and NEON ops 6 (multiply-accumulate 10, division 18, square
// root 33) on one FP pipe; at most two instructions issue per cycle, in
// order, and results are written back in order (an instruction waits until
// its result would not be written before an older one's). For each block
// a cycle-driven list scheduler builds schedules under a few priority
// functions (critical path first, short latencies first, ties by original
// order); the model simulates them and the original order, and the
// fastest is kept, the original on a tie, so the result is deterministic
// and never slower on the model than the code as emitted.

// pipe is the A53 issue resource an instruction occupies.
type pipe uint8

const (
	pipeALU pipe = iota
	pipeLdSt
	pipeFP
	numPipes
)

var pipeWidth = [numPipes]int{pipeALU: 2, pipeLdSt: 1, pipeFP: 1}

// timing returns the result latency, the pipe and the cycles the pipe
// stays busy for in.
func timing(in A.Instr) (lat int, p pipe, busy int) {
	switch in.Op {
	case A.MOVZ, A.MOVK, A.ADDImm, A.SUBImm, A.SUBSImm, A.CMPImm, A.ADDShift:
		return 3, pipeALU, 1
	case A.LDR, A.LDRPost, A.LD1R:
		return 4, pipeLdSt, 1
	case A.LDP:
		return 4, pipeLdSt, 2
	case A.LD1x4:
		return 7, pipeLdSt, 4
	case A.STR, A.STRPost, A.STP:
		return 4, pipeLdSt, 1 // the latency only matters for the write-back order
	case A.FMADD, A.FMSUB, A.FNMSUB, A.VFMLA, A.VFMLS, A.VFMLAElem, A.FMLAElemS:
		return 10, pipeFP, 1
	case A.FDIV, A.VFDIV:
		return 18, pipeFP, 14
	case A.FSQRT:
		return 33, pipeFP, 29
	}
	return 6, pipeFP, 1
}

// mayAlias reports whether two memory accesses may overlap. Accesses
// through two different buffer bases never do; through the same base they
// overlap when their byte ranges do; through any other register (address
// cache, loop pointers) they may overlap anything.
func mayAlias(bases bufferBases, a, b A.MemAccess) bool {
	if !bases.has(a.Base) || !bases.has(b.Base) {
		return true
	}
	if a.Base != b.Base {
		return false
	}
	return a.Off < b.Off+b.Size && b.Off < a.Off+a.Size
}

// schedWindow bounds the instructions scheduled together, so the quadratic
// graph construction stays cheap on long unrolled blocks.
const schedWindow = 256

// scheduleEntry reorders each straight-line block of the program in a,
// whose buffer bases are bases.
func scheduleEntry(a *A.Assembler, bases bufferBases) {
	a.Reorder(func(ins []A.Instr, labelled []bool) {
		start := 0
		for i := 0; i <= len(ins); i++ {
			end := i == len(ins) || ins[i].IsBranch() || (labelled[i] && i > start)
			if !end {
				continue
			}
			hi := pinnedTail(ins, labelled, start, i)
			for lo := start; lo < hi; lo += schedWindow {
				scheduleBlock(ins[lo:min(lo+schedWindow, hi)], bases)
			}
			if i < len(ins) && ins[i].IsBranch() {
				start = i + 1
			} else {
				start = i
			}
		}
	})
}

// schedNode is one instruction of a block in the dependency graph.
type schedNode struct {
	in    A.Instr
	lat   int
	pipe  pipe
	busy  int
	succs []schedEdge
	npred int // predecessors
	prio  int // longest latency path from here to the end of the block
}

type schedEdge struct {
	to, lat int
}

// blockDeps builds the dependency graph of a block: read-after-write
// edges carry the producer's latency, write-after-read and
// write-after-write edges keep the order (latency 0 and 1), and memory
// accesses that may alias, one of them a store, keep their order.
func blockDeps(block []A.Instr, bases bufferBases) []schedNode {
	nodes := make([]schedNode, len(block))
	var lastDef [A.NumUnits]int
	var readers [A.NumUnits][]int
	for u := range lastDef {
		lastDef[u] = -1
	}
	type memRef struct {
		idx int
		m   A.MemAccess
	}
	var mems []memRef
	seen := map[[2]int]int{} // edge (from, to) -> index in succs
	edge := func(from, to, lat int) {
		if from < 0 || from == to {
			return
		}
		k := [2]int{from, to}
		if j, ok := seen[k]; ok {
			if e := &nodes[from].succs[j]; e.lat < lat {
				e.lat = lat
			}
			return
		}
		seen[k] = len(nodes[from].succs)
		nodes[from].succs = append(nodes[from].succs, schedEdge{to, lat})
		nodes[to].npred++
	}
	// The buffer bases are never written by generated code; should a block
	// write one anyway, no two of its memory accesses are assumed distinct.
	basesFixed := true
	for _, in := range block {
		if defs, _ := in.DefUse(); bases.written(defs) {
			basesFixed = false
		}
	}
	for i, in := range block {
		n := &nodes[i]
		n.in = in
		n.lat, n.pipe, n.busy = timing(in)
		defs, uses := in.DefUse()
		for _, u := range uses {
			edge(lastDef[u], i, nodes[max(lastDef[u], 0)].lat)
		}
		if m, ok := in.Mem(); ok {
			for _, p := range mems {
				if (m.Store || p.m.Store) && (!basesFixed || mayAlias(bases, m, p.m)) {
					edge(p.idx, i, 1)
				}
			}
			mems = append(mems, memRef{i, m})
		}
		for _, u := range defs {
			for _, r := range readers[u] {
				edge(r, i, 0)
			}
			edge(lastDef[u], i, 1)
		}
		for _, u := range uses {
			readers[u] = append(readers[u], i)
		}
		for _, u := range defs {
			lastDef[u] = i
			readers[u] = readers[u][:0]
		}
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		p := nodes[i].lat
		for _, e := range nodes[i].succs {
			p = max(p, e.lat+nodes[e.to].prio)
		}
		nodes[i].prio = p
	}
	return nodes
}

// pinnedTail returns where the schedulable part of the block ins[start:end]
// ends. A loop keeps its canonical shape, which tools read back (the
// compiler/bench profiler simulates trip counts from it): the MOVZ/MOVK
// run that sets the counter stays right before the loop head's label, and
// the SUBS #1 that counts down stays right before the back-edge B.cond.
func pinnedTail(ins []A.Instr, labelled []bool, start, end int) int {
	hi := end
	if end == len(ins) {
		return hi
	}
	if ins[end].Op == A.BCond && hi > start && ins[hi-1].Op == A.SUBSImm {
		hi--
	}
	if labelled[end] {
		for hi > start && (ins[hi-1].Op == A.MOVZ || ins[hi-1].Op == A.MOVK) {
			hi--
		}
	}
	return hi
}

// scheduleBlock reorders block in place: it builds list schedules under
// a few priority functions, simulates each (and the original order) on the
// machine model, and keeps the fastest, the original order on a tie.
func scheduleBlock(block []A.Instr, bases bufferBases) {
	if len(block) < 2 {
		return
	}
	nodes := blockDeps(block, bases)
	best := make([]int, len(nodes))
	for i := range best {
		best[i] = i
	}
	bestCost := simulate(nodes, best)
	for _, key := range schedKeys {
		order := listSchedule(nodes, key)
		if c := simulate(nodes, order); c < bestCost {
			best, bestCost = order, c
		}
	}
	out := make([]A.Instr, len(block))
	for k, i := range best {
		out[k] = nodes[i].in
	}
	copy(block, out)
}

// schedKeys are the priority functions tried: the critical path first;
// the critical path with short latencies first among equals; short
// latencies first. The model's in-order write-back (an instruction may not
// write its result before an older one) makes issuing a long-latency
// operation early block the short ones behind it, so which order wins
// depends on the block.
var schedKeys = []func(n *schedNode) int{
	func(n *schedNode) int { return n.prio },
	func(n *schedNode) int { return 64*n.prio - n.lat },
	func(n *schedNode) int { return 64*(64-n.lat) + n.prio },
}

// machine is the state of the in-order issue model while a schedule is
// laid out.
type machine struct {
	pipeFree [numPipes][]int // per pipe unit, the cycle it is free again
	lastWB   int             // the latest result cycle of an issued instruction
}

func newMachine() *machine {
	m := &machine{}
	for p := range m.pipeFree {
		m.pipeFree[p] = make([]int, pipeWidth[p])
	}
	return m
}

// unit returns a unit of pipe p free at cycle, or -1.
func (m *machine) unit(p pipe, cycle int) int {
	for k, c := range m.pipeFree[p] {
		if c <= cycle {
			return k
		}
	}
	return -1
}

// canIssue reports whether n may issue at cycle (operands aside): its
// pipe has a free unit and its result is not written before an older
// instruction's.
func (m *machine) canIssue(n *schedNode, cycle int) bool {
	return m.unit(n.pipe, cycle) >= 0 && cycle+n.lat >= m.lastWB
}

func (m *machine) issue(n *schedNode, cycle int) {
	m.pipeFree[n.pipe][m.unit(n.pipe, cycle)] = cycle + n.busy
	m.lastWB = max(m.lastWB, cycle+n.lat)
}

// simulate returns the cycle the block's last result is written when its
// nodes issue in order (a topological order of the graph), at most two
// per cycle.
func simulate(nodes []schedNode, order []int) int {
	m := newMachine()
	ready := make([]int, len(nodes))
	cycle, slot := 0, 0
	for _, i := range order {
		n := &nodes[i]
		c := max(cycle, ready[i])
		for !m.canIssue(n, c) {
			c++
		}
		if c > cycle {
			cycle, slot = c, 0
		}
		m.issue(n, cycle)
		for _, e := range n.succs {
			ready[e.to] = max(ready[e.to], cycle+e.lat)
		}
		if slot++; slot == 2 {
			cycle, slot = cycle+1, 0
		}
	}
	return m.lastWB
}

// listSchedule returns a topological order of nodes: cycle by cycle, up
// to two ready instructions that the machine can issue, the one with the
// highest key first, ties by original order.
func listSchedule(nodes []schedNode, key func(*schedNode) int) []int {
	npred := make([]int, len(nodes))
	ready := make([]int, len(nodes))
	var cands []int // nodes with every predecessor scheduled, ascending
	for i := range nodes {
		npred[i] = nodes[i].npred
		if npred[i] == 0 {
			cands = append(cands, i)
		}
	}
	m := newMachine()
	order := make([]int, 0, len(nodes))
	for cycle := 0; len(order) < len(nodes); cycle++ {
		for slot := 0; slot < 2; slot++ {
			best := -1
			for k, i := range cands {
				n := &nodes[i]
				if ready[i] > cycle || !m.canIssue(n, cycle) {
					continue
				}
				if best < 0 || key(n) > key(&nodes[cands[best]]) {
					best = k
				}
			}
			if best < 0 {
				break
			}
			idx := cands[best]
			cands = append(cands[:best], cands[best+1:]...)
			n := &nodes[idx]
			m.issue(n, cycle)
			order = append(order, idx)
			for _, e := range n.succs {
				npred[e.to]--
				ready[e.to] = max(ready[e.to], cycle+e.lat)
				if npred[e.to] == 0 {
					cands = insertSorted(cands, e.to)
				}
			}
		}
	}
	return order
}

// insertSorted inserts v into the ascending slice s.
func insertSorted(s []int, v int) []int {
	k := len(s)
	for k > 0 && s[k-1] > v {
		k--
	}
	s = append(s, 0)
	copy(s[k+1:], s[k:])
	s[k] = v
	return s
}
