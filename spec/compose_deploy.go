package spec

import (
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// fromComposeDeploy maps the deploy keys only a swarm reads.
func fromComposeDeploy(cs types.ServiceConfig) *Deploy {
	dc := cs.Deploy
	if dc == nil {
		return nil
	}
	d := &Deploy{
		Mode: dc.Mode, EndpointMode: dc.EndpointMode,
		UpdateConfig: fromComposeUpdate(dc.UpdateConfig), RollbackConfig: fromComposeUpdate(dc.RollbackConfig),
		Placement: Placement{Constraints: append([]string(nil), dc.Placement.Constraints...), MaxReplicas: dc.Placement.MaxReplicas},
	}
	if len(dc.Labels) > 0 {
		d.Labels = map[string]string{}
		for k, v := range dc.Labels {
			d.Labels[k] = v
		}
	}
	for _, p := range dc.Placement.Preferences {
		d.Placement.Preferences = append(d.Placement.Preferences, p.Spread)
	}
	if rp := dc.RestartPolicy; rp != nil {
		if rp.Delay != nil {
			v := time.Duration(*rp.Delay)
			d.RestartDelay = &v
		}
		if rp.Window != nil {
			v := time.Duration(*rp.Window)
			d.RestartWindow = &v
		}
	}
	if d.empty() {
		return nil
	}
	return d
}

func (d *Deploy) empty() bool {
	return d.Mode == "" && d.EndpointMode == "" && len(d.Labels) == 0 && d.UpdateConfig == nil &&
		d.RollbackConfig == nil && len(d.Placement.Constraints) == 0 && len(d.Placement.Preferences) == 0 &&
		d.Placement.MaxReplicas == 0 && d.RestartDelay == nil && d.RestartWindow == nil
}

func fromComposeUpdate(u *types.UpdateConfig) *UpdateConfig {
	if u == nil {
		return nil
	}
	return &UpdateConfig{
		Parallelism: u.Parallelism, Delay: time.Duration(u.Delay), FailureAction: u.FailureAction,
		Monitor: time.Duration(u.Monitor), MaxFailureRatio: float64(u.MaxFailureRatio), Order: u.Order,
	}
}

// toComposeDeploy renders the swarm deploy keys into cs.
func toComposeDeploy(cs *types.ServiceConfig, d *Deploy) {
	if d == nil {
		return
	}
	if cs.Deploy == nil {
		cs.Deploy = &types.DeployConfig{}
	}
	dc := cs.Deploy
	dc.Mode, dc.EndpointMode = d.Mode, d.EndpointMode
	if len(d.Labels) > 0 {
		dc.Labels = types.Labels{}
		for k, v := range d.Labels {
			dc.Labels[k] = v
		}
	}
	dc.UpdateConfig, dc.RollbackConfig = toComposeUpdate(d.UpdateConfig), toComposeUpdate(d.RollbackConfig)
	dc.Placement.Constraints = d.Placement.Constraints
	dc.Placement.MaxReplicas = d.Placement.MaxReplicas
	for _, p := range d.Placement.Preferences {
		dc.Placement.Preferences = append(dc.Placement.Preferences, types.PlacementPreferences{Spread: p})
	}
	if d.RestartDelay != nil || d.RestartWindow != nil {
		if dc.RestartPolicy == nil {
			// The condition keeps restart as it is when loaded back.
			dc.RestartPolicy = &types.RestartPolicy{Condition: restartCondition(cs.Restart)}
			if _, n, ok := strings.Cut(cs.Restart, ":"); ok {
				if v, err := strconv.ParseUint(n, 10, 64); err == nil {
					dc.RestartPolicy.MaxAttempts = &v
				}
			}
		}
		if d.RestartDelay != nil {
			v := types.Duration(*d.RestartDelay)
			dc.RestartPolicy.Delay = &v
		}
		if d.RestartWindow != nil {
			v := types.Duration(*d.RestartWindow)
			dc.RestartPolicy.Window = &v
		}
	}
}

func toComposeUpdate(u *UpdateConfig) *types.UpdateConfig {
	if u == nil {
		return nil
	}
	return &types.UpdateConfig{
		Parallelism: u.Parallelism, Delay: types.Duration(u.Delay), FailureAction: u.FailureAction,
		Monitor: types.Duration(u.Monitor), MaxFailureRatio: float32(u.MaxFailureRatio), Order: u.Order,
	}
}

func restartCondition(restart string) string {
	switch {
	case restart == "" || restart == "no":
		return "none"
	case strings.HasPrefix(restart, "on-failure"):
		return "on-failure"
	}
	return "any"
}
