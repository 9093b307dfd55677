package pipeline

import (
	"fmt"
	"strings"
)

// What each stage shows (musclec ir --after STAGE).

func showParsed(r *Result) string { return r.front.show(r.parsed) }

func showModel(r *Result) string {
	m := r.Model
	var b strings.Builder
	fmt.Fprintf(&b, "// model %s: input %s %s, output %s, learning rate %g\n", m.File, m.InputName, m.InputShape, m.OutputShape, m.LearningRate)
	for _, src := range m.Sources {
		fmt.Fprintf(&b, "// data %s blake3 %x\n", src.Path, src.BLAKE3)
	}
	for _, p := range m.Params {
		kind := "trainable"
		if !p.Trainable {
			kind = "frozen"
		}
		fmt.Fprintf(&b, "// param %s %s %s\n", p.Name, p.Shape, kind)
	}
	b.WriteString(m.Graph.String())
	if m.Loss != nil {
		b.WriteString("// loss:\n")
		b.WriteString(m.Loss.String())
	} else {
		b.WriteString("// loss: mean squared error\n")
	}
	return b.String()
}

func showTrain(r *Result) string { return r.Train.String() }

func showPlan(r *Result) string {
	var b strings.Builder
	for _, s := range r.Layout {
		kind := "trainable"
		if !s.Trainable {
			kind = "frozen"
		}
		fmt.Fprintf(&b, "slot %-20s %-10s offset %6d bytes %6d %s\n", s.Name, s.Shape, s.Offset, s.Bytes, kind)
	}
	b.WriteString("(large constants follow the parameters; emit places them)\n")
	return b.String()
}

func showListing(r *Result) string { return r.Muscle.Listing }

func showCode(r *Result) string {
	mu := r.Muscle
	return fmt.Sprintf("code %d bytes: forward at %#x, train at %#x; state %d bytes, scratch %d bytes\n",
		len(mu.Code), mu.ForwardEntry, mu.TrainEntry, mu.StateSize, mu.ScratchSize)
}

func showReport(r *Result) string {
	return fmt.Sprintf("verified: forward %d instructions per call, train %d\n", r.Report.Forward, r.Report.Train)
}
