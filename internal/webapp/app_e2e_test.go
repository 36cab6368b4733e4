package webapp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"nmfkernel/internal/hubtest"
)

// browserTest checks what a browser test needs (node, chromium,
// playwright-core), skipping or failing without them, and builds the
// kernel. It returns the scripts' folder, chromium's path and the kernel.
func browserTest(t *testing.T) (dir, chromium, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the browser test in -short mode")
	}
	dir = filepath.Join("testdata", "e2e")
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium, _ = exec.LookPath("chromium")
	}
	_, nodeErr := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(dir, "node_modules", "playwright-core"))
	if chromium == "" || nodeErr != nil || modErr != nil {
		skipOrFail(t, "skipping: needs node, chromium (apt-get install chromium) and playwright-core (cd internal/webapp/testdata/e2e && npm ci)")
	}
	bin = filepath.Join(t.TempDir(), "kernel")
	if out, err := exec.Command("go", "build", "-o", bin, "nmfkernel/cmd/kernel").CombinedOutput(); err != nil {
		t.Fatalf("build the kernel: %v\n%s", err, out)
	}
	return dir, chromium, bin
}

// skipOrFail skips with msg, or fails under CI=true, where every outside
// client must be present.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(to), 0o755)
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

const failingNotebook = `{"cells": [
 {"cell_type": "code", "source": "x := 1", "metadata": {}, "outputs": [], "execution_count": null},
 {"cell_type": "code", "source": "y := 2\npanic(\"boom\")", "metadata": {}, "outputs": [], "execution_count": null},
 {"cell_type": "code", "source": "import \"fmt\"\nfmt.Println(\"after 1\")", "metadata": {}, "outputs": [], "execution_count": null},
 {"cell_type": "code", "source": "fmt.Println(\"after 2\")", "metadata": {}, "outputs": [], "execution_count": null},
 {"cell_type": "code", "source": "fmt.Println(\"after 3\")", "metadata": {}, "outputs": [], "execution_count": null}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`

// untrustedNotebook's output tries to run script; opened in a browser that
// never ran it, it must not.
const untrustedNotebook = `{"cells": [
 {"cell_type": "markdown", "source": "Euler: $e^{i\\pi} + 1 = 0$", "metadata": {}},
 {"cell_type": "code", "source": "x", "metadata": {}, "execution_count": 1, "outputs": [
  {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b>bold</b><img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>", "text/plain": "x"}}
 ]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`

// hostileNotebook tries what issue 27 found: a Markdown cell's <style>
// stretching the Trust button over the page, and outputs stored on a
// Markdown cell (the signature covered code outputs only). hostile2 is the
// same notebook with one Markdown cell changed: trusting one must not trust
// the other.
const hostileNotebook = `{"cells": [
 {"cell_type": "markdown", "source": "<style>.tb.trust{position:fixed;left:0;top:0;width:100vw;height:100vh;opacity:0}</style><p style=\"position:fixed;inset:0\" id=\"cover\">MARK</p>", "metadata": {}},
 {"cell_type": "markdown", "source": "notes", "metadata": {}, "outputs": [
  {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b id=\"mdout\">from a markdown cell</b><img src=x onerror=\"window.__pwned=3\">", "text/plain": "x"}}
 ]},
 {"cell_type": "code", "source": "x", "metadata": {}, "execution_count": 1, "outputs": [
  {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<b id=\"codeout\">code</b>", "text/plain": "x"}}
 ]}
], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`

// TestAppInChromium runs testdata/e2e/e2e.mjs: Playwright driving Debian's
// chromium against a kernel serve process.
func TestAppInChromium(t *testing.T) {
	dir, chromium, bin := browserTest(t)
	root := t.TempDir()
	repo := filepath.Join("..", "..")
	copyFile(t, filepath.Join(repo, "notebooks", "grocery.ipynb"), filepath.Join(root, "grocery.ipynb"))
	copyFile(t, filepath.Join(repo, "notebooks", "topics.ipynb"), filepath.Join(root, "topics.ipynb"))
	copyFile(t, filepath.Join(repo, "notebooks", "data", "grocery.csv"), filepath.Join(root, "data", "grocery.csv"))
	os.WriteFile(filepath.Join(root, "failing.ipynb"), []byte(failingNotebook), 0o644)
	os.WriteFile(filepath.Join(root, "untrusted.ipynb"), []byte(untrustedNotebook), 0o644)
	os.WriteFile(filepath.Join(root, "hostile.ipynb"), []byte(hostileNotebook), 0o644)
	os.WriteFile(filepath.Join(root, "bignum.ipynb"), []byte(`{"cells": [{"cell_type": "code", "source": "x", "metadata": {"n": 12345678901234567891}, "execution_count": null, "outputs": []}], "metadata": {"big": 9007199254740993}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)
	os.WriteFile(filepath.Join(root, "hostile2.ipynb"), []byte(strings.Replace(hostileNotebook, `"notes"`, `"notes, edited"`, 1)), 0o644)

	const token = "e2e-token-0123456789abcdef"
	url, stop := startServe(t, bin, root, "127.0.0.1:0", token)
	t.Cleanup(func() { stop() })
	cmd := exec.Command("node", "e2e.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BASE_URL="+url+"?token="+token, "CHROMIUM="+chromium)
	if d := os.Getenv("SCREENSHOTS"); d != "" {
		// go test's working directory is this package's.
		abs, _ := filepath.Abs(d)
		cmd.Env = append(cmd.Env, "SCREENSHOTS="+abs)
	}
	stdin, _ := cmd.StdinPipe()
	pipe, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	lines := bufio.NewScanner(pipe)
	for lines.Scan() {
		line := lines.Text()

		out.WriteString(line + "\n")
		if line == "RESTART SERVER" {
			// The same address and token, as a user restarting kernel
			// serve with --token-file would have.
			logs := stop()
			out.WriteString("(server stopped; its log:\n" + logs + ")\n")
			addr := strings.TrimPrefix(strings.TrimSuffix(url, "/"), "http://")
			_, stop = startServe(t, bin, root, addr, token)
			stdin.Write([]byte("restarted\n"))
			stdin.Close()
		}
	}
	err := cmd.Wait()
	t.Logf("chromium:\n%s", out.String())
	if err != nil || !strings.Contains(out.String(), "\nPASS") {
		t.Fatalf("the app failed in chromium: %v\nserver log:\n%s", err, stop())
	}
}

// startServe starts kernel serve and returns the URL it printed and a
// function that stops it and returns its log.
func startServe(t *testing.T, bin, root, addr, token string) (string, func() string) {
	t.Helper()
	serve := exec.Command(bin, "serve", "--root", root, "--addr", addr)
	// What the app deletes goes to a trash of the test's own.
	serve.Env = append(os.Environ(), "JUPYTER_TOKEN="+token, "XDG_DATA_HOME="+filepath.Join(t.TempDir(), "share"))
	stdout, _ := serve.StdoutPipe()
	logs := &strings.Builder{}
	serve.Stderr = logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() string {
		once.Do(func() {
			serve.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- serve.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				serve.Process.Kill()
				<-done
			}
		})
		return logs.String()
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if l := strings.TrimSpace(lines.Text()); strings.HasPrefix(l, "http://") {
			go io.Copy(io.Discard, stdout)
			return l, stop
		}
	}
	t.Fatalf("kernel serve printed no URL; its log:\n%s", stop())
	return "", nil
}

// TestNotebook6Gateway runs testdata/e2e/notebook6.mjs: classic Notebook
// 6.4 as a gateway client of kernel serve, in chromium.
func TestNotebook6Gateway(t *testing.T) {
	if exec.Command("jupyter-notebook", "--version").Run() != nil {
		skipOrFail(t, "skipping: needs classic Notebook 6 (apt-get install jupyter-notebook)")
	}
	dir, chromium, bin := browserTest(t)
	// The notebooks live in a folder below the server's root, as when a
	// user starts kernel serve in their home and Notebook in a project.
	root := t.TempDir()
	nbdir := filepath.Join(root, "project")
	repo := filepath.Join("..", "..")
	copyFile(t, filepath.Join(repo, "notebooks", "grocery.ipynb"), filepath.Join(nbdir, "grocery.ipynb"))
	copyFile(t, filepath.Join(repo, "notebooks", "data", "grocery.csv"), filepath.Join(nbdir, "data", "grocery.csv"))
	os.WriteFile(filepath.Join(nbdir, "failing.ipynb"), []byte(strings.Replace(failingNotebook, `"metadata": {}, "nbformat"`, `"metadata": {"kernelspec": {"name": "nmfkernel", "display_name": "Go (nmfkernel)", "language": "go"}}, "nbformat"`, 1)), 0o644)

	const token = "gateway-token-0123456789"
	url, stop := startServe(t, bin, root, "127.0.0.1:0", token)
	t.Cleanup(func() { stop() })

	port := freePort(t)
	nb := exec.Command("jupyter-notebook", "--no-browser", "--allow-root", "--port", port, "--ip", "127.0.0.1",
		"--NotebookApp.token=nbtok", "--gateway-url="+strings.TrimSuffix(url, "/"), "--GatewayClient.auth_token="+token,
		"--notebook-dir", nbdir)
	nb.Dir = nbdir
	nb.Env = append(os.Environ(), "JUPYTER_CONFIG_DIR="+t.TempDir(), "JUPYTER_DATA_DIR="+t.TempDir(), "JUPYTER_RUNTIME_DIR="+t.TempDir())
	nbLog := &lockedBuffer{}
	nb.Stdout, nb.Stderr = nbLog, nbLog
	if err := nb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		nb.Process.Signal(syscall.SIGTERM)
		nb.Process.Signal(syscall.SIGTERM) // Notebook asks for confirmation after the first
		done := make(chan struct{})
		go func() { nb.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			nb.Process.Kill()
		}
	})
	cmd := exec.Command("node", "notebook6.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NOTEBOOK_URL=http://127.0.0.1:"+port, "CHROMIUM="+chromium)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if strings.Contains(nbLog.String(), "http://127.0.0.1:"+port) {
			break
		}
	}
	out, err := cmd.CombinedOutput()
	t.Logf("Notebook 6 in chromium:\n%s", out)
	if err != nil || !strings.Contains(string(out), "\nPASS") {
		t.Fatalf("Notebook 6 as a gateway client failed: %v\nNotebook's log:\n%s\nkernel serve's log:\n%s", err, nbLog.String(), stop())
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// lockedBuffer is a log a process writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAppUnderJupyterHub runs testdata/e2e/hub.mjs: alice logs in at a
// real JupyterHub, which starts kernel serve --hub for her; the app runs
// grocery.ipynb under /user/alice/.
func TestAppUnderJupyterHub(t *testing.T) {
	dir, chromium, bin := browserTest(t)
	if m := hubtest.Missing(); m != "" {
		skipOrFail(t, "skipping: "+m)
	}
	hubDir := t.TempDir()
	repo := filepath.Join("..", "..")
	home := filepath.Join(hubDir, "alice")
	copyFile(t, filepath.Join(repo, "notebooks", "grocery.ipynb"), filepath.Join(home, "grocery.ipynb"))
	copyFile(t, filepath.Join(repo, "notebooks", "data", "grocery.csv"), filepath.Join(home, "data", "grocery.csv"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := hubtest.Start(ctx, hubtest.Options{Kernel: bin, Dir: hubDir, Env: map[string]string{"XDG_DATA_HOME": filepath.Join(hubDir, "share")}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	cmd := exec.CommandContext(ctx, "node", "hub.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HUB_URL="+h.URL, "CHROMIUM="+chromium)
	if d := os.Getenv("SCREENSHOTS"); d != "" {
		abs, _ := filepath.Abs(d)
		cmd.Env = append(cmd.Env, "SCREENSHOTS="+abs)
	}
	out, err := cmd.CombinedOutput()
	t.Logf("chromium:\n%s", out)
	if err != nil || !strings.Contains(string(out), "\nPASS") {
		t.Fatalf("the app failed behind the hub: %v\nhub log:\n%s", err, h.Log())
	}
}
