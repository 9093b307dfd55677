// Copyright 2026 The referee authors. Part of the project's bare-metal port.

//go:build tamago

// GOOS=tamago: the Go runtime on bare metal, with no operating system below
// it. Everything the runtime would ask an OS for is either done here (memory
// from one linear region, see mem_tamago.go) or asked of the hooks in
// runtime/goos, which the board support package provides and which the go
// command resolves through GOOSPKG.

package runtime

import (
	"internal/abi"
	"internal/runtime/atomic"
	"runtime/goos"
	"unsafe"
)

type mOS struct {
	waitsemacount uint32
}

type sigset struct{}
type gsignalStack struct{}

const _NSIG = 0
const _SIGSEGV = 0xb

const preemptMSupported = false

// The board's hooks, called from the runtime's own assembly (an assembly
// file may only call Go functions of its own package).

//go:nosplit
func hwinit0() { goos.Hwinit0() }

func hwinit1() { goos.Hwinit1() }

//go:nosplit
func nanotime1() int64 { return goos.Nanotime() }

//go:nosplit
func walltime() (sec int64, nsec int32) {
	ns := nanotime()
	return ns / 1e9, int32(ns % 1e9)
}

//go:nosplit
func cputicks() int64 { return nanotime() }

func osinit() {
	if randomizeHeapBase {
		// It would need randinit, and so InitRNG, before mallocinit.
		throw("tamago: a randomized heap base is not supported")
	}
	physPageSize = 4096
	numCPUStartup = getCPUCount()
	initBloc()
	if goos.Bloc != 0 {
		bloc = goos.Bloc
		blocMax = bloc
	}
	osIdle = tamagoIdle
}

func getCPUCount() int32 { return 1 }

// tamagoIdle runs when no goroutine is ready: it lets the board put the CPU
// to sleep until pollUntil (the next timer, 0 if none) and then has the
// scheduler look again, since an interrupt may have readied a goroutine.
func tamagoIdle(now, pollUntil int64) bool {
	if goos.Idle != nil {
		goos.Idle(pollUntil)
	}
	return true
}

var rngReady bool

// readRandom seeds the runtime (randinit, from schedinit) and backs
// GetRandomData. Its first call runs the board's InitRNG, once, which may
// allocate: the port calls randinit after mallocinit rather than before it
// as upstream does (edits.go, src/runtime/proc.go), so that call comes with a
// heap, as in TamaGo's runtime, where the order is hwinit0, osinit,
// schedinit (mallocinit, then randinit and InitRNG), hwinit1. Before Hwinit1
// the board has no exception vectors and may not have started its timers
// (under QEMU, imx8mp's InitRNG seeds its DRBG from time.Now, which reads 0
// until its Hwinit1 starts the generic timer; tamago-go behaves the same).
func readRandom(r []byte) int {
	if !rngReady {
		goos.InitRNG()
		rngReady = true
	}
	goos.GetRandomData(r)
	return len(r)
}

// GetRandomData fills b from the board's random source.
func GetRandomData(b []byte) { readRandom(b) }

// goenvs: there is no environment, but an empty one is not a missing one.
func goenvs() { envs = make([]string, 0) }

//go:nosplit
func write1(fd uintptr, p unsafe.Pointer, n int32) int32 {
	if fd != 1 && fd != 2 {
		return -9 // EBADF: only standard output and error exist
	}
	for i := int32(0); i < n; i++ {
		goos.Printk(*(*byte)(add(p, uintptr(i))))
	}
	return n
}

//go:nosplit
func usleep(usec uint32) {
	until := nanotime() + int64(usec)*1000
	for nanotime() < until {
	}
}

//go:nosplit
func usleep_no_g(usec uint32) { usleep(usec) }

func exit(code int32) {
	if goos.Exit != nil {
		goos.Exit(code)
	}
	print("exit status ", code, ", halting\n")
	for {
	}
}

func exitThread(wait *atomic.Uint32) { throw("exitThread: no threads on tamago") }

//go:nosplit
func semacreate(mp *m) {}

// semasleep waits for semawakeup, which on one CPU only an interrupt
// handler or another hardware thread (goos.Task) can issue.
//
//go:nosplit
func semasleep(ns int64) int32 {
	mp := getg().m
	deadline := nanotime() + ns
	for {
		if v := atomic.Load(&mp.waitsemacount); v > 0 && atomic.Cas(&mp.waitsemacount, v, v-1) {
			return 0
		}
		if ns >= 0 && nanotime() >= deadline {
			return -1
		}
	}
}

//go:nosplit
func semawakeup(mp *m) { atomic.Xadd(&mp.waitsemacount, 1) }

//go:nosplit
func osyield() {}

//go:nosplit
func osyield_no_g() {}

//go:nowritebarrier
func newosproc(mp *m) {
	if goos.Task == nil {
		throw("newosproc: no hardware threads (runtime/goos.Task is not set)")
	}
	stk := sysAlloc(threadStackSize, &memstats.stacks_sys, "hardware thread stack")
	if stk == nil {
		throw("newosproc: out of memory for a thread stack")
	}
	goos.Task(add(stk, threadStackSize), unsafe.Pointer(mp), unsafe.Pointer(mp.g0), unsafe.Pointer(abi.FuncPCABI0(mstart)))
}

const threadStackSize = 256 << 10

func mpreinit(mp *m) {
	mp.gsignal = malg(32 * 1024)
	mp.gsignal.m = mp
}

func minit() {
	if goos.ProcID != nil {
		getg().m.procid = goos.ProcID()
	}
}

func unminit()                       {}
func mdestroy(mp *m)                 {}
func sigsave(p *sigset)              {}
func msigrestore(sigmask sigset)     {}
func clearSignalHandlers()           {}
func sigblock(exiting bool)          {}
func initsig(preinit bool)           {}
func setProcessCPUProfiler(hz int32) {}
func setThreadCPUProfiler(hz int32)  {}
func sigdisable(uint32)              {}
func sigenable(uint32)               {}
func sigignore(uint32)               {}
func preemptM(mp *m)                 {}
func signame(sig uint32) string      { return "" }

func sigpanic() {
	gp := getg()
	if !canpanic() {
		throw("unexpected fault during runtime execution")
	}
	gp.sig = _SIGSEGV
	panicmem()
}

//go:nosplit
func crash() { *(*int32)(nil) = 0 }

//go:linkname os_sigpipe os.sigpipe
func os_sigpipe() { throw("write to a closed pipe") }

//go:linkname syscall_now syscall.now
func syscall_now() (sec int64, nsec int32) {
	sec, nsec, _ = time_now()
	return
}

// There are no files: these exist so that code written for an OS links.
func open(name *byte, mode, perm int32) int32        { return -1 }
func closefd(fd int32) int32                         { return -1 }
func read(fd int32, p unsafe.Pointer, n int32) int32 { return -1 }

// MemRegion returns the start and end of the RAM given to the runtime.
func MemRegion() (start uint64, end uint64) {
	return uint64(goos.RamStart), uint64(goos.RamStart + goos.RamSize)
}

// TextRegion returns the start and end of the program's instructions.
func TextRegion() (start uint64, end uint64) {
	return uint64(firstmoduledata.text), uint64(firstmoduledata.etext)
}

// DataRegion returns the start and end of the program's global variables.
func DataRegion() (start uint64, end uint64) {
	return uint64(firstmoduledata.data), uint64(firstmoduledata.enoptrbss)
}

// GetG returns the current goroutine and its P, for interrupt handlers that
// later wake the goroutine with WakeG.
func GetG() (gp uint, pp uint)

// WakeG makes the timer of a goroutine sleeping in time.Sleep fire at once.
// It is called from assembly (interrupt context) with the g in R0, touches no
// stack, and returns 0 in R0 on success and 1 if the goroutine has no pending
// timer.
func WakeG()

// Wake is WakeG for Go callers; it reports whether the timer was found.
func Wake(gp uint) bool

//go:linkname syscall_consoleWrite syscall.consoleWrite
func syscall_consoleWrite(fd uintptr, b []byte) int32 {
	if len(b) == 0 {
		return 0
	}
	return write(fd, unsafe.Pointer(&b[0]), int32(len(b)))
}
