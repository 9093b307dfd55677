package pl011

import "testing"

// TestDivisors checks the divisors against DDI 0183G's worked example
// (4 MHz for 230400 baud: 1.085 gives IBRD 1, FBRD 5) and the BCM2711's
// UART0 at 48 MHz for 115200 (26.0417: IBRD 26, FBRD 3).
func TestDivisors(t *testing.T) {
	for _, tt := range []struct{ clock, baud, i, f uint32 }{
		{4_000_000, 230_400, 1, 5},
		{48_000_000, 115_200, 26, 3},
		{24_000_000, 115_200, 13, 1},
		{48_000_000, 0, 0, 0},
	} {
		if i, f := Divisors(tt.clock, tt.baud); i != tt.i || f != tt.f {
			t.Errorf("Divisors(%d, %d) = %d, %d; want %d, %d", tt.clock, tt.baud, i, f, tt.i, tt.f)
		}
	}
}
