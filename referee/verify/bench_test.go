package verify

import (
	"path/filepath"
	"testing"
)

// BenchmarkVerify measures the verifier on the host, per model, and reports
// its cost per code instruction (ns/insn): a proxy for the referee's load
// cost, whose figure on the device is the verify phase of BenchmarkReferee
// (qemu/referee_bench_test.go).
func BenchmarkVerify(b *testing.B) {
	for _, path := range []string{
		"../../compiler/frontend/testdata/models/single_neuron.py",
		"../../compiler/frontend/testdata/models/tanh_mlp.py",
		"../../compiler/codegen/testdata/mlp784.py",
	} {
		m, mu := compileMuscle(b, path)
		man := manifestOf(m, mu, true)
		b.Run(filepath.Base(path), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := VerifyManifest(mu.Code, man); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(mu.Code)/4), "ns/insn")
		})
	}
}
