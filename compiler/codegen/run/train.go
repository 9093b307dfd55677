package run

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// TrainProgram is what Train needs to run a train entry: Program (Entry
// is the train entry's offset) plus the target size.
type TrainProgram struct {
	Program
	TargetSize int // bytes
}

// Train calls the entry steps times on one state buffer, initialised from
// p.State: step k passes inputs[k % len(inputs)] at x0 and
// targets[k % len(targets)] at x4, so what a step writes into the state
// is what the next one reads. It returns every step's output (x1) and the
// state buffer after the last step. It fails if the harness reports an ABI
// breach, a write past the end of a buffer, or a write to the input or
// target buffer.
func Train(p TrainProgram, inputs, targets [][]float32, state []byte, steps int) (outputs [][]float32, final []byte, err error) {
	if steps <= 0 {
		return nil, append([]byte{}, state...), nil
	}
	if len(inputs) == 0 && p.InputSize > 0 || len(targets) == 0 {
		return nil, nil, fmt.Errorf("run: Train needs at least one input and one target")
	}
	if state == nil {
		state = p.State
	}
	bin, err := build()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "codegen-train-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	pack := func(vs [][]float32, size int, what string) ([]byte, error) {
		var b bytes.Buffer
		for k := range steps {
			if len(vs) == 0 {
				break
			}
			v := vs[k%len(vs)]
			if 4*len(v) != size {
				return nil, fmt.Errorf("run: %s has %d values, want %d", what, len(v), size/4)
			}
			for _, f := range v {
				binary.Write(&b, binary.LittleEndian, math.Float32bits(f))
			}
		}
		return b.Bytes(), nil
	}
	in, err := pack(inputs, p.InputSize, "input")
	if err != nil {
		return nil, nil, err
	}
	tg, err := pack(targets, p.TargetSize, "target")
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{"code": p.Code, "state": state, "in": in, "target": tg}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return nil, nil, err
		}
	}
	args := []string{"train", filepath.Join(dir, "code"), strconv.Itoa(p.Entry), filepath.Join(dir, "state"),
		filepath.Join(dir, "in"), filepath.Join(dir, "target"),
		strconv.Itoa(p.InputSize), strconv.Itoa(p.OutputSize), strconv.Itoa(p.ScratchSize),
		strconv.Itoa(p.TargetSize), strconv.Itoa(steps)}
	out, err := runHarness(bin, args)
	if err != nil {
		return nil, nil, err
	}
	if len(out) != steps*p.OutputSize+len(state) {
		return nil, nil, fmt.Errorf("run: harness wrote %d bytes, want %d", len(out), steps*p.OutputSize+len(state))
	}
	outputs = make([][]float32, steps)
	for k := range outputs {
		outputs[k] = make([]float32, p.OutputSize/4)
		for i := range outputs[k] {
			outputs[k][i] = math.Float32frombits(binary.LittleEndian.Uint32(out[k*p.OutputSize+4*i:]))
		}
	}
	return outputs, append([]byte{}, out[steps*p.OutputSize:]...), nil
}
