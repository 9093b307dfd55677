// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

package time

// Bare metal has no zoneinfo files and no configured zone: local time is UTC
// unless the program loads a zone (time/tzdata embeds the database).

var platformZoneSources []string

func initLocal() {
	localLoc.name = "UTC"
}
