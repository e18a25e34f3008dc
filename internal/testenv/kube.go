package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// KubeAPIServer is a real kube-apiserver on 127.0.0.1, backed by its own
// etcd, for the Kubernetes export tests.
type KubeAPIServer struct {
	// Kubeconfig is a kubeconfig file whose current context is an admin
	// (system:masters) of this server, for kubectl and kube.NewAPIServer.
	Kubeconfig string
	Server     string // https://127.0.0.1:PORT
}

// StartKubeAPIServer starts etcd and kube-apiserver on free loopback ports,
// with certificates made for the test, and stops both when the test ends.
// The kube-apiserver binary is the one .ci/kube-apiserver builds into its
// cache (or $STACK_KUBE_APISERVER); etcd is Debian's etcd-server. Without
// them the test is skipped, or fails when CI=true.
func StartKubeAPIServer(t testing.TB) *KubeAPIServer {
	t.Helper()
	apiserver, etcd := kubeBinaries(t)
	dir := t.TempDir()
	pki, err := writeKubePKI(dir)
	if err != nil {
		t.Fatalf("kube pki: %v", err)
	}
	etcdClient, err := freeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	etcdPeer, err := freeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	apiAddr, err := freeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	_, apiPort, _ := net.SplitHostPort(apiAddr)

	var etcdOut lockedBuffer
	etcdCmd := exec.Command(etcd, "--name", "stack-test", "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", "http://"+etcdClient, "--advertise-client-urls", "http://"+etcdClient,
		"--listen-peer-urls", "http://"+etcdPeer, "--initial-advertise-peer-urls", "http://"+etcdPeer,
		"--initial-cluster", "stack-test=http://"+etcdPeer, "--log-level", "warn")
	etcdCmd.Stdout, etcdCmd.Stderr = &etcdOut, &etcdOut
	stopEtcd := startProcess(t, "etcd", etcdCmd, &etcdOut)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitHTTP(ctx, http.DefaultClient, "http://"+etcdClient+"/health", nil); err != nil {
		stopEtcd()
		t.Fatalf("etcd did not become healthy: %v\n%s", err, etcdOut.String())
	}

	var apiOut lockedBuffer
	apiCmd := exec.Command(apiserver,
		"--etcd-servers=http://"+etcdClient,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+apiPort,
		"--tls-cert-file="+pki.serverCert, "--tls-private-key-file="+pki.serverKey,
		"--client-ca-file="+pki.caCert,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pki.saKey, "--service-account-signing-key-file="+pki.saKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=Node,RBAC",
		"--allow-privileged=true", "--endpoint-reconciler-type=none",
		"--cert-dir="+filepath.Join(dir, "certs"),
	)
	apiCmd.Stdout, apiCmd.Stderr = &apiOut, &apiOut
	// Cleanups run last in, first out: the API server stops before etcd.
	startProcess(t, "kube-apiserver", apiCmd, &apiOut)

	server := "https://" + apiAddr
	client, err := pki.client()
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel2()
	if err := waitHTTP(ctx2, client, server+"/readyz", []byte("ok")); err != nil {
		t.Fatalf("kube-apiserver did not become ready: %v\n%s", err, apiOut.String())
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, certificate-authority: %q}
users:
- name: admin
  user: {client-certificate: %q, client-key: %q}
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`, server, pki.caCert, pki.adminCert, pki.adminKey)
	if err := os.WriteFile(kubeconfig, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &KubeAPIServer{Kubeconfig: kubeconfig, Server: server}
}

// kubeBinaries finds kube-apiserver and etcd, skipping or failing the test
// without them.
func kubeBinaries(t testing.TB) (apiserver, etcd string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format+" (CI=true)", args...)
		}
		t.Skipf(format, args...)
	}
	apiserver = os.Getenv("STACK_KUBE_APISERVER")
	if apiserver == "" {
		out, err := exec.Command("bash", filepath.Join(repoRoot(), ".ci", "kube-apiserver"), "path").Output()
		if err != nil {
			missing("kube-apiserver cache path: %v", err)
		}
		apiserver = strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(apiserver); err != nil {
		missing("no kube-apiserver at %s: build it with .ci/kube-apiserver", apiserver)
	}
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		missing("etcd not found: apt-get install etcd-server")
	}
	return apiserver, etcd
}

// RequireKubectl returns the path of kubectl, skipping the test without
// it (failing when CI=true).
func RequireKubectl(t testing.TB) string {
	t.Helper()
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kubectl not found (CI=true)")
		}
		t.Skip("kubectl not found")
	}
	return kubectl
}

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// startProcess starts cmd and registers a cleanup that stops it (SIGTERM,
// then SIGKILL after 10s) and shows its output when the test failed. It
// returns the stop function too, for a start that fails half way.
func startProcess(t testing.TB, name string, cmd *exec.Cmd, out *lockedBuffer) func() {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, lastLines(out.String(), 40))
		}
	})
	return stop
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func waitHTTP(ctx context.Context, c *http.Client, url string, want []byte) error {
	var last error
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			b := make([]byte, 64)
			n, _ := resp.Body.Read(b)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && (want == nil || strings.TrimSpace(string(b[:n])) == string(want)) {
				return nil
			}
			last = fmt.Errorf("%s: %s", resp.Status, b[:n])
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

type kubePKI struct {
	caCert, serverCert, serverKey, adminCert, adminKey, saKey string
}

func (p *kubePKI) client() (*http.Client, error) {
	ca, err := os.ReadFile(p.caCert)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	pair, err := tls.LoadX509KeyPair(p.adminCert, p.adminKey)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12},
	}}, nil
}

// writeKubePKI writes a CA, the API server's serving certificate, an admin
// client certificate and the service account signing key into dir.
func writeKubePKI(dir string) (*kubePKI, error) {
	p := &kubePKI{}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stack-test-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, _ := x509.ParseCertificate(caDER)
	if p.caCert, err = writePEM(dir, "ca.crt", "CERTIFICATE", caDER); err != nil {
		return nil, err
	}
	leaf := func(name string, serial int64, tmpl *x509.Certificate) (certPath, keyPath string, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", "", err
		}
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(48*time.Hour)
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return "", "", err
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return "", "", err
		}
		if certPath, err = writePEM(dir, name+".crt", "CERTIFICATE", der); err != nil {
			return "", "", err
		}
		keyPath, err = writePEM(dir, name+".key", "EC PRIVATE KEY", keyDER)
		return certPath, keyPath, err
	}
	p.serverCert, p.serverKey, err = leaf("apiserver", 2, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "kube-apiserver"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 0, 0, 1)},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	})
	if err != nil {
		return nil, err
	}
	p.adminCert, p.adminKey, err = leaf("admin", 3, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "admin", Organization: []string{"system:masters"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if err != nil {
		return nil, err
	}
	saKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	saDER, err := x509.MarshalECPrivateKey(saKey)
	if err != nil {
		return nil, err
	}
	if p.saKey, err = writePEM(dir, "sa.key", "EC PRIVATE KEY", saDER); err != nil {
		return nil, err
	}
	return p, nil
}

func writePEM(dir, name, typ string, der []byte) (string, error) {
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
