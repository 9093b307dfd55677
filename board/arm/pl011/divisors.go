package pl011

// Divisors returns the integer and fractional baud-rate divisors for a
// reference clock of clockHz and a rate of baud (DDI 0183G 3.3.6: the
// divisor is clockHz / (16 × baud), its fraction in 64ths, rounded).
func Divisors(clockHz, baud uint32) (integer, fraction uint32) {
	if baud == 0 {
		return 0, 0
	}
	// 64 × 4 × clock / (16 × 4 × baud), rounded to the nearest 64th.
	d := (uint64(clockHz)*4 + uint64(baud)/2) / uint64(baud)
	return uint32(d >> 6), uint32(d & 63)
}
