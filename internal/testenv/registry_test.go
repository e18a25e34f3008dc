package testenv

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestStartRegistryAnswersCatalog(t *testing.T) {
	addr := StartRegistry(t)
	resp, err := http.Get("http://" + addr + "/v2/_catalog")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var catalog struct{ Repositories []string }
	if err := json.NewDecoder(resp.Body).Decode(&catalog); err != nil {
		t.Fatalf("decode catalog: %v", err)
	}
	if resp.StatusCode != http.StatusOK || len(catalog.Repositories) != 0 {
		t.Fatalf("fresh registry: status %s, repositories %v; want 200 and none", resp.Status, catalog.Repositories)
	}
}
