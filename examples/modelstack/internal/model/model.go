// Package model is the trained classifier as train writes it, the model
// registry stores it and model-server loads it: multinomial logistic
// regression over standardised features.
package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Model is the JSON document exchanged between the modelstack services.
type Model struct {
	Name      string      `json:"name"`
	Version   string      `json:"version"`
	Algorithm string      `json:"algorithm"`
	Features  []string    `json:"features"`
	Classes   []string    `json:"classes"`
	Means     []float64   `json:"means"`
	Stds      []float64   `json:"stds"`
	Weights   [][]float64 `json:"weights"` // one row per class, one column per feature
	Bias      []float64   `json:"bias"`
	Training  Training    `json:"training"`
}

// Training records how the model was fitted, for GET /model.
type Training struct {
	Rows         int     `json:"rows"`
	Epochs       int     `json:"epochs"`
	LearningRate float64 `json:"learning_rate"`
	L2           float64 `json:"l2"`
	Accuracy     float64 `json:"accuracy"`
}

// Algorithm is the only algorithm this package can evaluate.
const Algorithm = "softmax-regression"

// Validate reports whether the model's shapes are consistent, so a server
// never loads a model that would panic or answer nonsense.
func (m *Model) Validate() error {
	if m.Algorithm != Algorithm {
		return fmt.Errorf("unsupported algorithm %q (want %q)", m.Algorithm, Algorithm)
	}
	d, k := len(m.Features), len(m.Classes)
	if d == 0 || k < 2 {
		return fmt.Errorf("model needs at least one feature and two classes, has %d and %d", d, k)
	}
	if len(m.Means) != d || len(m.Stds) != d {
		return fmt.Errorf("means/stds have %d/%d entries, want %d", len(m.Means), len(m.Stds), d)
	}
	if len(m.Weights) != k || len(m.Bias) != k {
		return fmt.Errorf("weights/bias have %d/%d rows, want %d", len(m.Weights), len(m.Bias), k)
	}
	for i, row := range m.Weights {
		if len(row) != d {
			return fmt.Errorf("weights row %d has %d columns, want %d", i, len(row), d)
		}
	}
	for i, s := range m.Stds {
		if !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("std of feature %q is %v, want a positive number", m.Features[i], s)
		}
	}
	return nil
}

// ErrFeatureCount is returned by Probabilities for input of the wrong length.
var ErrFeatureCount = errors.New("wrong number of features")

// Probabilities returns the class probabilities for one raw (unstandardised) sample.
func (m *Model) Probabilities(x []float64) ([]float64, error) {
	if len(x) != len(m.Features) {
		return nil, fmt.Errorf("%w: got %d, want %d (%v)", ErrFeatureCount, len(x), len(m.Features), m.Features)
	}
	z := make([]float64, len(x))
	for j, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("feature %q is not a finite number", m.Features[j])
		}
		z[j] = (v - m.Means[j]) / m.Stds[j]
	}
	return Softmax(Logits(m.Weights, m.Bias, z)), nil
}

// Predict returns the most probable class and all class probabilities.
func (m *Model) Predict(x []float64) (string, []float64, error) {
	p, err := m.Probabilities(x)
	if err != nil {
		return "", nil, err
	}
	return m.Classes[Argmax(p)], p, nil
}

// Logits computes W·z + b for standardised input z.
func Logits(w [][]float64, b, z []float64) []float64 {
	out := make([]float64, len(w))
	for k, row := range w {
		s := b[k]
		for j, v := range z {
			s += row[j] * v
		}
		out[k] = s
	}
	return out
}

// Softmax turns logits into probabilities; subtracting the max keeps exp finite.
func Softmax(logits []float64) []float64 {
	maxLogit := math.Inf(-1)
	for _, v := range logits {
		maxLogit = math.Max(maxLogit, v)
	}
	out := make([]float64, len(logits))
	var sum float64
	for i, v := range logits {
		out[i] = math.Exp(v - maxLogit)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// Argmax returns the index of the largest value (the first one on ties).
func Argmax(v []float64) int {
	best := 0
	for i := range v {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}

// ContentVersion derives a version from everything but the version itself,
// so retraining on the same data with the same settings yields the same version.
func (m Model) ContentVersion() (string, error) {
	m.Version = ""
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode model: %w", err)
	}
	sum := sha256.Sum256(b)
	return "sha-" + hex.EncodeToString(sum[:6]), nil
}
