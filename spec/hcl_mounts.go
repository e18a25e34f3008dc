package spec

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

var hclMountSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type", Required: true}, {Name: "source"}, {Name: "target", Required: true},
	{Name: "read_only"}, {Name: "tmpfs_size"}, {Name: "tmpfs_mode"}, {Name: "create_host_path"},
	{Name: "nocopy"}, {Name: "subpath"}, {Name: "propagation"}, {Name: "selinux"}, {Name: "consistency"},
}}

// mountOptionKeys say which mount types each option is for.
var mountOptionKeys = map[string]string{
	"nocopy": MountVolume, "subpath": MountVolume, "propagation": MountBind, "selinux": MountBind, "tmpfs_mode": MountTmpfs,
}

var validPropagation = map[string]bool{"private": true, "rprivate": true, "shared": true, "rshared": true, "slave": true, "rslave": true}

// decodeMounts reads the volumes list (short syntax) and mount blocks, in
// that order; "volumes[i]" positions index the resulting Volumes.
func (p *hclProject) decodeMounts(d *hclDecoder, s *Service, m *hclModule, attr *hcl.Attribute, blocks []*hcl.Block) {
	if specs, ok := d.strList(attr); ok {
		for i, spec := range specs {
			r := elemRange(attr.Expr, i)
			mount, err := parseVolumeSpec(spec, m.dir, p.environ)
			if err != nil {
				d.errorAt(r, "Invalid volume", err.Error())
				continue
			}
			d.mark(fmt.Sprintf("volumes[%d]", len(s.Volumes)), r)
			s.Volumes = append(s.Volumes, mount)
		}
	}
	for _, b := range blocks {
		c := p.content(b.Body, hclMountSchema)
		a := c.Attributes
		md := d.within(fmt.Sprintf("volumes[%d].", len(s.Volumes)))
		var mount Mount
		md.setStr(a["type"], &mount.Type)
		md.setStr(a["source"], &mount.Source)
		md.setStr(a["target"], &mount.Target)
		md.setBool(a["read_only"], &mount.ReadOnly)
		switch mount.Type {
		case MountBind:
			if mount.Source == "" {
				d.errorAt(b.DefRange, "Invalid mount", "A bind mount needs a source folder or file.")
			}
			mount.Source = resolvePath(m.dir, expandHome(mount.Source, p.environ))
			// Compose creates a missing bind source unless told not to.
			mount.CreateHostPath = true
			md.setBool(a["create_host_path"], &mount.CreateHostPath)
		case MountTmpfs:
			if a["source"] != nil {
				d.errorAt(a["source"].Expr.Range(), "Invalid mount", "A tmpfs mount has no source.")
			}
		case MountVolume:
		case "":
		default:
			d.errorAt(a["type"].Expr.Range(), "Invalid mount", fmt.Sprintf("type %q is not volume, bind or tmpfs.", mount.Type))
		}
		if ca := a["create_host_path"]; ca != nil && mount.Type != MountBind {
			d.errorAt(ca.NameRange, "Invalid mount", "create_host_path is only for bind mounts.")
		}
		if sa := a["tmpfs_size"]; sa != nil {
			if mount.Type != MountTmpfs {
				d.errorAt(sa.NameRange, "Invalid mount", "tmpfs_size is only for tmpfs mounts.")
			} else if n, ok := md.size(sa); ok {
				mount.TmpfsSize = n
			}
		}
		for key, typ := range mountOptionKeys {
			if oa := a[key]; oa != nil && mount.Type != typ {
				d.errorAt(oa.NameRange, "Invalid mount", fmt.Sprintf("%s is only for %s mounts.", key, typ))
			}
		}
		md.setBool(a["nocopy"], &mount.NoCopy)
		md.setStr(a["subpath"], &mount.Subpath)
		md.setStr(a["propagation"], &mount.Propagation)
		md.setStr(a["selinux"], &mount.SELinux)
		md.setStr(a["consistency"], &mount.Consistency)
		if m := md.fileMode(a["tmpfs_mode"]); m != nil {
			mount.TmpfsMode = *m
		}
		if err := checkMountValues(mount); err != nil {
			d.errorAt(b.DefRange, "Invalid mount", err.Error()+".")
		}
		if mount.Target != "" && !strings.HasPrefix(mount.Target, "/") {
			d.errorAt(a["target"].Expr.Range(), "Invalid mount", fmt.Sprintf("target %q must be an absolute path in the container.", mount.Target))
		}
		d.mark(fmt.Sprintf("volumes[%d]", len(s.Volumes)), b.DefRange)
		s.Volumes = append(s.Volumes, mount)
	}
}

// parseVolumeSpec reads Compose's short volume syntax: "target" (anonymous
// volume), "name:target[:ro|rw]" (named volume), "path:target[:ro|rw]"
// (bind mount, when the source starts with ".", "/" or "~").
func parseVolumeSpec(spec, dir string, environ map[string]string) (Mount, error) {
	bad := func(why string) error {
		return fmt.Errorf("%q is not a volume such as \"data:/data\", \"./src:/src:ro\" or \"/cache\": %s", spec, why)
	}
	parts := strings.Split(spec, ":")
	var m Mount
	switch len(parts) {
	case 1:
		m = Mount{Type: MountVolume, Target: parts[0]}
	case 2, 3:
		m.Source, m.Target = parts[0], parts[1]
		if len(parts) == 3 {
			for _, opt := range strings.Split(parts[2], ",") {
				switch {
				case opt == "ro":
					m.ReadOnly = true
				case opt == "rw":
				case opt == "z" || opt == "Z":
					m.SELinux = opt
				case opt == "nocopy":
					m.NoCopy = true
				case validPropagation[opt]:
					m.Propagation = opt
				case opt == "consistent" || opt == "cached" || opt == "delegated":
					m.Consistency = opt
				default:
					return Mount{}, bad(fmt.Sprintf("option %q is not ro, rw, z, Z, nocopy, a propagation or a consistency", opt))
				}
			}
		}
	default:
		return Mount{}, bad("too many ':'")
	}
	if m.Target == "" || !strings.HasPrefix(m.Target, "/") {
		return Mount{}, bad("the target must be an absolute path in the container")
	}
	switch {
	case m.Source == "" && len(parts) > 1:
		return Mount{}, bad("the source is empty")
	case m.Source == "":
	case isHostPath(m.Source):
		m.Type = MountBind
		m.Source = resolvePath(dir, expandHome(m.Source, environ))
		m.CreateHostPath = true
	default:
		m.Type = MountVolume
		if !validHCLName.MatchString(m.Source) {
			return Mount{}, bad(fmt.Sprintf("%q is not a volume name; start a host path with ./, ../, / or ~", m.Source))
		}
	}
	if err := checkMountOptions(m); err != nil {
		return Mount{}, bad(err.Error())
	}
	return m, nil
}

func isHostPath(s string) bool {
	return s == "." || s == ".." || s == "~" || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~/")
}

// expandHome replaces a leading ~ with the home folder from the loader's
// environment (HOME), falling back to the user's.
func expandHome(path string, environ map[string]string) string {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path
	}
	home := environ["HOME"]
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~"))
}

// checkMountOptions rejects options of the wrong mount type or value.
func checkMountOptions(m Mount) error {
	switch {
	case (m.SELinux != "" || m.Propagation != "") && m.Type != MountBind:
		return fmt.Errorf("selinux and propagation are options of bind mounts")
	case m.NoCopy && m.Type != MountVolume:
		return fmt.Errorf("nocopy is an option of volumes")
	}
	return checkMountValues(m)
}

// checkMountValues rejects option values Docker does not know.
func checkMountValues(m Mount) error {
	switch {
	case m.SELinux != "" && m.SELinux != "z" && m.SELinux != "Z":
		return fmt.Errorf("selinux %q is not z (shared) or Z (private)", m.SELinux)
	case m.Propagation != "" && !validPropagation[m.Propagation]:
		return fmt.Errorf("propagation %q is not private, rprivate, shared, rshared, slave or rslave", m.Propagation)
	case m.Subpath != "" && (strings.HasPrefix(m.Subpath, "/") || strings.Contains("/"+m.Subpath+"/", "/../")):
		return fmt.Errorf("subpath %q must be a relative path inside the volume", m.Subpath)
	}
	return nil
}
