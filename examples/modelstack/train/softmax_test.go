package main

import (
	"reflect"
	"strings"
	"testing"
)

var testHP = Hyperparameters{Epochs: 1000, LearningRate: 0.5, L2: 1e-4}

func loadIris(t *testing.T) *Dataset {
	t.Helper()
	ds, err := parseSklearnCSV(irisCSV, irisFeatures)
	if err != nil {
		t.Fatalf("parse embedded iris: %v", err)
	}
	return ds
}

func TestIrisDatasetShape(t *testing.T) {
	ds := loadIris(t)
	if len(ds.X) != 150 {
		t.Fatalf("rows = %d, want 150", len(ds.X))
	}
	perClass := map[string]int{}
	for _, y := range ds.Y {
		perClass[ds.Classes[y]]++
	}
	want := map[string]int{"setosa": 50, "versicolor": 50, "virginica": 50}
	if !reflect.DeepEqual(perClass, want) {
		t.Fatalf("rows per class = %v, want %v", perClass, want)
	}
}

func TestTrainIrisAccuracy(t *testing.T) {
	ds := loadIris(t)
	m, err := Train(ds, testHP)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Validate(); err != nil {
		t.Fatalf("trained model is invalid: %v", err)
	}
	if m.Training.Accuracy <= 0.9 {
		t.Fatalf("training accuracy = %.3f, want > 0.9", m.Training.Accuracy)
	}
	// Spot-check one typical flower per class (rows 1, 51 and 101 of the file).
	for _, i := range []int{0, 50, 100} {
		got, _, err := m.Predict(ds.X[i])
		if err != nil {
			t.Fatal(err)
		}
		if want := ds.Classes[ds.Y[i]]; got != want {
			t.Errorf("row %d predicted %q, want %q", i+1, got, want)
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	ds := loadIris(t)
	a, err := Train(ds, testHP)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(ds, testHP)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two training runs on the same data produced different models")
	}
	va, _ := a.ContentVersion()
	vb, _ := b.ContentVersion()
	if va != vb || !strings.HasPrefix(va, "sha-") {
		t.Fatalf("content versions %q and %q, want equal sha- versions", va, vb)
	}
}

func TestParseSklearnCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"short header", "2,4,a\n", "at least two class names"},
		{"bad counts", "x,4,a,b\n", "positive integers"},
		{"feature count mismatch", "1,3,a,b\n1,2,3,0\n", "declares 3 features"},
		{"bad number", "1,4,a,b\n1,2,x,4,0\n", "line 2 column 3"},
		{"bad class", "1,4,a,b\n1,2,3,4,7\n", "not an index"},
		{"wrong field count", "1,4,a,b\n1,2,3,0\n", "4 fields, want 5"},
		{"row count mismatch", "2,4,a,b\n1,2,3,4,0\n", "declares 2 rows, file has 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseSklearnCSV([]byte(tt.csv), irisFeatures)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
