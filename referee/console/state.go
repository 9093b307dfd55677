package console

import (
	"fmt"
	"strings"

	"github.com/muscles/referee/referee/keeper"
)

// The commands of the sealed store: save, state, state format.

func (s *Shell) keeper() (*keeper.Keeper, error) {
	if s.State == nil {
		return nil, fail("state", "this referee has no sealed store")
	}
	return s.State, nil
}

func (s *Shell) save(args []string) error {
	if len(args) != 0 {
		return fail("usage", "usage: save")
	}
	k, err := s.keeper()
	if err != nil {
		return err
	}
	sv, err := k.Save("save command")
	if err != nil {
		return fail("state", "not saved: %v", err)
	}
	if s.json {
		return s.replyJSON(map[string]any{"saved_generation": sv.Generation, "slot": sv.Slot, "payload_blake3": fmt.Sprintf("%x", sv.PayloadHash)})
	}
	fmt.Fprintf(s.Out, "saved generation %d (slot %d, payload blake3 %x)\n", sv.Generation, sv.Slot, sv.PayloadHash[:8])
	return nil
}

func (s *Shell) stateCmd(args []string) error {
	k, err := s.keeper()
	if err != nil {
		return err
	}
	switch {
	case len(args) == 0:
		lines := k.Status()
		if s.json {
			return s.replyJSON(map[string]any{"state": lines})
		}
		for _, l := range lines {
			fmt.Fprintf(s.Out, "state: %s\n", l)
		}
		return nil
	case len(args) == 1 && args[0] == "format":
		sv, err := k.Format()
		if err != nil {
			s.Log.Append(s.Now(), "console", "state format refused: "+err.Error())
			return fail("state", "state format: %v", err)
		}
		if s.json {
			return s.replyJSON(map[string]any{"formatted": true, "saved_generation": sv.Generation})
		}
		fmt.Fprintf(s.Out, "formatted: the refused medium was erased; saved generation %d\n", sv.Generation)
		return nil
	}
	return fail("usage", "usage: state [format]")
}

// afterTrain saves (or says why not) after train changed a persisted
// muscle's state.
func (s *Shell) afterTrain() string {
	if s.State == nil {
		return "not saved: this referee has no sealed store"
	}
	return s.State.Trained()
}

// saveAtPowerOff saves unsaved training before power-off.
func (s *Shell) saveAtPowerOff() {
	if s.State == nil || !s.State.Unsaved() {
		return
	}
	if sv, err := s.State.Save("poweroff"); err != nil {
		fmt.Fprintf(s.Out, "state: NOT SAVED at power-off: %s\n", strings.TrimSpace(err.Error()))
	} else {
		fmt.Fprintf(s.Out, "state: saved generation %d at power-off\n", sv.Generation)
	}
}
