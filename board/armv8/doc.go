// Package armv8 holds what every ARMv8-A board of the referee shares,
// written once: the generic timer (clock, idle wake-up, budget conversion),
// the performance monitors' instruction counter, the edit of TamaGo's EL3
// translation tables that unmaps the key region, semihosting power-off,
// the ID registers' crypto features, physical-memory helpers, a device
// probe that survives an abort, the DRBG boards serve random numbers
// from, and what a board does differently under QEMU (budget scale,
// power-off).
//
// Board packages (board/qemu/virt, board/nxp/imx8mpevk,
// board/raspberrypi/rpi4b) build on it; the tick arithmetic (ticks.go) also
// builds on the host, where it is tested.
package armv8
