// Package hubtest runs a real JupyterHub on loopback for tests and
// benchmarks: Debian's jupyterhub 3 with its configurable-http-proxy, the
// dummy authenticator and the simple local-process spawner, each user's
// server being `kernel serve --hub` unless told otherwise. It drives the
// hub through its REST API with an admin service token and logs users in
// as a browser does.
package hubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Missing says what is missing to run a hub here, or "" when nothing is.
func Missing() string {
	for _, cmd := range []string{"jupyterhub", "configurable-http-proxy"} {
		if _, err := exec.LookPath(cmd); err != nil {
			return "needs JupyterHub and its proxy (apt-get install jupyterhub node-configurable-http-proxy): " + cmd + " is not on PATH"
		}
	}
	return ""
}

// Options configures a hub.
type Options struct {
	// Kernel is the kernel binary every user's server runs as
	// "Kernel serve --hub".
	Kernel string
	// Dir holds the hub's database and secrets, and the users' homes
	// (Dir/NAME), which are their servers' working folders.
	Dir string
	// Commands replaces the server command of the users it names (e.g.
	// jupyterhub-singleuser).
	Commands map[string][]string
	// Env is added to every user server's environment
	// (Spawner.environment), e.g. JUPYTERHUB_ACTIVITY_INTERVAL.
	Env map[string]string
}

// Hub is a running JupyterHub.
type Hub struct {
	// URL is the proxy's public address (http://127.0.0.1:PORT), where
	// browsers and users' clients go; API is the hub's REST API.
	URL, API string
	// AdminToken is a service token with the scopes to manage users,
	// servers and tokens.
	AdminToken string

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Log is what the hub and its proxy (and the users' servers, whose output
// the hub passes on) have written so far.
func (h *Hub) Log() string { return h.log.String() }

// freePorts returns n ports free on loopback now.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// pyString is s as a Python string literal (JSON's escapes are Python's).
func pyString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Start writes the hub's configuration into opt.Dir and starts it,
// returning once its API answers.
func Start(ctx context.Context, opt Options) (*Hub, error) {
	if m := Missing(); m != "" {
		return nil, errors.New(m)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	token := "hubtest-admin-token-0123456789abcdef"
	cmds, _ := json.Marshal(opt.Commands)
	env, _ := json.Marshal(opt.Env)
	config := fmt.Sprintf(`# Written by nmfkernel/internal/hubtest.
import json
c = get_config()
c.JupyterHub.bind_url = 'http://127.0.0.1:%d/'
c.JupyterHub.hub_bind_url = 'http://127.0.0.1:%d/'
c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:%d'
c.ConfigurableHTTPProxy.pid_file = %s
c.JupyterHub.pid_file = %s
c.JupyterHub.db_url = 'sqlite:///' + %s
c.JupyterHub.cookie_secret_file = %s
c.JupyterHub.authenticator_class = 'dummy'
c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = %s
c.Spawner.cmd = [%s, 'serve', '--hub']
c.Spawner.environment = json.loads(%s)
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
c.JupyterHub.services = [{'name': 'hubtest', 'api_token': %s}]
c.JupyterHub.load_roles = [{'name': 'hubtest', 'scopes': ['admin:users', 'admin:servers', 'tokens', 'read:users', 'access:servers'], 'services': ['hubtest']}]
commands = json.loads(%s) or {}
def pre_spawn(spawner):
    cmd = commands.get(spawner.user.name)
    if cmd:
        spawner.cmd = cmd
c.Spawner.pre_spawn_hook = pre_spawn
`, ports[0], ports[1], ports[2],
		pyString(filepath.Join(opt.Dir, "proxy.pid")), pyString(filepath.Join(opt.Dir, "hub.pid")),
		pyString(filepath.Join(opt.Dir, "jupyterhub.sqlite")), pyString(filepath.Join(opt.Dir, "cookie_secret")),
		pyString(filepath.Join(opt.Dir, "{username}")), pyString(opt.Kernel), pyString(string(env)), pyString(token), pyString(string(cmds)))
	cfg := filepath.Join(opt.Dir, "jupyterhub_config.py")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		return nil, err
	}
	h := &Hub{
		URL: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), API: fmt.Sprintf("http://127.0.0.1:%d/hub/api", ports[1]),
		AdminToken: token, log: &syncBuffer{}, done: make(chan error, 1),
	}
	h.cmd = exec.Command("jupyterhub", "--config="+cfg)
	h.cmd.Dir = opt.Dir
	h.cmd.Stdout, h.cmd.Stderr = h.log, h.log
	ownProcessGroup(h.cmd)
	h.cmd.Env = os.Environ()
	// Debian's proxy finds its modules in /usr/share/nodejs, which a
	// node not from Debian does not search by itself.
	if _, err := os.Stat("/usr/share/nodejs"); err == nil {
		h.cmd.Env = append(h.cmd.Env, "NODE_PATH=/usr/share/nodejs")
	}
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start jupyterhub: %w", err)
	}
	go func() { h.done <- h.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		code, _, err := h.Do(ctx, http.MethodGet, "/", nil, nil)
		if err == nil && code == http.StatusOK {
			// The proxy too.
			if resp, err := http.Get(h.URL + "/hub/api/"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return h, nil
				}
			}
		}
		select {
		case err := <-h.done:
			h.done <- err
			return nil, fmt.Errorf("jupyterhub exited (%v):\n%s", err, h.Log())
		case <-ctx.Done():
			h.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			h.Close()
			return nil, fmt.Errorf("jupyterhub did not answer in a minute:\n%s", h.Log())
		}
	}
}

// Close stops the hub, which stops its users' servers and its proxy
// first, then kills whatever of its process group is left.
func (h *Hub) Close() error {
	terminate(h.cmd)
	select {
	case <-h.done:
	case <-time.After(20 * time.Second):
	}
	killProcessGroup(h.cmd)
	return nil
}

// Do calls the hub's API as the admin service: body is sent as JSON, and
// a JSON answer is decoded into out.
func (h *Hub) Do(ctx context.Context, method, path string, body, out any) (int, []byte, error) {
	return h.DoAs(ctx, h.AdminToken, method, path, body, out)
}

// DoAs calls the hub's API with token.
func (h *Hub) DoAs(ctx context.Context, token, method, path string, body, out any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.API+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, b, nil
}

// expect calls the API and fails unless it answers one of codes.
func (h *Hub) expect(ctx context.Context, method, path string, body, out any, codes ...int) error {
	code, b, err := h.Do(ctx, method, path, body, out)
	if err != nil {
		return err
	}
	for _, c := range codes {
		if code == c {
			return nil
		}
	}
	return fmt.Errorf("%s %s: %d %s", method, path, code, b)
}

// AddUser creates a user.
func (h *Hub) AddUser(ctx context.Context, name string) error {
	return h.expect(ctx, http.MethodPost, "/users/"+name, nil, nil, http.StatusCreated, http.StatusConflict)
}

// Server is a user's default server as the hub sees it.
type Server struct {
	Ready        bool   `json:"ready"`
	Pending      string `json:"pending"`
	URL          string `json:"url"`
	LastActivity string `json:"last_activity"`
	State        struct {
		PID int `json:"pid"`
	} `json:"state"`
}

// User is a user as the hub's API describes them.
type User struct {
	Name         string            `json:"name"`
	LastActivity string            `json:"last_activity"`
	Servers      map[string]Server `json:"servers"`
}

// User returns the hub's model of name (with its servers' state).
func (h *Hub) User(ctx context.Context, name string) (User, error) {
	var u User
	err := h.expect(ctx, http.MethodGet, "/users/"+name+"?include_stopped_servers", nil, &u, http.StatusOK)
	return u, err
}

// StartServer asks the hub to start name's server ("start my server") and
// waits until the hub reports it ready.
func (h *Hub) StartServer(ctx context.Context, name string) (Server, error) {
	if err := h.expect(ctx, http.MethodPost, "/users/"+name+"/server", nil, nil, http.StatusCreated, http.StatusAccepted); err != nil {
		return Server{}, err
	}
	return h.waitServer(ctx, name, func(s Server, ok bool) bool { return ok && s.Ready })
}

// StopServer asks the hub to stop name's server and waits until it has.
func (h *Hub) StopServer(ctx context.Context, name string) error {
	if err := h.expect(ctx, http.MethodDelete, "/users/"+name+"/server", nil, nil, http.StatusNoContent, http.StatusAccepted); err != nil {
		return err
	}
	_, err := h.waitServer(ctx, name, func(s Server, ok bool) bool { return !ok || (!s.Ready && s.Pending == "") })
	return err
}

func (h *Hub) waitServer(ctx context.Context, name string, done func(Server, bool) bool) (Server, error) {
	for {
		u, err := h.User(ctx, name)
		if err != nil {
			return Server{}, err
		}
		s, ok := u.Servers[""]
		if done(s, ok) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return s, fmt.Errorf("%s's server: %w (last seen %+v)", name, ctx.Err(), s)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Token makes an API token for name with the hub's default scopes; one
// that expires after expiresIn when it is not zero.
func (h *Hub) Token(ctx context.Context, name string, expiresIn time.Duration) (string, error) {
	body := map[string]any{"note": "hubtest"}
	if expiresIn > 0 {
		body["expires_in"] = int(expiresIn.Seconds())
	}
	var reply struct {
		Token string `json:"token"`
	}
	err := h.expect(ctx, http.MethodPost, "/users/"+name+"/tokens", body, &reply, http.StatusCreated, http.StatusOK)
	return reply.Token, err
}

// Browser is an HTTP client with cookies, logged in to the hub as a
// user, that follows redirects as a browser does.
func (h *Hub) Browser(ctx context.Context, name string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 60 * time.Second}
	resp, err := c.PostForm(h.URL+"/hub/login?next=%2Fhub%2Fhome", url.Values{"username": {name}, "password": {"any"}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("log %s in to the hub: %s", name, resp.Status)
	}
	hubURL, _ := url.Parse(h.URL + "/hub/")
	for _, ck := range jar.Cookies(hubURL) {
		if strings.HasPrefix(ck.Name, "jupyterhub-hub-login") {
			return c, nil
		}
	}
	return nil, fmt.Errorf("log %s in to the hub: no login cookie", name)
}
