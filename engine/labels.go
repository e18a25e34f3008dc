package engine

// Labels on every object stack creates. The com.docker.compose.* ones make
// Docker Desktop, `docker ps --filter label=...` and other tools group the
// stack as Compose would; the dev.stack.* ones are stack's own state.
const (
	LabelProject       = "com.docker.compose.project"
	LabelService       = "com.docker.compose.service"
	LabelNumber        = "com.docker.compose.container-number"
	LabelOneoff        = "com.docker.compose.oneoff"
	LabelNetwork       = "com.docker.compose.network"
	LabelVolume        = "com.docker.compose.volume"
	LabelWorkingDir    = "com.docker.compose.project.working_dir"
	LabelConfigFiles   = "com.docker.compose.project.config_files"
	LabelComposeDepsOn = "com.docker.compose.depends_on"

	// LabelManaged marks objects stack created, so it never touches others.
	LabelManaged = "dev.stack.managed"
	// LabelConfigHash is the hash of the service config a container was
	// created from; a different hash means recreate.
	LabelConfigHash = "dev.stack.config-hash"
	// LabelImageID is the image ID the container was created from.
	LabelImageID = "dev.stack.image-id"
	// LabelRestart is the service's restart policy, so a later `up` knows a
	// completed job from a crashed service without the stack file.
	LabelRestart = "dev.stack.restart"
	// LabelBuildHash on an image is the hash of the build context and
	// config it was built from; equal means the build can be skipped.
	LabelBuildHash = "dev.stack.build-hash"
)
