package kube

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// APIServer is a DryRunner over HTTP: server-side apply with dryRun=All and
// fieldValidation=Strict, as `kubectl apply --dry-run=server
// --validate=strict` does.
type APIServer struct {
	Server    string // https://host:port
	Namespace string // for objects without one
	Client    *http.Client
	token     string
}

// kubeconfig is the part of a kubeconfig file the dry run needs.
type kubeconfig struct {
	CurrentContext string `json:"current-context"`
	Clusters       []struct {
		Name    string `json:"name"`
		Cluster struct {
			Server                   string `json:"server"`
			CertificateAuthority     string `json:"certificate-authority"`
			CertificateAuthorityData string `json:"certificate-authority-data"`
			InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify"`
			TLSServerName            string `json:"tls-server-name"`
		} `json:"cluster"`
	} `json:"clusters"`
	Users []struct {
		Name string `json:"name"`
		User struct {
			ClientCertificate     string `json:"client-certificate"`
			ClientCertificateData string `json:"client-certificate-data"`
			ClientKey             string `json:"client-key"`
			ClientKeyData         string `json:"client-key-data"`
			Token                 string `json:"token"`
			TokenFile             string `json:"tokenFile"`
			Exec                  any    `json:"exec"`
			AuthProvider          any    `json:"auth-provider"`
		} `json:"user"`
	} `json:"users"`
	Contexts []struct {
		Name    string `json:"name"`
		Context struct {
			Cluster   string `json:"cluster"`
			User      string `json:"user"`
			Namespace string `json:"namespace"`
		} `json:"context"`
	} `json:"contexts"`
}

// KubeconfigPath is the kubeconfig kubectl reads: the first file of
// $KUBECONFIG, else ~/.kube/config.
func KubeconfigPath() string {
	if env := os.Getenv("KUBECONFIG"); env != "" {
		for _, p := range filepath.SplitList(env) {
			if p != "" {
				return p
			}
		}
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".kube", "config")
}

// NewAPIServer reads the kubeconfig at path and returns the API server of
// contextName ("" for the current context). Client certificates, a CA and
// bearer tokens are supported; exec and auth-provider plugins are not.
func NewAPIServer(path, contextName string) (*APIServer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	var cfg kubeconfig
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(path), p)
	}
	if contextName == "" {
		contextName = cfg.CurrentContext
	}
	var clusterName, userName, namespace string
	found := false
	for _, c := range cfg.Contexts {
		if c.Name == contextName {
			clusterName, userName, namespace, found = c.Context.Cluster, c.Context.User, c.Context.Namespace, true
		}
	}
	if !found {
		return nil, fmt.Errorf("kubeconfig %s: no context %q", path, contextName)
	}
	s := &APIServer{Namespace: namespace}
	if s.Namespace == "" {
		s.Namespace = "default"
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	found = false
	for _, c := range cfg.Clusters {
		if c.Name != clusterName {
			continue
		}
		found = true
		s.Server = strings.TrimSuffix(c.Cluster.Server, "/")
		tlsCfg.InsecureSkipVerify = c.Cluster.InsecureSkipTLSVerify
		tlsCfg.ServerName = c.Cluster.TLSServerName
		ca, err := fileOrData(rel(c.Cluster.CertificateAuthority), c.Cluster.CertificateAuthorityData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig cluster %s: certificate authority: %w", clusterName, err)
		}
		if ca != nil {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(ca) {
				return nil, fmt.Errorf("kubeconfig cluster %s: certificate authority: no PEM certificate", clusterName)
			}
			tlsCfg.RootCAs = pool
		}
	}
	if !found || s.Server == "" {
		return nil, fmt.Errorf("kubeconfig %s: no server for cluster %q", path, clusterName)
	}
	for _, u := range cfg.Users {
		if u.Name != userName {
			continue
		}
		if u.User.Exec != nil || u.User.AuthProvider != nil {
			return nil, fmt.Errorf("kubeconfig user %s: exec and auth-provider credentials are not supported by --check; use a token or client certificate, or run kubectl apply --dry-run=server on the export", userName)
		}
		cert, err := fileOrData(rel(u.User.ClientCertificate), u.User.ClientCertificateData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig user %s: client certificate: %w", userName, err)
		}
		key, err := fileOrData(rel(u.User.ClientKey), u.User.ClientKeyData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig user %s: client key: %w", userName, err)
		}
		if cert != nil {
			pair, err := tls.X509KeyPair(cert, key)
			if err != nil {
				return nil, fmt.Errorf("kubeconfig user %s: %w", userName, err)
			}
			tlsCfg.Certificates = []tls.Certificate{pair}
		}
		s.token = u.User.Token
		if u.User.TokenFile != "" {
			t, err := os.ReadFile(rel(u.User.TokenFile))
			if err != nil {
				return nil, fmt.Errorf("kubeconfig user %s: %w", userName, err)
			}
			s.token = strings.TrimSpace(string(t))
		}
	}
	s.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg, Proxy: http.ProxyFromEnvironment}}
	return s, nil
}

func fileOrData(file, data string) ([]byte, error) {
	if data != "" {
		return base64.StdEncoding.DecodeString(data)
	}
	if file == "" {
		return nil, nil
	}
	return os.ReadFile(file)
}

// resources are the REST names of the kinds the export writes.
var resources = map[string]struct {
	plural     string
	namespaced bool
}{
	"Namespace":             {"namespaces", false},
	"ServiceAccount":        {"serviceaccounts", true},
	"Role":                  {"roles", true},
	"RoleBinding":           {"rolebindings", true},
	"ConfigMap":             {"configmaps", true},
	"Secret":                {"secrets", true},
	"PersistentVolumeClaim": {"persistentvolumeclaims", true},
	"Service":               {"services", true},
	"NetworkPolicy":         {"networkpolicies", true},
	"Deployment":            {"deployments", true},
	"StatefulSet":           {"statefulsets", true},
	"Job":                   {"jobs", true},
}

// ServerDryRun applies each object with server-side apply in dry-run mode.
// An object in a namespace the manifests create but the server does not
// have yet is checked in the context's namespace instead: a dry run
// creates no namespace.
func (s *APIServer) ServerDryRun(ctx context.Context, objs []Object) error {
	created := map[string]bool{}
	for _, o := range objs {
		if o.GetObjectKind().GroupVersionKind().Kind == "Namespace" {
			created[o.GetName()] = true
		}
	}
	missing := map[string]bool{}
	for ns := range created {
		exists, err := s.exists(ctx, "/api/v1/namespaces/"+url.PathEscape(ns))
		if err != nil {
			return err
		}
		missing[ns] = !exists
	}
	var rejected []Rejection
	for _, o := range objs {
		gvk := o.GetObjectKind().GroupVersionKind()
		res, ok := resources[gvk.Kind]
		if !ok {
			return fmt.Errorf("dry run: no REST resource known for kind %s", gvk.Kind)
		}
		body, err := manifestJSON(o)
		if err != nil {
			return err
		}
		ns := o.GetNamespace()
		if ns == "" || missing[ns] {
			ns = s.Namespace
		}
		if o.GetNamespace() != "" && missing[o.GetNamespace()] {
			// The body names its namespace; the URL must agree with it.
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				return err
			}
			m["metadata"].(map[string]any)["namespace"] = ns
			if body, err = json.Marshal(m); err != nil {
				return err
			}
		}
		p := "/api/" + gvk.Version
		if gvk.Group != "" {
			p = "/apis/" + gvk.Group + "/" + gvk.Version
		}
		if res.namespaced {
			p += "/namespaces/" + url.PathEscape(ns)
		}
		p += "/" + res.plural + "/" + url.PathEscape(o.GetName())
		q := url.Values{"dryRun": {"All"}, "fieldManager": {"stack"}, "fieldValidation": {"Strict"}, "force": {"true"}}
		status, msg, err := s.do(ctx, http.MethodPatch, p+"?"+q.Encode(), "application/apply-patch+yaml", body)
		if err != nil {
			return err
		}
		if status/100 != 2 {
			rejected = append(rejected, Rejection{Kind: gvk.Kind, Name: o.GetName(), Message: msg})
		}
	}
	if len(rejected) > 0 {
		return &CheckError{Rejections: rejected}
	}
	return nil
}

func (s *APIServer) exists(ctx context.Context, p string) (bool, error) {
	status, msg, err := s.do(ctx, http.MethodGet, p, "", nil)
	switch {
	case err != nil:
		return false, err
	case status == http.StatusOK:
		return true, nil
	case status == http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("GET %s: %s", p, msg)
}

// do sends one request and returns the status and, for a failure, the
// message of the server's Status.
func (s *APIServer) do(ctx context.Context, method, p, contentType string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.Server+p, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("API server %s: %w", s.Server, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 == 2 {
		return resp.StatusCode, "", nil
	}
	var st struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &st) == nil && st.Message != "" {
		return resp.StatusCode, st.Message, nil
	}
	return resp.StatusCode, fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(b))), nil
}
