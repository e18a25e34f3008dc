package main

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// irisCSV is scikit-learn's copy of the Iris data set, shipped verbatim from
// the Debian package python3-sklearn (see README.md), so the image needs no files.
//
//go:embed iris.csv
var irisCSV []byte

// irisFeatures names the columns; the sklearn file header carries only class names.
var irisFeatures = []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}

// Dataset is a labelled design matrix.
type Dataset struct {
	Features []string
	Classes  []string
	X        [][]float64
	Y        []int // index into Classes
}

// parseSklearnCSV reads scikit-learn's bundled-dataset layout: a header
// "n_samples,n_features,class0,class1,..." followed by rows of features and
// an integer class index.
func parseSklearnCSV(data []byte, featureNames []string) (*Dataset, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if len(header) < 4 {
		return nil, fmt.Errorf("header %q: want n_samples,n_features and at least two class names", header)
	}
	rows, err1 := strconv.Atoi(header[0])
	cols, err2 := strconv.Atoi(header[1])
	if err1 != nil || err2 != nil || rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("header %q: n_samples and n_features must be positive integers", header)
	}
	if len(featureNames) != cols {
		return nil, fmt.Errorf("header declares %d features, have %d names", cols, len(featureNames))
	}
	ds := &Dataset{Features: featureNames, Classes: header[2:]}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(rec) != cols+1 {
			return nil, fmt.Errorf("line %d: %d fields, want %d", line, len(rec), cols+1)
		}
		x := make([]float64, cols)
		for j := range cols {
			if x[j], err = strconv.ParseFloat(rec[j], 64); err != nil {
				return nil, fmt.Errorf("line %d column %d: %w", line, j+1, err)
			}
		}
		y, err := strconv.Atoi(rec[cols])
		if err != nil || y < 0 || y >= len(ds.Classes) {
			return nil, fmt.Errorf("line %d: class %q is not an index into %v", line, rec[cols], ds.Classes)
		}
		ds.X = append(ds.X, x)
		ds.Y = append(ds.Y, y)
	}
	if len(ds.X) != rows {
		return nil, fmt.Errorf("header declares %d rows, file has %d", rows, len(ds.X))
	}
	return ds, nil
}
