// Package armv8 holds what every ARMv8-A board of the referee shares,
// written once: the generic timer (clock, idle wake-up, budget conversion),
// the performance monitors' instruction counter, the edit of TamaGo's EL3
// translation tables that unmaps the key region, semihosting power-off,
// the ID registers' crypto features, and physical-memory helpers.
//
// Board packages (board/qemu/virt, board/nxp/imx8mpevk) build on it; the
// tick arithmetic (ticks.go) also builds on the host, where it is tested.
package armv8
