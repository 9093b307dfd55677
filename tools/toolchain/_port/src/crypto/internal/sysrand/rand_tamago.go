// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

package sysrand

import "runtime"

// read fills b from the board's random source (runtime/goos.GetRandomData),
// which the board seeds from hardware and whitens through a DRBG.
func read(b []byte) error {
	runtime.GetRandomData(b)
	return nil
}
