package dockertest

import (
	"slices"
	"strings"

	"github.com/stack-dev/stack/engine"
)

func (h *harness) network(name string) string {
	h.Helper()
	full := h.project + "_" + name
	id, err := h.d.NetworkCreate(h.ctx, engine.NetworkSpec{Name: full, Labels: h.labels(engine.LabelNetwork, name)})
	if err != nil {
		h.Fatalf("NetworkCreate %s: %v", full, err)
	}
	return id
}

func testNetworks(h *harness) {
	frontID := h.network("front")
	h.network("back")
	front, back := h.project+"_front", h.project+"_back"

	_, err := h.d.NetworkCreate(h.ctx, engine.NetworkSpec{Name: front, Labels: h.labels()})
	wantErr(h, "creating a network of a taken name", err, engine.ErrConflict)

	list, err := h.d.NetworkList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if err != nil {
		h.Fatalf("NetworkList: %v", err)
	}
	var names []string
	for _, n := range list {
		names = append(names, n.Name)
		if n.Name == front && (n.ID != frontID || n.Labels[engine.LabelNetwork] != "front" || n.Driver == "") {
			h.Errorf("listed network %+v, want id %s, its labels and a driver", n, frontID)
		}
	}
	slices.Sort(names)
	if want := []string{back, front}; !slices.Equal(names, want) {
		h.Errorf("networks of the project: %v, want %v", names, want)
	}

	spec := h.spec("multi", "serve")
	spec.Networks = []engine.NetworkAttachment{
		{Network: front, Aliases: []string{"web-front"}},
		{Network: back, Aliases: []string{"web-back", "web"}},
	}
	// Running: a created container has no endpoints yet.
	id := h.run(spec)
	st := h.inspect(id)
	for _, att := range spec.Networks {
		aliases, ok := st.Networks[att.Network]
		if !ok {
			h.Errorf("not attached to %s: %v", att.Network, st.Networks)
			continue
		}
		for _, a := range att.Aliases {
			if !slices.Contains(aliases, a) {
				h.Errorf("aliases on %s: %v, want %s among them", att.Network, aliases, a)
			}
		}
	}

	err = h.d.NetworkRemove(h.ctx, front)
	if err == nil || !strings.Contains(err.Error(), "active endpoints") {
		h.Errorf("removing a network in use: %v, want an error about active endpoints", err)
	}
	if err := h.d.ContainerRemove(h.ctx, id, true); err != nil {
		h.Fatalf("ContainerRemove: %v", err)
	}
	if err := h.d.NetworkRemove(h.ctx, frontID); err != nil {
		h.Errorf("NetworkRemove by ID: %v", err)
	}
	if err := h.d.NetworkRemove(h.ctx, back); err != nil {
		h.Errorf("NetworkRemove by name: %v", err)
	}
	list, _ = h.d.NetworkList(h.ctx, engine.Labels{engine.LabelProject: h.project})
	if len(list) != 0 {
		h.Errorf("networks left after remove: %v", list)
	}
}

// testNetworkDNSAliases checks that an alias resolves for containers on the
// same network and not for others: real networking only.
func testNetworkDNSAliases(h *harness) {
	if h.simulated() {
		h.Skip("simulated daemon has no DNS")
	}
	h.network("front")
	h.network("back")
	front, back := h.project+"_front", h.project+"_back"

	server := h.spec("server", "serve")
	server.Networks = []engine.NetworkAttachment{
		{Network: front, Aliases: []string{"web-front"}},
		{Network: back, Aliases: []string{"web-back"}},
	}
	h.run(server)
	client := h.spec("client", "serve")
	client.Networks = []engine.NetworkAttachment{{Network: back}}
	clientID := h.run(client)

	cases := []struct {
		cmd      []string
		wantCode int
	}{
		{[]string{"/testimage", "lookup", "web-back"}, 0},
		{[]string{"/testimage", "lookup", "web-front"}, 1},
		{[]string{"/testimage", "get", "http://web-back:8080/"}, 0},
	}
	for _, c := range cases {
		res, err := h.d.Exec(h.ctx, clientID, c.cmd)
		if err != nil {
			h.Fatalf("Exec %v: %v", c.cmd, err)
		}
		if res.ExitCode != c.wantCode {
			h.Errorf("%v: exit code %d, want %d; output %q", c.cmd, res.ExitCode, c.wantCode, res.Output)
		}
	}
}
