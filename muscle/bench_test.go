package muscle

import (
	"fmt"
	"testing"
)

// benchInput is a muscle whose code and state together are size bytes.
func benchInput(size int) *Input {
	in := neuronInput()
	stateLen := 20
	in.Code = make([]byte, (size-stateLen)&^3)
	for i := range in.Code {
		in.Code[i] = byte(i)
	}
	copy(in.Code[len(in.Code)-4:], words(InstrRet))
	return in
}

var benchSizes = []int{100, 10 << 10, 1 << 20}

func sizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

func BenchmarkSeal(b *testing.B) {
	f := newFixture(b, "bench", map[string]Capabilities{"alice": CapAll})
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			in := benchInput(size)
			b.SetBytes(int64(size))
			var blob []byte
			for b.Loop() {
				blob = f.seal(b, "alice", in)
			}
			b.ReportMetric(float64(len(blob)), "blob-bytes")
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	f := newFixture(b, "bench", map[string]Capabilities{"alice": CapAll})
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			blob := f.seal(b, "alice", benchInput(size))
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := Open(blob, f.record, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(blob)), "blob-bytes")
		})
	}
}
