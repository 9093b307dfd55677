package pipeline

import (
	"fmt"
	"os"
	"slices"

	"github.com/muscles/referee/compiler/frontend"
	"github.com/muscles/referee/compiler/ir"
)

// applyOptions applies what the command line says over what the file
// says: frozen parameters, the learning rate, the loss.
func applyOptions(m *ir.Model, opt Options) error {
	for _, name := range opt.Frozen {
		i := slices.IndexFunc(m.Params, func(p ir.Param) bool { return p.Name == name })
		if i < 0 {
			return fmt.Errorf("%s: --frozen %s: the model has no parameter of that name", m.File, name)
		}
		m.Params[i].Trainable = false
		m.Params[i].Value.Trainable = false
	}
	if opt.LearningRate != 0 {
		m.LearningRate = opt.LearningRate
	}
	switch opt.Loss {
	case "":
	case "mse":
		m.Loss = nil
	case "cross-entropy":
		m.Loss = CrossEntropy(m.OutputShape)
	default:
		src, err := os.ReadFile(opt.Loss)
		if err != nil {
			return fmt.Errorf("--loss: %w", err)
		}
		lm, err := frontend.LossOf(opt.Loss, src, m)
		if err != nil {
			return err
		}
		m.Loss = lm
	}
	return nil
}

// CrossEntropy is the loss graph of a model whose output y holds
// probabilities (a softmax): the mean over the rows of -Σ target·log(y),
// target holding the wanted probabilities (one-hot for a class). A rank-1
// output is one row.
func CrossEntropy(shape ir.Shape) *ir.Graph {
	g := ir.New()
	y := g.Input(ir.LossY, shape)
	t := g.Input(ir.LossTarget, shape)
	prod := must(g.Binary(ir.OpMul, t, must(g.Unary(ir.OpLog, y))))
	sum := must(g.Reduce(ir.OpReduceSum, prod, 0, true, false))
	rows := 1
	if len(shape) > 1 {
		rows = shape.Size() / shape[len(shape)-1]
	}
	g.Output = must(g.Binary(ir.OpMul, sum, g.Scalar(-1/float32(rows))))
	return g
}

func must(v *ir.Value, err error) *ir.Value {
	if err != nil {
		panic(err)
	}
	return v
}
