package ir

import "testing"

// TestClone: the passes on a clone leave the original as it was.
func TestClone(t *testing.T) {
	g := New()
	x := g.Input("x", Shape{2})
	w := g.Param("w", Shape{2, 3}, []float32{1, 2, 3, 4, 5, 6}, true)
	y, err := g.MatMul(x, w)
	if err != nil {
		t.Fatal(err)
	}
	r, err := g.Binary(OpMax, y, g.Scalar(0))
	if err != nil {
		t.Fatal(err)
	}
	g.Output = r
	m := &Model{File: "t", Graph: g, InputName: "x", InputShape: Shape{2}, OutputShape: Shape{3},
		Params: []Param{{Name: "w", Shape: Shape{2, 3}, Init: w.Data, Trainable: true, Value: w}}}
	before := g.String()
	c := m.Clone()
	if c.Graph.String() != before || c.Params[0].Value == w || c.Params[0].Value != c.Graph.Params()[0] {
		t.Fatalf("the clone differs or shares its parameter:\n%s", c.Graph.String())
	}
	if err := RunPasses(c.Graph, Passes, ""); err != nil {
		t.Fatal(err)
	}
	if g.String() != before || c.Graph.String() == before {
		t.Errorf("passes on the clone changed the original (or did nothing):\n%s", g.String())
	}
	if err := c.Check(); err != nil {
		t.Error(err)
	}
}
