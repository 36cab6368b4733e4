package hubtest_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"nmfkernel/internal/hubtest"
)

// skipOrFail skips with msg, or fails under CI=true, where every outside
// client must be present.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// buildKernel builds the kernel binary into a temporary folder.
func buildKernel(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kernel")
	if out, err := exec.Command("go", "build", "-o", bin, "nmfkernel/cmd/kernel").CombinedOutput(); err != nil {
		t.Fatalf("build the kernel: %v\n%s", err, out)
	}
	return bin
}

// get makes a request with an optional token and returns the status and
// body.
func get(t *testing.T, c *http.Client, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// kernelProcesses lists the processes running bin (servers and kernels).
func kernelProcesses(bin string) []string {
	var out []string
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "cmdline"))
		if err == nil && strings.HasPrefix(string(b), bin+"\x00") {
			out = append(out, filepath.Base(d)+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}

// runCell runs code on a new kernel of the server at base and returns
// its stdout.
func runCell(t *testing.T, base, token, code string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := hubtest.RunCell(ctx, base, token, code)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestKernelServeUnderJupyterHub runs kernel serve --hub as the
// single-user server of a real JupyterHub on loopback, with two users.
func TestKernelServeUnderJupyterHub(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the JupyterHub test in -short mode")
	}
	if m := hubtest.Missing(); m != "" {
		skipOrFail(t, "skipping: "+m)
	}
	bin := buildKernel(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := hubtest.Start(ctx, hubtest.Options{Kernel: bin, Dir: dir, Env: map[string]string{"JUPYTERHUB_ACTIVITY_INTERVAL": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		h.Close()
		if t.Failed() {
			t.Logf("hub log:\n%s", h.Log())
		}
	}()
	for _, u := range []string{"alice", "bob"} {
		if err := h.AddUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := h.StartServer(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	base := h.URL + srv.URL // http://127.0.0.1:PORT/user/alice/
	t.Run("started without a version warning", func(t *testing.T) {
		log := h.Log()
		if !strings.Contains(log, "User alice took") {
			t.Errorf("the hub did not report alice's server started")
		}
		if regexp.MustCompile(`(?i)\[W .*version`).MatchString(log) {
			t.Errorf("the hub warned about the server's version:\n%s", log)
		}
	})

	alice, err := h.Token(ctx, "alice", 0)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := h.Token(ctx, "bob", 0)
	if err != nil {
		t.Fatal(err)
	}
	expiring, err := h.Token(ctx, "alice", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tokens", func(t *testing.T) {
		time.Sleep(2100 * time.Millisecond) // the expiring token expires
		for _, tc := range []struct {
			name, token string
			want        int
			says        string
		}{
			{"alice's token", alice, 200, `"kernels"`},
			{"bob's token", bob, 403, `hub user \"bob\" has no scope granting this server`},
			{"no token", "", 403, "a valid token is required"},
			{"a token the hub never issued", "0123456789abcdef0123456789abcdef", 403, "the hub does not know this token"},
			{"alice's expired token", expiring, 403, "the hub does not know this token"},
			{"the hub's admin token (access:servers)", h.AdminToken, 200, `"kernels"`},
		} {
			code, body := get(t, http.DefaultClient, base+"api/status", tc.token)
			if code != tc.want || !strings.Contains(body, tc.says) {
				t.Errorf("%s: %d %s, want %d saying %q", tc.name, code, body, tc.want, tc.says)
			}
		}
		// Outside the prefix nothing is served: the proxy sends such paths
		// to the hub, and the server itself answers 404.
		if code, _ := get(t, http.DefaultClient, "http://"+serverAddr(t, h, ctx)+"/api/status", alice); code != 404 {
			t.Errorf("a path outside /user/alice/ on the server itself: %d, want 404", code)
		}
	})

	before, _ := h.User(ctx, "alice")
	t.Run("a cell over a websocket through the proxy", func(t *testing.T) {
		if got := runCell(t, base, alice, `import "fmt"`+"\n"+`fmt.Println("hello from", 6*7)`); got != "hello from 42\n" {
			t.Errorf("stdout %q", got)
		}
	})
	t.Run("last_activity moves while she works", func(t *testing.T) {
		deadline := time.Now().Add(15 * time.Second)
		for {
			u, err := h.User(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if u.Servers[""].LastActivity > before.Servers[""].LastActivity {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("alice's server's last_activity stayed %s", u.Servers[""].LastActivity)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("browser logins through the hub", func(t *testing.T) {
		c, err := h.Browser(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		code, body := get(t, c, base+"tree/", "")
		if code != 200 || !strings.Contains(body, `data-base-url="/user/alice/"`) || !strings.Contains(body, `src="/user/alice/static/app.js`) {
			t.Errorf("alice, logged in to the hub, opens her app: %d %.300s", code, body)
		}
		if code, body := get(t, c, base+"api/contents", ""); code != 200 || !strings.Contains(body, `"type":"directory"`) {
			t.Errorf("alice's app calls the API with its cookie: %d %.200s", code, body)
		}
		b, err := h.Browser(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if code, body := get(t, b, base+"tree/", ""); code != 403 || strings.Contains(body, "data-base-url") {
			t.Errorf("bob, logged in, reaches alice's server: %d %.300s", code, body)
		}
		if code, _ := get(t, b, base+"api/contents", ""); code != 403 {
			t.Errorf("bob's cookies open alice's API: %d", code)
		}
	})

	t.Run("forged and replayed OAuth callbacks", func(t *testing.T) {
		c, err := h.Browser(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		// A login in progress (the state cookie set), then a callback with
		// another state.
		noRedirect := *c
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := noRedirect.Get(base + "tree/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/hub/api/oauth2/authorize?") {
			t.Fatalf("no login: %d → %q", resp.StatusCode, loc)
		}
		for _, tc := range []struct{ name, query, says string }{
			{"forged state", "code=abc&state=forged", "does not match"},
			{"no state", "code=abc", "no login in progress"},
			{"the hub's error", "error=access_denied&error_description=nope", "the hub refused the login: nope"},
		} {
			code, body := get(t, &noRedirect, base+"oauth_callback?"+tc.query, "")
			if code/100 != 4 || !strings.Contains(body, tc.says) {
				t.Errorf("%s: %d %s", tc.name, code, body)
			}
		}
		// A real state with a code the hub never issued.
		resp, _ = noRedirect.Get(base + "tree/")
		resp.Body.Close()
		state := regexp.MustCompile(`state=([0-9a-f]+)`).FindStringSubmatch(resp.Header.Get("Location"))
		if state == nil {
			t.Fatalf("no state in %q", resp.Header.Get("Location"))
		}
		if code, body := get(t, &noRedirect, base+"oauth_callback?code=never-issued&state="+state[1], ""); code != 403 || !strings.Contains(body, "refused the login code") {
			t.Errorf("a code the hub never issued: %d %s", code, body)
		}
	})

	t.Run("kernel run on her server through the hub", func(t *testing.T) {
		nb := filepath.Join(t.TempDir(), "nb.ipynb")
		os.WriteFile(nb, []byte(`{"cells":[{"cell_type":"code","metadata":{},"source":"import \"fmt\"\nfmt.Println(\"from the hub\", 1+1)","outputs":[],"execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":5}`), 0o644)
		out, err := exec.Command(bin, "run", "--server", base, "--token", alice, nb).CombinedOutput()
		if err != nil {
			t.Fatalf("kernel run --server: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(nb)
		if !strings.Contains(string(b), "from the hub 2") {
			t.Errorf("the notebook's output: %s", b)
		}
	})

	t.Run("the hub down at start", func(t *testing.T) {
		cmd := exec.Command(bin, "serve", "--hub")
		cmd.Env = append(os.Environ(),
			"JUPYTERHUB_API_TOKEN=x", "JUPYTERHUB_API_URL=http://127.0.0.1:1/hub/api", "JUPYTERHUB_USER=carol",
			"JUPYTERHUB_SERVICE_URL=http://127.0.0.1:0/user/carol/", "JUPYTERHUB_CLIENT_ID=jupyterhub-user-carol")
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), "cannot reach the hub's API at http://127.0.0.1:1/hub/api") {
			t.Errorf("exit %v: %s", err, out)
		}
		if strings.Contains(string(out), "serving") {
			t.Errorf("served without a hub: %s", out)
		}
		cmd = exec.Command(bin, "serve", "--hub")
		cmd.Env = append(os.Environ(), "JUPYTERHUB_API_TOKEN=")
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "JUPYTERHUB_API_TOKEN is not set") {
			t.Errorf("without the hub's environment: %v %s", err, out)
		}
	})

	t.Run("stopping her server ends it and its kernels", func(t *testing.T) {
		if ps := kernelProcesses(bin); len(ps) < 2 {
			t.Fatalf("expected the server and a kernel running, found %q", ps)
		}
		if err := h.StopServer(ctx, "alice"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for ps := kernelProcesses(bin); len(ps) > 0; ps = kernelProcesses(bin) {
			if time.Now().After(deadline) {
				t.Fatalf("left running after the hub stopped the server: %q", ps)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if code, _ := get(t, http.DefaultClient, base+"api/status", alice); code == 200 {
			t.Errorf("the stopped server still answers")
		}
	})
}

// serverAddr is alice's server's own address, from the hub's log of its
// route.
func serverAddr(t *testing.T, h *hubtest.Hub, ctx context.Context) string {
	t.Helper()
	m := regexp.MustCompile(`Adding user alice to proxy /user/alice/ => http://([0-9.:]+)`).FindStringSubmatch(h.Log())
	if m == nil {
		t.Fatalf("no route for alice in the hub's log")
	}
	return m[1]
}
