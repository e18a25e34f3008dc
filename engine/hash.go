package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// configHash is what decides recreation: the hash of the container spec of
// a service, with the parts that vary per replica or do not need a new
// container (name, number, dependencies, replicas) left out. The image ID is
// in it, so a rebuilt or re-pulled image recreates.
func configHash(cs ContainerSpec) string {
	cs.Name = ""
	// An unset restart policy hashes as "no", as it did before it was sent
	// unset, so upgrading stack does not recreate containers.
	if cs.RestartPolicy == "" {
		cs.RestartPolicy = "no"
	}
	labels := make(map[string]string, len(cs.Labels))
	for k, v := range cs.Labels {
		switch k {
		case LabelNumber, LabelComposeDepsOn, LabelConfigHash:
			continue
		}
		if unhashedLabel(k) {
			continue
		}
		labels[k] = v
	}
	cs.Labels = labels
	// json.Marshal sorts map keys, so the encoding is stable.
	b, err := json.Marshal(cs)
	if err != nil {
		panic("hash container spec: " + err.Error()) // plain data cannot fail to encode
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// unhashedLabel reports the labels that say where a stack file was or who
// owns the stack (a test session): they never make an object differ.
func unhashedLabel(k string) bool {
	return k == LabelWorkingDir || k == LabelConfigFiles || strings.HasPrefix(k, LabelSessionPrefix)
}
