package main

import (
	"fmt"
	"math"

	"github.com/stack-dev/stack/examples/modelstack/internal/model"
)

// Hyperparameters of batch gradient descent.
type Hyperparameters struct {
	Epochs       int
	LearningRate float64
	L2           float64
}

// Train fits multinomial logistic regression with full-batch gradient descent
// on standardised features. Weights start at zero and the data is visited in
// file order, so the result is bit-for-bit deterministic.
func Train(ds *Dataset, hp Hyperparameters) (*model.Model, error) {
	n := len(ds.X)
	if n == 0 {
		return nil, fmt.Errorf("empty data set")
	}
	d, k := len(ds.Features), len(ds.Classes)
	means, stds := standardisation(ds.X)
	z := make([][]float64, n)
	for i, x := range ds.X {
		z[i] = make([]float64, d)
		for j := range x {
			z[i][j] = (x[j] - means[j]) / stds[j]
		}
	}

	w := make([][]float64, k)
	gw := make([][]float64, k)
	for c := range k {
		w[c] = make([]float64, d)
		gw[c] = make([]float64, d)
	}
	b := make([]float64, k)
	gb := make([]float64, k)
	for range hp.Epochs {
		for c := range k {
			clear(gw[c])
		}
		clear(gb)
		for i := range n {
			p := model.Softmax(model.Logits(w, b, z[i]))
			for c := range k {
				// d(cross-entropy)/d(logit_c) = p_c - 1[y == c]
				g := p[c]
				if ds.Y[i] == c {
					g--
				}
				gb[c] += g
				for j := range d {
					gw[c][j] += g * z[i][j]
				}
			}
		}
		for c := range k {
			for j := range d {
				w[c][j] -= hp.LearningRate * (gw[c][j]/float64(n) + hp.L2*w[c][j])
			}
			b[c] -= hp.LearningRate * gb[c] / float64(n)
		}
	}

	m := &model.Model{
		Algorithm: model.Algorithm,
		Features:  ds.Features,
		Classes:   ds.Classes,
		Means:     means,
		Stds:      stds,
		Weights:   w,
		Bias:      b,
		Training: model.Training{
			Rows: n, Epochs: hp.Epochs, LearningRate: hp.LearningRate, L2: hp.L2,
		},
	}
	acc, err := Accuracy(m, ds)
	if err != nil {
		return nil, err
	}
	m.Training.Accuracy = acc
	return m, nil
}

// standardisation returns per-feature mean and population standard deviation;
// a constant feature gets std 1 so it does not divide by zero.
func standardisation(x [][]float64) (means, stds []float64) {
	d := len(x[0])
	means, stds = make([]float64, d), make([]float64, d)
	for _, row := range x {
		for j, v := range row {
			means[j] += v
		}
	}
	for j := range means {
		means[j] /= float64(len(x))
	}
	for _, row := range x {
		for j, v := range row {
			stds[j] += (v - means[j]) * (v - means[j])
		}
	}
	for j := range stds {
		stds[j] = math.Sqrt(stds[j] / float64(len(x)))
		if stds[j] == 0 {
			stds[j] = 1
		}
	}
	return means, stds
}

// Accuracy is the share of rows the model classifies correctly.
func Accuracy(m *model.Model, ds *Dataset) (float64, error) {
	correct := 0
	for i, x := range ds.X {
		p, err := m.Probabilities(x)
		if err != nil {
			return 0, fmt.Errorf("row %d: %w", i+1, err)
		}
		if model.Argmax(p) == ds.Y[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(ds.X)), nil
}
