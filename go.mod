module github.com/muscles/referee

go 1.26.0

require (
	github.com/u-root/u-root v0.16.0
	github.com/usbarmory/tamago v1.26.0
	golang.org/x/arch v0.33.0
	golang.org/x/term v0.48.0
	lukechampine.com/blake3 v1.4.1
)

require (
	github.com/dustin/go-humanize v1.0.1 // indirect
	github.com/klauspost/cpuid/v2 v2.0.9 // indirect
	github.com/pierrec/lz4/v4 v4.1.22 // indirect
	github.com/u-root/uio v0.0.0-20240224005618-d2acac8f3701 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
