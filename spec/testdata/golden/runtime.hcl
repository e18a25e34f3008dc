name = "runtime"

service "loader" {
  image       = "loader:1"
  pull_policy = "refresh"
  mount {
    type      = "bind"
    source    = "./share"
    target    = "/share"
    read_only = true
    selinux   = "z"
  }
  mount {
    type    = "volume"
    source  = "cache"
    target  = "/cache"
    nocopy  = true
    subpath = "models"
  }
  mount {
    type             = "bind"
    source           = "./share"
    target           = "/share-slave"
    create_host_path = false
    propagation      = "rslave"
    consistency      = "cached"
  }
  mount {
    type       = "tmpfs"
    target     = "/run/scratch"
    tmpfs_size = "1m"
    tmpfs_mode = "01770"
  }
  network "back" {
    ipv4_address = "172.29.9.10"
  }
  depends_on "model-server" {
    restart = true
  }
  depends_on "vpn" {
    restart = true
  }
  ipc                = "service:model-server"
  volumes_from       = ["model-server:ro", "container:datastore"]
  links              = ["vpn:gateway"]
  external_links     = ["shared-redis:redis"]
  use_api_socket     = true
  pull_refresh_after = "24h0m0s"
  mac_address        = "02:42:ac:11:00:02"
  memswap_limit      = -1
}

service "model-server" {
  image       = "model-server:1"
  pull_policy = "missing"
  labels = {
    "com.example.team" = "ml"
    "com.example.tier" = "gpu"
  }
  depends_on "vpn" {
    restart = true
  }
  resources {
    memory = "8g"
    gpus {
      count        = -1
      capabilities = ["gpu"]
    }
  }
  network_mode        = "service:vpn"
  ipc                 = "shareable"
  pid                 = "host"
  uts                 = "host"
  userns_mode         = "host"
  cgroup              = "private"
  cgroup_parent       = "/stack.slice"
  runtime             = "runc"
  devices             = ["/dev/fuse:/dev/fuse:rwm", "/dev/null:/dev/null2:rwm"]
  device_cgroup_rules = ["c 10:229 rwm"]
  group_add           = ["video"]
  shm_size            = "2g"
  tmpfs               = ["/scratch", "/cache:size=64m,mode=1777"]
  storage_opt = {
    size = "20G"
  }
  oom_kill_disable = true
  oom_score_adj    = -500
  pids_limit       = 512
  cpu_count        = 2
  cpu_period       = 100000
  cpu_quota        = 50000
  cpu_rt_period    = 1000000
  cpu_rt_runtime   = 950000
  cpu_shares       = 512
  mem_swappiness   = 10
  cpu_percent      = 50
  cpuset           = "0-1"
  mem_reservation  = "2g"
  memswap_limit    = "16g"
  ulimits = {
    memlock = -1
    nproc   = 65535
  }
  ulimit "nofile" {
    soft = 20000
    hard = 40000
  }
  logging {
    driver = "json-file"
    options = {
      max-file = "3"
      max-size = "10m"
    }
  }
  blkio_config {
    weight = 300
    weight_device = [{
      path   = "/dev/sda"
      weight = 400
    }]
    device_read_bps = [{
      path = "/dev/sda"
      rate = 20971520
    }]
    device_read_iops = [{
      path = "/dev/sda"
      rate = 120
    }]
    device_write_bps = [{
      path = "/dev/sda"
      rate = 10485760
    }]
    device_write_iops = [{
      path = "/dev/sda"
      rate = 30
    }]
  }
}

service "vpn" {
  image       = "vpn:1"
  ports       = ["8443:443"]
  extra_hosts = ["registry:10.0.0.9"]
  restart     = "on-failure:3"
  swarm {
    restart_delay = "5s"
  }
  cap_add = ["NET_ADMIN"]
  sysctls = {
    "net.ipv4.ip_forward" = "1"
  }
  dns        = ["10.0.0.2", "10.0.0.3"]
  dns_opt    = ["use-vc", "ndots:2"]
  dns_search = ["example.internal"]
  domainname = "example.internal"
}

network "back" {
  enable_ipv4 = true
  ipam {
    driver = "default"
    options = {
      foo = "bar"
    }
    config {
      subnet   = "172.29.9.0/24"
      ip_range = "172.29.9.0/25"
      gateway  = "172.29.9.1"
      aux_addresses = {
        reserved = "172.29.9.2"
      }
    }
    config {
      subnet = "172.29.10.0/24"
    }
  }
}

volume "cache" {
  driver = "local"
  driver_opts = {
    device = "tmpfs"
    type   = "tmpfs"
  }
}
