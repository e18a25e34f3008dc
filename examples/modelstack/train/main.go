// Command train is a one-shot job: it fits multinomial logistic regression
// on the Iris data set and publishes the model to the model registry
// (MODEL_REGISTRY_URL) and/or writes it to a file (-out).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/stack-dev/stack/examples/modelstack/internal/svc"
)

func main() {
	log := svc.Logger("train")
	if err := run(log, os.Args[1:]); err != nil {
		log.Error("training failed", "err", err)
		fmt.Fprintf(os.Stderr, "train: %v\n", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	out := fs.String("out", "", "also write the model JSON to this file")
	dataPath := fs.String("data", "", "sklearn-layout CSV to train on (default: the embedded Iris data)")
	registryURL := fs.String("registry", os.Getenv("MODEL_REGISTRY_URL"), "model registry base URL ($MODEL_REGISTRY_URL)")
	name := fs.String("name", svc.Env("MODEL_NAME", "iris"), "model name ($MODEL_NAME)")
	version := fs.String("version", os.Getenv("MODEL_VERSION"), "model version ($MODEL_VERSION; default: a content hash)")
	wait := fs.Duration("wait", 60*time.Second, "how long to retry while the registry is not ready")
	hp := Hyperparameters{}
	fs.IntVar(&hp.Epochs, "epochs", 1000, "gradient descent epochs")
	fs.Float64Var(&hp.LearningRate, "lr", 0.5, "learning rate")
	fs.Float64Var(&hp.L2, "l2", 1e-4, "L2 regularisation strength")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" && *registryURL == "" {
		return fmt.Errorf("nothing to do: set MODEL_REGISTRY_URL (or -registry) and/or -out")
	}

	data := irisCSV
	if *dataPath != "" {
		var err error
		if data, err = os.ReadFile(*dataPath); err != nil {
			return fmt.Errorf("read training data: %w", err)
		}
	}
	ds, err := parseSklearnCSV(data, irisFeatures)
	if err != nil {
		return fmt.Errorf("parse training data: %w", err)
	}
	m, err := Train(ds, hp)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	m.Name = *name
	m.Version = *version
	if m.Version == "" {
		if m.Version, err = m.ContentVersion(); err != nil {
			return err
		}
	}
	log.Info("trained", "model", m.Name, "version", m.Version, "rows", m.Training.Rows,
		"epochs", m.Training.Epochs, "accuracy", m.Training.Accuracy)
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}

	if *out != "" {
		if err := writeFileAtomic(*out, append(body, '\n')); err != nil {
			return err
		}
		log.Info("wrote model", "path", *out)
	}
	if *registryURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), *wait)
		defer cancel()
		if err := publish(ctx, log, *registryURL, m.Name, m.Version, body, time.Second); err != nil {
			return err
		}
		log.Info("published model", "registry", *registryURL, "model", m.Name, "version", m.Version)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create directory for %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".model-*.json")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
