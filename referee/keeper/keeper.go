// Package keeper is what the referee keeps across power cuts: at boot it
// opens the sealed store (referee/store) on the board's medium and hands
// the persistent state it holds (referee/persist) to the loader; later it
// saves the loader's snapshot, on the console's `save`, after `train` on
// persisted muscles (at most one automatic save every AutoSaveEvery), and
// at power-off when something is unsaved. Every load, save, refusal and
// format is printed and audited with its generation and payload hash. It
// builds for the host and for GOOS=tamago.
package keeper

import (
	"errors"
	"fmt"
	"io"

	"github.com/muscles/referee/board"
	"github.com/muscles/referee/muscle"
	"github.com/muscles/referee/referee/audit"
	"github.com/muscles/referee/referee/loader"
	"github.com/muscles/referee/referee/persist"
	"github.com/muscles/referee/referee/store"
)

// AutoSaveEvery is the least time between two automatic saves (after
// train), in nanoseconds of the board's clock: flash wears with every
// write, and a train loop would otherwise write the medium at every
// command. `save` always saves.
const AutoSaveEvery = 10_000_000_000

// NoAnchor is what the banner and `state` say of a store without an
// anchor.
const NoAnchor = "NO ANCHOR: this board has no monotonic counter or RPMB, so a copy of the whole medium put back later (an older training, lower version floors) is NOT detected"

// Keeper holds the store and when it last saved.
type Keeper struct {
	Out    io.Writer
	Log    *audit.Log
	Now    func() int64
	Loader *loader.Loader

	st *store.Store
	// none says why there is no store (no medium, a medium too small).
	none     string
	lastSave int64
	// dev is the medium, metered; scan and save are what the boot scan
	// and the last save took, in guest time (instructions under QEMU
	// -icount shift=0), and how much of it was spent in the device.
	dev        *metered
	scan, save cost
	saved      bool
	dirty      bool
	lastSaved  store.Saved
}

// Boot opens the store on the board's medium (dev, or devErr saying why
// there is none) with the key record's state keys, prints and audits what
// it found, and gives the loader the stored state. anchor is nil on every
// board so far.
func Boot(out io.Writer, log *audit.Log, now func() int64, l *loader.Loader, dev board.BlockDevice, devErr error, keys *muscle.StateKeys, anchor store.Anchor) *Keeper {
	k := &Keeper{Out: out, Log: log, Now: now, Loader: l}
	if devErr == nil && dev == nil {
		devErr = errors.New("the board named no state medium")
	}
	if devErr != nil {
		k.none = devErr.Error()
		fmt.Fprintf(out, "state: no sealed store: %s\n", k.none)
		log.Append(now(), "state", "no store: "+k.none)
		return k
	}
	k.dev = &metered{BlockDevice: dev, now: now}
	t0 := now()
	st, payload, err := store.Open(k.dev, store.Standard, keys, anchor)
	k.scan = cost{now() - t0, k.dev.spent}
	if st == nil {
		k.none = fmt.Sprintf("%s: %v", dev.Name(), err)
		fmt.Fprintf(out, "state: no sealed store: %s\n", k.none)
		log.Append(now(), "state-error", k.none)
		return k
	}
	k.st = st
	fmt.Fprintf(out, "state: %s, %d slots of %d KiB, anchor %s\n", dev.Name(), store.Slots, store.SlotBytes>>10, st.AnchorName())
	for _, sl := range st.Slots() {
		fmt.Fprintf(out, "state: %s\n", sl)
	}
	if anchor == nil {
		fmt.Fprintf(out, "state: %s\n", NoAnchor)
	}
	if err != nil {
		fmt.Fprintf(out, "state: REFUSED: %v; nothing is loaded or saved until `state format`\n", err)
		log.Append(now(), "state-refused", err.Error())
		return k
	}
	n, ok := st.Newest()
	if !ok {
		fmt.Fprintln(out, "state: no valid record: a fresh store")
		log.Append(now(), "state", fmt.Sprintf("%s: fresh store (%s)", dev.Name(), damage(st)))
		return k
	}
	s, err := persist.Unmarshal(payload)
	clear(payload)
	if err != nil {
		// Sealed by this device's key yet not a state it writes: refuse
		// rather than drop floors.
		err = fmt.Errorf("generation %d: %w", n.Generation, err)
		st.Refuse(err)
		fmt.Fprintf(out, "state: REFUSED: %v; nothing is loaded or saved until `state format`\n", err)
		log.Append(now(), "state-refused", err.Error())
		return k
	}
	l.Stored = s
	k.lastSaved = store.Saved{Generation: n.Generation, Slot: n.Index, Digest: n.Digest, PayloadHash: n.PayloadHash}
	fmt.Fprintf(out, "state: loaded generation %d from slot %d: %d muscle states, %d version floors, payload blake3 %x\n", n.Generation, n.Index, len(s.Muscles), len(s.Floors), n.PayloadHash[:8])
	log.Append(now(), "state-load", fmt.Sprintf("%s: generation %d slot %d, %d muscle states, %d floors, payload blake3 %x (%s)", dev.Name(), n.Generation, n.Index, len(s.Muscles), len(s.Floors), n.PayloadHash[:16], damage(st)))
	return k
}

// damage summarises the slots that hold no valid record.
func damage(st *store.Store) string {
	bad := 0
	for _, sl := range st.Slots() {
		if sl.Kind == store.Damaged || sl.Kind == store.Foreign {
			bad++
		}
	}
	return fmt.Sprintf("%d damaged slots", bad)
}

// ErrNoStore: the board has no medium, or the store was refused.
var ErrNoStore = errors.New("no sealed store")

// Save commits the loader's snapshot now; why says what asked for it
// ("save command", "after train", "poweroff"). It prints "saved
// generation N" only once the record is read back.
func (k *Keeper) Save(why string) (store.Saved, error) {
	if k.st == nil {
		return store.Saved{}, fmt.Errorf("%w: %s", ErrNoStore, k.none)
	}
	t0, d0 := k.Now(), k.dev.spent
	payload, err := k.Loader.Snapshot().Marshal()
	if err != nil {
		return store.Saved{}, err
	}
	sv, err := k.st.Commit(payload)
	clear(payload)
	k.save = cost{k.Now() - t0, k.dev.spent - d0}
	if err != nil {
		k.Log.Append(k.Now(), "state-error", fmt.Sprintf("save (%s): %v", why, err))
		return store.Saved{}, err
	}
	k.saved, k.dirty, k.lastSave, k.lastSaved = true, false, k.Now(), sv
	k.Log.Append(k.Now(), "state-save", fmt.Sprintf("%s: generation %d slot %d, payload blake3 %x", why, sv.Generation, sv.Slot, sv.PayloadHash[:16]))
	return sv, nil
}

// Trained is called after train changed a persisted muscle's state: it
// saves unless the last automatic save was less than AutoSaveEvery ago,
// and says which.
func (k *Keeper) Trained() string {
	if k.st == nil {
		return "not saved: " + ErrNoStore.Error()
	}
	k.Changed()
	if k.saved && k.Now()-k.lastSave < AutoSaveEvery {
		return fmt.Sprintf("not saved yet: at most one automatic save every %d s; `save` saves now", AutoSaveEvery/1_000_000_000)
	}
	sv, err := k.Save("after train")
	if err != nil {
		return "NOT SAVED: " + err.Error()
	}
	return fmt.Sprintf("saved generation %d", sv.Generation)
}

// Changed records that a persisted muscle's state changed without a save
// (a train that faulted part-way): the next save, or power-off, saves it.
func (k *Keeper) Changed() {
	if k.st != nil {
		k.dirty = true
	}
}

// Unsaved reports whether trained state has changed since the last save.
func (k *Keeper) Unsaved() bool { return k.st != nil && k.dirty }

// Format erases a medium the store refused at boot and saves the current
// state as its first record: the console's `state format`, audited.
func (k *Keeper) Format() (store.Saved, error) {
	if k.st == nil {
		return store.Saved{}, fmt.Errorf("%w: %s", ErrNoStore, k.none)
	}
	why := k.st.Refused()
	if why == nil {
		return store.Saved{}, errors.New("the store is in use (not refused at boot); there is nothing to format")
	}
	payload, err := k.Loader.Snapshot().Marshal()
	if err != nil {
		return store.Saved{}, err
	}
	sv, err := k.st.Format(payload)
	clear(payload)
	if err != nil {
		k.Log.Append(k.Now(), "state-error", "format: "+err.Error())
		return store.Saved{}, err
	}
	k.saved, k.dirty, k.lastSave, k.lastSaved = true, false, k.Now(), sv
	k.Log.Append(k.Now(), "state-format", fmt.Sprintf("medium refused at boot (%v) erased; generation %d slot %d, payload blake3 %x", why, sv.Generation, sv.Slot, sv.PayloadHash[:16]))
	return sv, nil
}

// Status describes the store for the console's `state`.
func (k *Keeper) Status() []string {
	if k.st == nil {
		return []string{"no sealed store: " + k.none}
	}
	lines := []string{fmt.Sprintf("medium %s, anchor %s", k.st.Device().Name(), k.st.AnchorName())}
	if err := k.st.Refused(); err != nil {
		lines = append(lines, fmt.Sprintf("REFUSED at boot: %v (`state format` erases it)", err))
	}
	for _, sl := range k.st.Slots() {
		lines = append(lines, sl.String())
	}
	if k.lastSaved.Generation > 0 {
		lines = append(lines, fmt.Sprintf("newest: generation %d, payload blake3 %x", k.lastSaved.Generation, k.lastSaved.PayloadHash[:8]))
	}
	if k.dirty {
		lines = append(lines, "unsaved training since then")
	}
	c := "boot scan " + k.scan.String()
	if k.save.total > 0 {
		c += "; the last save " + k.save.String()
	}
	lines = append(lines, c+" (guest time: instructions under -icount)")
	if k.st.AnchorName() == "none" {
		lines = append(lines, NoAnchor)
	}
	return lines
}

// Close wipes the store's keys (at power-off, after the last save).
func (k *Keeper) Close() {
	if k.st != nil {
		k.st.Close()
	}
}
