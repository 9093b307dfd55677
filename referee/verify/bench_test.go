package verify

import (
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkVerify verifies each test model's code (forward and train) and
// reports the host's nanoseconds per code instruction (4 bytes), a proxy
// for the verifier's share of a muscle's load on the device.
func BenchmarkVerify(b *testing.B) {
	for _, path := range modelFiles(b) {
		m, mu := compileMuscle(b, path)
		man := manifestOf(m, mu, true)
		b.Run(strings.TrimSuffix(filepath.Base(path), ".py"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := VerifyManifest(mu.Code, man); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(mu.Code)/4), "ns/code-instr")
		})
	}
}
