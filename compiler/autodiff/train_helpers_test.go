package autodiff

import "github.com/muscles/referee/compiler/frontend"

// TrainFile traces a model file with the front end and builds its
// training graph, with the module's def loss(y, target) if it has one.
func TrainFile(filename string, src []byte) (*TrainGraph, error) {
	m, err := frontend.Compile(filename, src)
	if err != nil {
		return nil, err
	}
	return Train(m)
}
