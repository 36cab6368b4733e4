package server

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestJupyterLabServices drives the server with @jupyterlab/services, the
// client library JupyterLab uses (testdata/jlab: npm ci installs it).
func TestJupyterLabServices(t *testing.T) {
	dir := filepath.Join("testdata", "jlab")
	_, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "@jupyterlab", "services"))
	if nodeErr != nil || modErr != nil {
		msg := "skipping: needs node and @jupyterlab/services (cd internal/server/testdata/jlab && npm ci)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ts := startServer(t, Options{})
	cmd := exec.Command("node", "check.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BASE_URL="+ts.base, "TOKEN="+ts.Token())
	out, err := cmd.CombinedOutput()
	t.Logf("@jupyterlab/services:\n%s", out)
	if err != nil || !strings.Contains(string(out), "ok session shutdown") {
		t.Fatalf("@jupyterlab/services check failed: %v\nserver log:\n%s", err, ts.logs.String())
	}
}
