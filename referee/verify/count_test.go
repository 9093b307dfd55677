package verify

import (
	"encoding/binary"
	"testing"

	"github.com/muscles/referee/muscle"
)

func code(w ...uint32) []byte {
	b := make([]byte, 0, 4*len(w))
	for _, x := range w {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// TestInstructionCount (finding 6): the verifier's count of each entry is
// exact: straight-line code, a loop, nested loops, a loop of 2^40 trips
// that resets its pointer, and the saturation of a count beyond 2^64.
func TestInstructionCount(t *testing.T) {
	const ret = 0xd65f03c0
	cases := []struct {
		name string
		code []byte
		want uint64
	}{
		{"ret", code(ret), 1},
		{"straight", code(0xbd400000, 0xbd000020, ret), 3},
		// x9 = 9; ldr s0, [x0]; subs x9, x9, #1; b.ne; ret
		{"loop", code(0xd2800129, 0xbd400000, 0xf1000529, 0x54ffffc1, ret), 1 + 9*3 + 1},
		// x9 = 3 { x10 = 4 { ldr } }
		{"nested", code(0xd2800069, 0xd280008a, 0xbd400000, 0xf100054a, 0x54ffffc1, 0xf1000529, 0x54ffff61, ret), 1 + 3*(1+4*3+2) + 1},
		// x9 = 2^40
		{"2^40 trips", code(0xd2c02009, 0xbd400000, 0xf1000529, 0x54ffffc1, ret), 1 + 3<<40 + 1},
		// x9 = 2^48 { x10 = 2^48 { ldr } }: more than 2^64
		{"saturates", code(0xd2e00029, 0xd2e0002a, 0xbd400000, 0xf100054a, 0x54ffffc1, 0xf1000529, 0x54ffff61, ret), 1<<64 - 1},
	}
	for _, c := range cases {
		r, err := Verify(c.code, []Entry{{0, Forward}}, bufs64)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if r.Forward != c.want || r.Train != 0 {
			t.Errorf("%s: forward %d, train %d instructions; want %d and 0", c.name, r.Forward, r.Train, c.want)
		}
	}
	// Two entries: each counted on its own.
	r, err := Verify(code(ret, 0xbd400000, ret), []Entry{{0, Forward}, {4, Train}}, bufs64)
	if err != nil || r.Forward != 1 || r.Train != 2 {
		t.Errorf("forward ret, train ldr+ret: %+v, %v; want 1 and 2", r, err)
	}
}

// TestBuffersAreTheABIRegisters: the verifier's buffer ids are the ABI's
// argument registers (muscle/abi.go), which its initial state relies on.
func TestBuffersAreTheABIRegisters(t *testing.T) {
	for b, r := range map[Buffer]int{Input: muscle.RegInput, Output: muscle.RegOutput, State: muscle.RegState, Scratch: muscle.RegScratch, Target: muscle.RegTarget} {
		if int(b) != r {
			t.Errorf("buffer %s is x%d in the verifier, x%d in the ABI", b, b, r)
		}
	}
	if Forward != Kind(muscle.EntryForward) || Train != Kind(muscle.EntryTrain) {
		t.Error("entry kinds differ from the ABI's")
	}
}
