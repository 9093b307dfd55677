package ir

import (
	"fmt"
	"strconv"
	"strings"
)

// maxDumpData is how many payload elements String prints per constant.
const maxDumpData = 8

// String prints the graph one value per line, e.g.
//
//	%0 = input x (4,)
//	%1 = param W (4,) trainable [0.5 -0.25 0.75 -1]
//	%2 = matmul %0 %1 ()
//	return %2
func (g *Graph) String() string {
	var b strings.Builder
	for _, v := range g.Values {
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	if g.Output != nil {
		fmt.Fprintf(&b, "return %%%d\n", g.Output.ID)
	}
	return b.String()
}

// String prints one value as in Graph.String.
func (v *Value) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%%%d = %s", v.ID, v.Op)
	switch v.Op {
	case OpInput:
		b.WriteString(" " + v.Name)
	case OpParam:
		b.WriteString(" " + v.Name)
	}
	for _, a := range v.Args {
		fmt.Fprintf(&b, " %%%d", a.ID)
	}
	switch {
	case v.Op == OpPow:
		b.WriteString(" " + strconv.FormatFloat(v.Exponent, 'g', -1, 64))
	case v.Op.IsReduce() && v.AllAxes:
		b.WriteString(" axis=all")
	case v.Op.IsReduce():
		fmt.Fprintf(&b, " axis=%d", v.Axis)
	case v.Op == OpDense:
		b.WriteString(" act=" + v.Act.String())
	case v.Op == OpSlice:
		parts := make([]string, len(v.Index))
		for i, s := range v.Index {
			parts[i] = s.String()
		}
		b.WriteString(" [" + strings.Join(parts, ", ") + "]")
	}
	if v.Op.IsReduce() && v.KeepDims {
		b.WriteString(" keepdims")
	}
	b.WriteString(" " + v.Shape.String())
	if v.Op == OpParam {
		if v.Trainable {
			b.WriteString(" trainable")
		} else {
			b.WriteString(" frozen")
		}
	}
	if v.Op == OpConst || v.Op == OpParam {
		b.WriteString(" [")
		for i, d := range v.Data {
			if i == maxDumpData {
				fmt.Fprintf(&b, " ...%d more", len(v.Data)-i)
				break
			}
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatFloat(float64(d), 'g', -1, 32))
		}
		b.WriteString("]")
	}
	return b.String()
}
