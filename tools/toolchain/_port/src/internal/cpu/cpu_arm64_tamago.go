// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build arm64 && tamago

package cpu

// On bare metal the program runs at the highest exception level, where the
// ID registers are readable, so features come straight from them (as on
// FreeBSD, whose kernel emulates the reads).
func osInit() {
	parseARM64SystemRegisters(getisar0(), getpfr0())
}
