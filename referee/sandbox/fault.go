package sandbox

import "fmt"

// FaultKind says how a call ended other than by the muscle's ret.
type FaultKind int

const (
	// FaultDeadline: the budget ran out (the deadline interrupt).
	FaultDeadline FaultKind = iota + 1
	// FaultUndefined: an undefined or unallocated instruction, which at
	// EL0 includes smc, hvc and hlt (semihosting).
	FaultUndefined
	// FaultSystem: a system register access, cache or TLB maintenance, or
	// WFI/WFE, trapped from EL0.
	FaultSystem
	// FaultSupervisorCall: svc.
	FaultSupervisorCall
	// FaultBreakpoint: brk or another debug exception.
	FaultBreakpoint
	// FaultMemory: a load or store outside the muscle's buffers, or a
	// store to its code.
	FaultMemory
	// FaultFetch: a branch outside the muscle's code.
	FaultFetch
	// FaultAlignment: a misaligned PC or SP.
	FaultAlignment
	// FaultOther: any other exception (reported with its syndrome).
	FaultOther
)

var faultCodes = map[FaultKind]string{
	FaultDeadline: "deadline", FaultUndefined: "undefined-instruction", FaultSystem: "system-instruction",
	FaultSupervisorCall: "svc", FaultBreakpoint: "breakpoint", FaultMemory: "memory-fault",
	FaultFetch: "fetch-fault", FaultAlignment: "alignment-fault", FaultOther: "exception",
}

// Code is the fault's short machine-readable name ("deadline",
// "memory-fault", ...).
func (k FaultKind) Code() string {
	if c, ok := faultCodes[k]; ok {
		return c
	}
	return "exception"
}

// Fault is a call that the muscle did not end with its ret.
type Fault struct {
	Kind FaultKind
	// ESR is the syndrome (ESR_EL1 for exceptions from EL0, ESR_EL3
	// otherwise); Addr the faulting address (FAR_EL1) for memory faults;
	// PC the muscle's program counter, Offset its offset in the code (-1
	// when the PC was outside the code).
	ESR, Addr, PC uint64
	Offset        int64
	Write         bool
	detail        string
}

func (f *Fault) Error() string {
	where := fmt.Sprintf("at pc %#x", f.PC)
	if f.Offset >= 0 {
		where = fmt.Sprintf("at code offset %#x", f.Offset)
	}
	switch f.Kind {
	case FaultDeadline:
		return "budget exceeded: stopped by the deadline interrupt"
	case FaultMemory:
		op := "read from"
		if f.Write {
			op = "write to"
		}
		return fmt.Sprintf("%s %#x (%s) %s", op, f.Addr, f.detail, where)
	case FaultFetch:
		return fmt.Sprintf("instruction fetch from %#x (%s)", f.Addr, f.detail)
	case FaultUndefined:
		return "undefined instruction " + where + " (smc, hvc and hlt are undefined at EL0)"
	case FaultSystem:
		return "system instruction trapped " + where
	case FaultSupervisorCall:
		return "svc " + where
	case FaultBreakpoint:
		return "breakpoint " + where
	case FaultAlignment:
		return "misaligned pc or sp " + where
	}
	return fmt.Sprintf("%s (syndrome %#x) %s", f.detail, f.ESR, where)
}

// Exception classes (ESR_ELx.EC, ARM ARM D17.2.37).
const (
	ecUnknown     = 0x00
	ecWFx         = 0x01
	ecFP          = 0x07
	ecIllegal     = 0x0E
	ecSVC64       = 0x15
	ecSMC64       = 0x17
	ecSysReg      = 0x18
	ecInstrAbort  = 0x20
	ecPCAlign     = 0x22
	ecDataAbort   = 0x24
	ecSPAlign     = 0x26
	ecBreakpoint  = 0x30
	ecSoftStep    = 0x32
	ecWatchpoint  = 0x34
	ecBRK         = 0x3C
	el1LowerSync  = 8 // EL1 vector entry: synchronous, from lower EL (AArch64)
	el3LowerSync  = 8 // EL3 vector entries, likewise
	el3LowerIRQ   = 9
	el3LowerFIQ   = 10
	el3LowerSErr  = 11
	timerISTATUS  = 1 << 2
	wnr           = 1 << 6
	fscTypeMask   = 0b111100
	fscTranslate  = 0b000100
	fscAccessFlag = 0b001000
	fscPermission = 0b001100
)

// outcome is what the EL3 vector recorded about the end of a call.
type outcome struct {
	vector, esr3, esr1, elr1, far1, timer uint64
}

// esrReturn is ESR_EL3 after "smc #el1LowerSync" from the EL1 vector:
// EC SMC64, IL (a 32-bit instruction), the immediate, nothing else.
const esrReturn = ecSMC64<<26 | 1<<25 | el1LowerSync

// returned says whether the call ended with the muscle's ret: an
// instruction abort at ReturnAddress, taken to Secure EL1 and handed on
// with "smc #el1LowerSync" (the trampoline's own check, which sets
// frame.ok, is the same).
func (o *outcome) returned() bool {
	return o.vector == el3LowerSync && o.esr3 == esrReturn && o.esr1>>26&0x3F == ecInstrAbort && o.far1 == ReturnAddress
}

// decode turns an outcome into nil (the muscle returned) or a Fault; code
// and codeSize locate the muscle's code for offsets.
func decode(o outcome, code, codeSize uint64) *Fault {
	if o.returned() {
		return nil
	}
	ec1 := o.esr1 >> 26 & 0x3F
	f := &Fault{Kind: FaultOther, PC: o.elr1, Offset: -1, ESR: o.esr1}
	switch o.vector {
	case el3LowerIRQ, el3LowerFIQ:
		f.Kind, f.ESR, f.detail = FaultDeadline, 0, "interrupt"
		if o.timer&timerISTATUS == 0 {
			f.Kind, f.detail = FaultOther, "unexpected interrupt"
		}
		f.PC = 0 // ELR_EL3 is not kept: the deadline can land anywhere
	case el3LowerSErr:
		f.detail, f.ESR = "SError", o.esr3
	case el3LowerSync:
		if o.esr3>>26&0x3F != ecSMC64 {
			f.detail, f.ESR = "synchronous exception taken to EL3", o.esr3
			break
		}
		if o.esr3&0xFFFF != el1LowerSync {
			f.detail = fmt.Sprintf("exception in the Secure EL1 vector (entry %d)", o.esr3&0xFFFF)
			break
		}
		classify(f, ec1, o.esr1, o.far1)
	default:
		f.detail, f.ESR = fmt.Sprintf("exception at EL3 during the call (vector entry %d)", o.vector), o.esr3
	}
	if f.PC >= code && f.PC < code+codeSize {
		f.Offset = int64(f.PC - code)
	}
	return f
}

// classify fills in a fault from an EL0 synchronous exception's syndrome.
func classify(f *Fault, ec, esr, far uint64) {
	switch ec {
	case ecUnknown, ecIllegal:
		f.Kind = FaultUndefined
	case ecWFx, ecSysReg, ecFP:
		f.Kind = FaultSystem
	case ecSVC64:
		f.Kind = FaultSupervisorCall
		f.PC -= 4 // ELR holds the instruction after the svc
	case ecBRK, ecBreakpoint, ecSoftStep, ecWatchpoint:
		f.Kind = FaultBreakpoint
	case ecPCAlign, ecSPAlign:
		f.Kind = FaultAlignment
	case ecDataAbort:
		f.Kind, f.Addr, f.Write, f.detail = FaultMemory, far, esr&wnr != 0, faultStatus(esr)
	case ecInstrAbort:
		f.Kind, f.Addr, f.detail = FaultFetch, far, faultStatus(esr)
	default:
		f.detail = fmt.Sprintf("exception class %#x", ec)
	}
}

func faultStatus(esr uint64) string {
	switch esr & fscTypeMask {
	case fscTranslate:
		return "not mapped"
	case fscPermission:
		return "permission"
	case fscAccessFlag:
		return "access flag"
	}
	return fmt.Sprintf("fault status %#x", esr&0x3F)
}
