//go:build tamago && arm64

package imx8mpevk

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/muscles/referee/board/armv8"
	"github.com/muscles/referee/board/nxp/imx8mpevk/layout"
)

// A minimal polled driver for an SD card (SDSC, SDHC or SDXC) on one uSDHC
// controller of the i.MX 8M Plus: programmed I/O through the data port, no
// DMA and no interrupts, one command at a time, 4-bit bus at default speed
// (25 MHz). References: IMX8MPRM, the uSDHC chapter (registers below);
// SD Specifications Part 1 Physical Layer Simplified Specification
// (SD-PL) 4.2 "Card Identification Mode", 4.3 "Data Transfer Mode",
// 4.10.1 "Card Status", 5.3 "CSD Register".
//
// Why not TamaGo's soc/nxp/usdhc (v1.26.0): tried under QEMU 10.0.2's
// imx8mp-evk with a 16 MiB card, it
//   - hangs in its clock set-up (an unbounded wait for PRES_STATE.SDSTB)
//     unless SYS_CTRL's low three bits are set first: QEMU's model maps them
//     to the standard SDHCI internal/card clock enables, which that driver
//     never writes;
//   - turns every write after a read into a read: it sets CMD_XFR_TYP by
//     read-modify-write, and QEMU returns the previous command's transfer
//     mode (direction bit included) in that register's low half, which it
//     ORs into the next command; the card got no data and the driver,
//     which reads no R1 card status, reported success;
//   - addresses standard-capacity cards (QEMU makes every card of 2 GiB or
//     less one) by block where they take bytes (it keeps its "high
//     capacity" flag from CMD8 whatever ACMD41's CCS bit says), and counts
//     their capacity twice over (16 MiB read as 65536 blocks);
//   - needs its DMA region re-homed (its default is the OCRAM, which QEMU
//     does not implement: it reads as zeros).
// This driver avoids all four: it sets the clock bits, writes MIX_CTRL's
// transfer bits and CMD_XFR_TYP whole for every command, takes addressing
// and capacity from the OCR and the CSD, checks the card status of every
// command, and moves data through the data port (no DMA region at all).
//
// On the EVK itself uSDHC3 carries the on-board eMMC (8-bit,
// non-removable) and the microSD slot is on uSDHC2 (Linux's
// imx8mp-evk.dts); QEMU's imx8mp-evk attaches -drive if=sd,bus=2 to
// uSDHC3. The driver takes the controller's base address, but its clock
// gate and clock root are uSDHC3's, it speaks SD only (no eMMC), and it
// relies on the boot loader for the pads (IOMUXC) and the slot's power:
// the physical board's microSD slot needs all of those.

// uSDHC registers (IMX8MPRM, uSDHC memory map).
const (
	usdhcBlkAtt    = 0x04 // BLKCNT[31:16], BLKSIZE[12:0]
	usdhcCmdArg    = 0x08
	usdhcCmdXfrTyp = 0x0c // CMDINX[29:24], CMDTYP[23:22], DPSEL 21, CICEN 20, CCCEN 19, RSPTYP[17:16]
	usdhcCmdRsp0   = 0x10 // CMD_RSP0..3 at 0x10..0x1c
	usdhcDataPort  = 0x20 // DATA_BUFF_ACC_PORT
	usdhcPresState = 0x24
	usdhcProtCtrl  = 0x28
	usdhcSysCtrl   = 0x2c
	usdhcIntStatus = 0x30 // write 1 to clear
	usdhcIntStatEn = 0x34
	usdhcIntSigEn  = 0x38
	usdhcWtmkLvl   = 0x44
	usdhcMixCtrl   = 0x48
	usdhcVendSpec  = 0xc0

	xfrDPSEL   = 1 << 21
	xfrCICEN   = 1 << 20
	xfrCCCEN   = 1 << 19
	xfrAbort   = 3 << 22 // CMDTYP abort, for CMD12
	rspNone    = 0 << 16
	rsp136     = 1 << 16
	rsp48      = 2 << 16
	rsp48Busy  = 3 << 16
	presCIHB   = 1 << 0  // command inhibit
	presCDIHB  = 1 << 1  // data inhibit (transfer or busy)
	presSDSTB  = 1 << 3  // SD clock stable
	presCINST  = 1 << 16 // card inserted
	presWPSPL  = 1 << 19 // write protect switch: 1 = writable
	presDAT0   = 1 << 24 // DAT0 line level (busy is low)
	protDTW4   = 1 << 1
	protDTW    = 3 << 1
	protEMODE  = 3 << 4
	protLE     = 2 << 4 // little-endian data port
	protDMASEL = 3 << 8
	sysDVS     = 0xf << 4
	sysSDCLKFS = 0xff << 8
	sysDTOCV   = 0xf << 16
	sysRSTA    = 1 << 24
	sysRSTC    = 1 << 25
	sysRSTD    = 1 << 26
	sysINITA   = 1 << 27
	// SYS_CTRL[2:0] are reserved on the uSDHC (clock enables on older
	// eSDHCs); QEMU's model reads them as the standard SDHCI clock
	// control and clocks the card only with bits 0 and 2 set. Linux's
	// sdhci-esdhc-imx sets all three on every i.MX, uSDHC included
	// (ESDHC_CLOCK_IPGEN|HCKEN|PEREN in esdhc_pltfm_set_clock).
	sysClockOn  = 0x7
	mixDMAEN    = 1 << 0
	mixBCEN     = 1 << 1
	mixAC12EN   = 1 << 2
	mixDDR      = 1 << 3
	mixDTDSEL   = 1 << 4 // read
	mixMSBSEL   = 1 << 5 // multiple blocks
	mixXfer     = mixDMAEN | mixBCEN | mixAC12EN | mixDDR | mixDTDSEL | mixMSBSEL
	vendFrcSDCL = 1 << 8 // FRC_SDCLK_ON
	intCC       = 1 << 0
	intTC       = 1 << 1
	intBWR      = 1 << 4
	intBRR      = 1 << 5
	intCTOE     = 1 << 16
	// intErrors are the error status bits: CTOE, CCE, CEBE, CIE, DTOE,
	// DCE, DEBE, AC12E, TNE, DMAE.
	intErrors = 0x157f0000
	// wordsPerBlock 32-bit words of the data port make a block; the read
	// and write watermarks are one block, so BRR/BWR mean a whole block.
	wordsPerBlock = sdBlockSize / 4
)

// Clock: the uSDHC3 clock root is set to SYS_PLL1_400M / 2 = 200 MHz
// (IMX8MPRM, CCM chapter: the USDHC3 clock root slice at CCM+0xbc80, its
// gate CCGR94 at CCM+0x45e0; as in Linux's clk-imx8mp.c). SYS_CTRL
// divides it by SDCLKFS (a power of two; 0 is 1) and DVS+1: 200
// MHz/(128*4) = 390 kHz for identification (at most 400 kHz, SD-PL 4.2),
// 200 MHz/(4*2) = 25 MHz for data (default speed). QEMU 10.0.2 models the
// CCM as plain registers and clocks nothing, so there these writes change
// nothing (and the SD model ignores the dividers).
const (
	ccmUSDHC3Root = layout.CCM + 0xbc80
	ccmCCGR94Set  = layout.CCM + 0x45e0 + 4 // the gate's SET alias
	rootEnable    = 1 << 28
	rootPLL1_400M = 1 << 24 // MUX 1: SYS_PLL1_400M
	rootDiv2      = 1       // POST_PODF 1: divide by 2
	ccgrAlways    = 3       // domain 0: needed in all modes
	clockID       = 0x40<<8 | 3<<4
	clockData     = 0x02<<8 | 1<<4
	dataTimeout   = 0xe << 16 // DTOCV: SDCLK x 2^27
)

// SD commands and card status (SD-PL 4.7.4, 4.10.1).
const (
	sdBlockSize  = 512
	r1StateShift = 9
	r1StateMask  = 0xf
	r1StateTran  = 4
	r1ReadyData  = 1 << 8
	r1AppCmd     = 1 << 5
	r1Errors     = 0xfdff8000 // every error bit of the card status
	ocrBusy      = 1 << 31    // power-up done
	ocrCCS       = 1 << 30    // card capacity status: 1 = block addressed
	ocrHCS       = 1 << 30    // ACMD41: host supports high capacity
	ocrVoltages  = 0x00ff8000 // 2.7-3.6 V
	cmd8Pattern  = 0x1aa      // 2.7-3.6 V, check pattern 0xaa
)

// Timeouts, in guest time. Commands answer within 64 clocks; a block moves
// in well under a millisecond at 25 MHz; SD-PL 4.6.2 bounds reads at 100
// ms and writes (busy) at 250 ms (500 ms for SDXC); ACMD41 may take a
// second.
const (
	cmdTimeout   = 50 * time.Millisecond
	resetTimeout = 100 * time.Millisecond
	blockTimeout = 500 * time.Millisecond
	busyTimeout  = time.Second
	powerTimeout = time.Second
)

var errNoResponse = errors.New("no response")

// sdCard is one SD card in one uSDHC controller, ready for transfers.
type sdCard struct {
	name   string  // "uSDHC3"
	base   uintptr // the controller's registers
	rca    uint32  // relative card address, in the upper half
	byAddr bool    // standard capacity: commands take byte addresses
	blocks uint64  // capacity in 512-byte blocks
	kind   string  // "SDSC", "SDHC/SDXC"
}

func (c *sdCard) read(off uintptr) uint32     { return armv8.Read32(c.base + off) }
func (c *sdCard) write(off uintptr, v uint32) { armv8.Write32(c.base+off, v) }

// waitFor polls until cond holds or the timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return cond()
		}
		runtime.Gosched()
	}
	return true
}

// openSDCard sets up the controller at base and identifies the card in it
// (SD-PL 4.2.3 "Card Initialization and Identification Process").
func openSDCard(name string, base uintptr, emulated bool) (*sdCard, error) {
	c := &sdCard{name: name, base: base}
	// Under QEMU the card-inserted bit says whether a -drive is attached;
	// on the EVK it depends on the pads, so only commands tell.
	if emulated && c.read(usdhcPresState)&presCINST == 0 {
		return nil, fmt.Errorf("no SD card in %s", name)
	}
	armv8.Write32(ccmCCGR94Set, ccgrAlways)
	armv8.Write32(ccmUSDHC3Root, rootEnable|rootPLL1_400M|rootDiv2)

	c.write(usdhcSysCtrl, c.read(usdhcSysCtrl)|sysRSTA)
	if !waitFor(resetTimeout, func() bool { return c.read(usdhcSysCtrl)&sysRSTA == 0 }) {
		return nil, fmt.Errorf("%s: controller reset (SYS_CTRL.RSTA) did not finish", name)
	}
	c.write(usdhcIntSigEn, 0)
	c.write(usdhcIntStatEn, intErrors|intCC|intTC|intBWR|intBRR)
	c.write(usdhcProtCtrl, c.read(usdhcProtCtrl)&^(protDTW|protEMODE|protDMASEL)|protLE)
	c.write(usdhcWtmkLvl, wordsPerBlock<<16|wordsPerBlock)
	c.write(usdhcMixCtrl, c.read(usdhcMixCtrl)&^mixXfer)
	if err := c.setClock(clockID); err != nil {
		return nil, err
	}
	// 80 clocks before the first command (SD-PL 6.4.1).
	c.write(usdhcSysCtrl, c.read(usdhcSysCtrl)|sysINITA)
	if !waitFor(resetTimeout, func() bool { return c.read(usdhcSysCtrl)&sysINITA == 0 }) {
		return nil, fmt.Errorf("%s: initialisation clocks (SYS_CTRL.INITA) did not finish", name)
	}
	if err := c.identify(); err != nil {
		return nil, err
	}
	return c, nil
}

// setClock sets the SD clock's dividers (SYS_CTRL) and waits until it is
// stable (IMX8MPRM, uSDHC "Change clock frequency": the card clock is
// gated while the dividers change).
func (c *sdCard) setClock(div uint32) error {
	c.write(usdhcVendSpec, c.read(usdhcVendSpec)&^vendFrcSDCL)
	sys := c.read(usdhcSysCtrl) &^ (sysDVS | sysSDCLKFS | sysDTOCV | sysRSTA | sysRSTC | sysRSTD | sysINITA)
	c.write(usdhcSysCtrl, sys|div|dataTimeout|sysClockOn)
	if !waitFor(resetTimeout, func() bool { return c.read(usdhcPresState)&presSDSTB != 0 }) {
		return fmt.Errorf("%s: SD clock not stable (PRES_STATE.SDSTB) after setting SYS_CTRL %#x", c.name, c.read(usdhcSysCtrl))
	}
	return nil
}

// identify runs the SD identification sequence and leaves the card
// selected, in the transfer state, on a 4-bit bus at 25 MHz.
func (c *sdCard) identify() error {
	noCard := func(what string, err error) error {
		if errors.Is(err, errNoResponse) {
			return fmt.Errorf("no SD card in %s (%s unanswered)", c.name, what)
		}
		return fmt.Errorf("%s: %s: %w", c.name, what, err)
	}
	if _, err := c.cmd(0, 0, rspNone, 0); err != nil { // GO_IDLE_STATE
		return noCard("CMD0", err)
	}
	// SEND_IF_COND: version 2.00 or later cards echo the pattern.
	v2 := false
	if r, err := c.cmd(8, cmd8Pattern, rsp48|xfrCICEN|xfrCCCEN, 0); err == nil {
		if r&0xfff != cmd8Pattern {
			return fmt.Errorf("%s: card answered CMD8 with %#x, not the pattern %#x (unusable voltage)", c.name, r, cmd8Pattern)
		}
		v2 = true
	} else if !errors.Is(err, errNoResponse) {
		return fmt.Errorf("%s: CMD8: %w", c.name, err)
	}
	arg := uint32(ocrVoltages)
	if v2 {
		arg |= ocrHCS
	}
	var ocr uint32
	deadline := time.Now().Add(powerTimeout)
	for {
		if _, err := c.appCmd(0); err != nil {
			return noCard("CMD55", err)
		}
		r, err := c.cmd(41, arg, rsp48, 0) // SD_SEND_OP_COND (R3: no CRC, no index)
		if err != nil {
			return noCard("ACMD41", err)
		}
		if r&ocrBusy != 0 {
			ocr = r
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: card still powering up after %v (ACMD41 OCR %#x)", c.name, powerTimeout, r)
		}
	}
	c.byAddr = ocr&ocrCCS == 0
	if _, err := c.cmd(2, 0, rsp136|xfrCCCEN, 0); err != nil { // ALL_SEND_CID
		return fmt.Errorf("%s: CMD2: %w", c.name, err)
	}
	r, err := c.cmd(3, 0, rsp48|xfrCICEN|xfrCCCEN, 0) // SEND_RELATIVE_ADDR (R6)
	if err != nil {
		return fmt.Errorf("%s: CMD3: %w", c.name, err)
	}
	c.rca = r &^ 0xffff
	if _, err := c.cmd(9, c.rca, rsp136|xfrCCCEN, 0); err != nil { // SEND_CSD
		return fmt.Errorf("%s: CMD9: %w", c.name, err)
	}
	if err := c.parseCSD(c.rsp136()); err != nil {
		return err
	}
	if err := c.setClock(clockData); err != nil {
		return err
	}
	if _, err := c.cmdR1(7, c.rca, rsp48Busy|xfrCICEN|xfrCCCEN); err != nil { // SELECT_CARD
		return fmt.Errorf("%s: CMD7: %w", c.name, err)
	}
	if err := c.waitBusy(); err != nil {
		return err
	}
	if _, err := c.appCmd(c.rca); err != nil {
		return fmt.Errorf("%s: CMD55: %w", c.name, err)
	}
	if _, err := c.cmdR1(6, 2, rsp48|xfrCICEN|xfrCCCEN); err != nil { // SET_BUS_WIDTH 4
		return fmt.Errorf("%s: ACMD6: %w", c.name, err)
	}
	c.write(usdhcProtCtrl, c.read(usdhcProtCtrl)&^protDTW|protDTW4)
	if c.byAddr {
		if _, err := c.cmdR1(16, sdBlockSize, rsp48|xfrCICEN|xfrCCCEN); err != nil { // SET_BLOCKLEN
			return fmt.Errorf("%s: CMD16: %w", c.name, err)
		}
	}
	return c.waitTransfer(busyTimeout)
}

// parseCSD takes the capacity from the CSD (SD-PL 5.3.2, 5.3.3). The
// response registers hold CSD bits 127..8 as bits 119..0.
func (c *sdCard) parseCSD(r [4]uint32) error {
	field := func(hi, lo int) uint64 {
		var v uint64
		for b := hi; b >= lo; b-- {
			bit := b - 8
			v = v<<1 | uint64(r[bit/32]>>(bit%32)&1)
		}
		return v
	}
	switch field(127, 126) {
	case 0: // CSD 1.0: standard capacity
		readBlLen, cSize, mult := field(83, 80), field(73, 62), field(49, 47)
		c.blocks = (cSize + 1) << (mult + 2) << readBlLen / sdBlockSize
		c.kind = "SDSC"
	case 1: // CSD 2.0: high or extended capacity, 512 KiB units
		c.blocks = (field(69, 48) + 1) * 1024
		c.kind = "SDHC/SDXC"
	default:
		return fmt.Errorf("%s: CSD structure %d (SDUC?) is not supported", c.name, field(127, 126))
	}
	if c.blocks == 0 || c.byAddr && c.blocks*sdBlockSize > 1<<32 {
		return fmt.Errorf("%s: implausible capacity from CSD: %d blocks (byte addressed %v)", c.name, c.blocks, c.byAddr)
	}
	return nil
}

func (c *sdCard) rsp136() [4]uint32 {
	return [4]uint32{c.read(usdhcCmdRsp0), c.read(usdhcCmdRsp0 + 4), c.read(usdhcCmdRsp0 + 8), c.read(usdhcCmdRsp0 + 12)}
}

// appCmd sends APP_CMD, announcing an application command.
func (c *sdCard) appCmd(rca uint32) (uint32, error) {
	r, err := c.cmdR1(55, rca, rsp48|xfrCICEN|xfrCCCEN)
	if err == nil && r&r1AppCmd == 0 {
		err = fmt.Errorf("card status %#x does not accept an application command", r)
	}
	return r, err
}

// cmd sends one command and waits for its response (IMX8MPRM, uSDHC "Send
// command to card"). mix is what MIX_CTRL's transfer bits must be for it.
// After an error the command (and data) circuit is reset.
func (c *sdCard) cmd(index, arg, flags, mix uint32) (uint32, error) {
	inhibit := uint32(presCIHB)
	if flags&xfrDPSEL != 0 || flags&rsp48Busy == rsp48Busy && flags&xfrAbort != xfrAbort {
		inhibit |= presCDIHB
	}
	if !waitFor(cmdTimeout, func() bool { return c.read(usdhcPresState)&inhibit == 0 }) {
		c.resetLines(true)
		return 0, fmt.Errorf("CMD%d: controller busy (PRES_STATE %#x)", index, c.read(usdhcPresState))
	}
	c.write(usdhcIntStatus, 0xffffffff)
	c.write(usdhcCmdArg, arg)
	// MIX_CTRL is written whole before every command: QEMU takes the
	// transfer mode from it when CMD_XFR_TYP is written.
	c.write(usdhcMixCtrl, c.read(usdhcMixCtrl)&^mixXfer|mix)
	c.write(usdhcCmdXfrTyp, index<<24|flags)
	var st uint32
	if !waitFor(cmdTimeout, func() bool { st = c.read(usdhcIntStatus); return st&(intCC|intErrors) != 0 }) {
		c.resetLines(flags&xfrDPSEL != 0)
		return 0, fmt.Errorf("CMD%d: no command-complete after %v (INT_STATUS %#x)", index, cmdTimeout, st)
	}
	if st&intErrors != 0 {
		c.resetLines(flags&xfrDPSEL != 0)
		if st&intErrors == intCTOE {
			return 0, fmt.Errorf("CMD%d: %w", index, errNoResponse)
		}
		return 0, fmt.Errorf("CMD%d: error, INT_STATUS %#x", index, st)
	}
	c.write(usdhcIntStatus, intCC)
	return c.read(usdhcCmdRsp0), nil
}

// cmdR1 sends a command with an R1 or R1b response and checks the card
// status in it.
func (c *sdCard) cmdR1(index, arg, flags uint32) (uint32, error) {
	r, err := c.cmd(index, arg, flags, 0)
	if err == nil && r&r1Errors != 0 {
		err = fmt.Errorf("CMD%d: card status %#x reports an error", index, r)
	}
	return r, err
}

// resetLines resets the command circuit, and the data circuit if data is
// set, after an error (IMX8MPRM: SYS_CTRL.RSTC, RSTD; one at a time, as
// QEMU's model takes one reset request per write).
func (c *sdCard) resetLines(data bool) {
	bits := []uint32{sysRSTC}
	if data {
		bits = append(bits, sysRSTD)
	}
	for _, b := range bits {
		c.write(usdhcSysCtrl, c.read(usdhcSysCtrl)&^(sysRSTA|sysRSTC|sysRSTD|sysINITA)|b)
		waitFor(resetTimeout, func() bool { return c.read(usdhcSysCtrl)&b == 0 })
	}
	c.write(usdhcIntStatus, 0xffffffff)
}

// waitBusy waits for the end of an R1b busy (DAT0 low, data inhibit set).
func (c *sdCard) waitBusy() error {
	if !waitFor(busyTimeout, func() bool { p := c.read(usdhcPresState); return p&presCDIHB == 0 && p&presDAT0 != 0 }) {
		return fmt.Errorf("%s: card busy (DAT0 low) after %v, PRES_STATE %#x", c.name, busyTimeout, c.read(usdhcPresState))
	}
	return nil
}

// status returns the card status (SEND_STATUS, CMD13).
func (c *sdCard) status() (uint32, error) {
	return c.cmdR1(13, c.rca, rsp48|xfrCICEN|xfrCCCEN)
}

// waitTransfer polls the card status until the card is in the transfer
// state and ready for data: every write before it is programmed (SD-PL
// 4.3.4: the card leaves the programming state when it is done).
func (c *sdCard) waitTransfer(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		r, err := c.status()
		if err != nil {
			return fmt.Errorf("%s: CMD13 (send status): %w", c.name, err)
		}
		if r>>r1StateShift&r1StateMask == r1StateTran && r&r1ReadyData != 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: card not ready after %v: card status %#x (state %d; 7 is programming)", c.name, timeout, r, r>>r1StateShift&r1StateMask)
		}
	}
}

// transfer moves len(buf)/512 blocks (1 to 65535) at block lba
// through the data port: READ_SINGLE/MULTIPLE_BLOCK or
// WRITE_BLOCK/MULTIPLE_BLOCK, STOP_TRANSMISSION after a multiple-block
// one. The caller has checked the bounds.
func (c *sdCard) transfer(write bool, lba uint64, buf []byte) error {
	n := len(buf) / sdBlockSize
	if err := c.waitTransfer(busyTimeout); err != nil {
		return err
	}
	if write && c.read(usdhcPresState)&presWPSPL == 0 {
		return fmt.Errorf("%s: card is write-protected (PRES_STATE.WPSPL)", c.name)
	}
	arg := uint32(lba)
	if c.byAddr {
		arg = uint32(lba * sdBlockSize)
	}
	index, mix, ready := uint32(17), uint32(mixDTDSEL), uint32(intBRR)
	if write {
		index, mix, ready = 24, 0, intBWR
	}
	if n > 1 {
		index++
		mix |= mixMSBSEL | mixBCEN
	}
	c.write(usdhcBlkAtt, uint32(n)<<16|sdBlockSize)
	what := "read"
	if write {
		what = "write"
	}
	r, err := c.cmd(index, arg, rsp48|xfrCICEN|xfrCCCEN|xfrDPSEL, mix)
	if err == nil && r&r1Errors != 0 {
		err = fmt.Errorf("card status %#x reports an error", r)
	}
	if err != nil {
		return fmt.Errorf("%s: %d-block %s at %d: CMD%d: %w", c.name, n, what, lba, index, err)
	}
	fail := func(format string, args ...any) error {
		c.resetLines(true)
		if n > 1 {
			c.cmd(12, 0, rsp48Busy|xfrAbort|xfrCICEN|xfrCCCEN, 0)
		}
		return fmt.Errorf("%s: %d-block %s at %d: %s", c.name, n, what, lba, fmt.Sprintf(format, args...))
	}
	for blk := 0; blk < n; blk++ {
		var st uint32
		if !waitFor(blockTimeout, func() bool { st = c.read(usdhcIntStatus); return st&(ready|intErrors) != 0 }) {
			return fail("block %d not ready after %v (INT_STATUS %#x)", blk, blockTimeout, st)
		}
		if st&intErrors != 0 {
			return fail("block %d: INT_STATUS %#x", blk, st)
		}
		// Clear the ready bit before moving the block: in QEMU's model
		// the last word of one block brings in the next.
		c.write(usdhcIntStatus, ready)
		b := buf[blk*sdBlockSize : (blk+1)*sdBlockSize]
		if write {
			for i := 0; i < sdBlockSize; i += 4 {
				c.write(usdhcDataPort, binary.LittleEndian.Uint32(b[i:]))
			}
		} else {
			for i := 0; i < sdBlockSize; i += 4 {
				binary.LittleEndian.PutUint32(b[i:], c.read(usdhcDataPort))
			}
		}
	}
	var st uint32
	if !waitFor(blockTimeout, func() bool { st = c.read(usdhcIntStatus); return st&(intTC|intErrors) != 0 }) || st&intErrors != 0 {
		return fail("no transfer-complete (INT_STATUS %#x)", st)
	}
	c.write(usdhcIntStatus, intTC)
	if n > 1 {
		if _, err := c.cmdR1(12, 0, rsp48Busy|xfrAbort|xfrCICEN|xfrCCCEN); err != nil { // STOP_TRANSMISSION
			return fmt.Errorf("%s: %d-block %s at %d: CMD12: %w", c.name, n, what, lba, err)
		}
	}
	return nil
}
