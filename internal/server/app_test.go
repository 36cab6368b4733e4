package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestAppLogin follows jupyter_server's rules: the printed URL's token
// becomes an HttpOnly cookie (and leaves the address bar), the cookie
// authenticates the app's API calls, and those that change state also
// need the XSRF header; the page carries a Content-Security-Policy.
func TestAppLogin(t *testing.T) {
	ts := startServer(t, Options{Token: "app-token", Root: t.TempDir()})
	get := func(path string, cookies ...*http.Cookie) *http.Response {
		req, _ := http.NewRequest("GET", ts.base+path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get("/")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("no login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = get("/tree/sub?token=wrong")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "failed=1") || cookieOf(resp, loginCookie) != nil {
		t.Errorf("wrong token: %d %s", resp.StatusCode, loc)
	}
	resp = get("/tree/sub?token=app-token")
	login, xsrf := cookieOf(resp, loginCookie), cookieOf(resp, xsrfCookie)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/tree/sub" {
		t.Errorf("token URL: %d → %s (the token must leave the address)", resp.StatusCode, resp.Header.Get("Location"))
	}
	if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteLaxMode || strings.Contains(login.Value, "app-token") {
		t.Fatalf("login cookie %+v", login)
	}
	if xsrf == nil || xsrf.HttpOnly || len(xsrf.Value) < 32 {
		t.Fatalf("xsrf cookie %+v", xsrf)
	}
	resp = get("/notebooks/a.ipynb", login, xsrf)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !regexp.MustCompile(`script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'`).MatchString(csp) || !strings.Contains(csp, "object-src 'none'") || !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Errorf("app page: %d, CSP %q", resp.StatusCode, csp)
	}
	if resp := get("/static/app.js"); resp.StatusCode != 200 || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("static asset: %d", resp.StatusCode)
	}

	api := func(method, path string, header ...string) int {
		req, _ := http.NewRequest(method, ts.base+path, strings.NewReader(`{"type":"notebook"}`))
		req.AddCookie(login)
		req.AddCookie(xsrf)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name   string
		method string
		header []string
		want   int
	}{
		{"cookie GET", "GET", nil, 200},
		{"cookie POST without XSRF", "POST", nil, 403},
		{"cookie POST with a wrong XSRF", "POST", []string{"X-XSRFToken", "nope"}, 403},
		{"cookie POST with XSRF", "POST", []string{"X-XSRFToken", xsrf.Value}, 201},
		{"cookie POST with XSRF from another site", "POST", []string{"X-XSRFToken", xsrf.Value, "Origin", "http://evil.example"}, 403},
		{"token POST needs no XSRF", "POST", []string{"Authorization", "token app-token"}, 201},
	} {
		if got := api(tc.method, "/api/contents/", tc.header...); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}

	// The login form: its XSRF field must match the cookie.
	form := url.Values{"token": {"app-token"}, "next": {"//evil.example/"}, "_xsrf": {xsrf.Value}}
	req, _ := http.NewRequest("POST", ts.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(xsrf)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/" || cookieOf(resp, loginCookie) == nil {
		t.Errorf("login form: %d → %q (never off the server)", resp.StatusCode, resp.Header.Get("Location"))
	}
	form.Set("_xsrf", "forged")
	req, _ = http.NewRequest("POST", ts.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(xsrf)
	if resp, _ := noRedirect.Do(req); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a forged XSRF field: %d", resp.StatusCode)
	}
	if strings.Contains(ts.logs.String(), "app-token") {
		t.Error("the token appears in the server's log")
	}
}

// TestCORS: --allow-origin origins get CORS headers and preflights;
// others get neither.
func TestCORS(t *testing.T) {
	ts := startServer(t, Options{AllowOrigin: "http://lab.example:8000", Root: t.TempDir()})
	preflight := func(origin string) *http.Response {
		resp, _ := send(t, "OPTIONS", ts.base+"/api/kernels", nil, "Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
		return resp
	}
	resp := preflight("http://lab.example:8000")
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "http://lab.example:8000" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "Authorization") || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp = preflight("http://evil.example")
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = ts.do(t, "GET", "/api/contents/", nil, "Origin", "http://lab.example:8000")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "http://lab.example:8000" {
		t.Errorf("GET from an allowed origin: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = ts.do(t, "GET", "/api/contents/", nil, "Origin", "http://evil.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from another origin has CORS headers: %v", resp.Header)
	}
	if resp, _ := ts.do(t, "POST", "/api/contents/", map[string]string{"type": "file"}, "Origin", "http://evil.example"); resp.StatusCode != 403 {
		t.Errorf("POST from another origin: %d", resp.StatusCode)
	}
	// The login cookie alone authenticates nothing across origins, not even
	// from an allowed one (another port of this host is the same site, and
	// browsers send it the cookie): GETs, websockets, state changes.
	cookie := "nmfkernel-login=" + ts.newLoginValue() + "; _xsrf=0123456789abcdef0123456789abcdef"
	for _, c := range []struct{ method, path string }{{"GET", "/api/contents/"}, {"GET", "/api/kernels"}, {"POST", "/api/kernels"}} {
		resp, _ := send(t, c.method, ts.base+c.path, nil, "Origin", "http://lab.example:8000", "Cookie", cookie, "X-XSRFToken", "0123456789abcdef0123456789abcdef")
		if resp.StatusCode != 403 {
			t.Errorf("%s %s from an allowed origin with only the cookie: %d", c.method, c.path, resp.StatusCode)
		}
	}
	resp, _ = send(t, "GET", ts.base+"/api/kernels/x/channels", nil, "Origin", "http://lab.example:8000", "Cookie", cookie,
		"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if resp.StatusCode != 403 {
		t.Errorf("a websocket from an allowed origin with only the cookie: %d", resp.StatusCode)
	}
	// The app itself, same origin, with the cookie: allowed.
	if resp, _ := send(t, "GET", ts.base+"/api/contents/", nil, "Origin", ts.base, "Cookie", cookie); resp.StatusCode != 200 {
		t.Errorf("same-origin GET with the cookie: %d", resp.StatusCode)
	}
}

// TestContentsAPI drives every verb over HTTP, as JupyterLab's drive does.
func TestContentsAPI(t *testing.T) {
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "data"), 0o755)
	os.WriteFile(filepath.Join(root, "data", "x.csv"), []byte("a,b\n1,2\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "old", ".git"), 0o755)
	os.WriteFile(filepath.Join(root, "old", ".env"), []byte("KEY=1\n"), 0o644)
	ts := startServer(t, Options{Root: root})
	type model struct {
		Name         string          `json:"name"`
		Path         string          `json:"path"`
		Type         string          `json:"type"`
		LastModified string          `json:"last_modified"`
		Content      json.RawMessage `json:"content"`
	}
	call := func(method, path string, body any, want int) model {
		t.Helper()
		resp, b := ts.do(t, method, path, body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
		}
		var m model
		json.Unmarshal(b, &m)
		return m
	}
	m := call("GET", "/api/contents", nil, 200)
	if m.Type != "directory" || !strings.Contains(string(m.Content), `"path":"data"`) {
		t.Errorf("root: %+v", m)
	}
	m = call("POST", "/api/contents/data", map[string]string{"type": "notebook"}, 201)
	if m.Path != "data/Untitled.ipynb" {
		t.Errorf("new notebook: %+v", m)
	}
	nb := map[string]any{"type": "notebook", "format": "json", "content": map[string]any{
		"cells":    []any{map[string]any{"cell_type": "code", "source": "x := 1", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil}},
		"metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5}}
	call("PUT", "/api/contents/data/Untitled.ipynb", nb, 200)
	call("PUT", "/api/contents/data/new.ipynb", nb, 201)
	m = call("GET", "/api/contents/data/new.ipynb", nil, 200)
	if !strings.Contains(string(m.Content), `"x := 1"`) {
		t.Errorf("saved notebook: %s", m.Content)
	}
	call("GET", "/api/contents/data/x.csv?format=base64&type=file", nil, 200)
	call("PATCH", "/api/contents/data/new.ipynb", map[string]string{"path": "data/renamed.ipynb"}, 200)
	call("PATCH", "/api/contents/data/renamed.ipynb", map[string]string{"path": "data/x.csv"}, 409)
	call("GET", "/api/contents/data/new.ipynb", nil, 404)
	call("GET", "/api/contents/../etc", nil, 404) // cleaned by the HTTP mux
	call("GET", "/api/contents/data/%2e%2e/%2e%2e/etc/passwd", nil, 403)
	call("GET", "/api/contents/.ssh/id_rsa", nil, 403)
	call("PUT", "/api/contents/data/bad.ipynb", map[string]any{"type": "notebook", "content": map[string]any{"cells": 1}}, 400)
	// Conflicts: a save of what was read before a change is refused.
	read := call("GET", "/api/contents/data/renamed.ipynb?content=0", nil, 200)
	stale := map[string]any{"type": "notebook", "format": "json", "content": nb["content"], "last_modified": "2000-01-01T00:00:00.000000Z"}
	call("PUT", "/api/contents/data/renamed.ipynb", stale, 409)
	fresh := map[string]any{"type": "notebook", "format": "json", "content": nb["content"], "last_modified": read.LastModified}
	call("PUT", "/api/contents/data/renamed.ipynb", fresh, 200)
	// Checkpoints.
	cp := call("POST", "/api/contents/data/renamed.ipynb/checkpoints", nil, 201)
	_ = cp
	resp, b := ts.do(t, "GET", "/api/contents/data/renamed.ipynb/checkpoints", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"id":"checkpoint"`) {
		t.Errorf("list checkpoints: %d %s", resp.StatusCode, b)
	}
	os.WriteFile(filepath.Join(root, "data", "renamed.ipynb"), []byte("broken"), 0o644)
	call("POST", "/api/contents/data/renamed.ipynb/checkpoints/checkpoint", nil, 204)
	call("GET", "/api/contents/data/renamed.ipynb", nil, 200)
	call("DELETE", "/api/contents/data/renamed.ipynb/checkpoints/checkpoint", nil, 204)
	call("DELETE", "/api/contents/data/renamed.ipynb", nil, 204)
	// A folder goes to the trash with its hidden files (jupyter_server's
	// delete_to_trash); TestDeleteWithoutTrash has the trash off.
	call("DELETE", "/api/contents/old", nil, 204)
	if b, err := os.ReadFile(filepath.Join(os.Getenv("XDG_DATA_HOME"), "Trash", "files", "old", ".env")); err != nil || string(b) != "KEY=1\n" {
		t.Errorf("the deleted folder's hidden file is not in the trash: %q %v", b, err)
	}
	// Raw files, sandboxed.
	resp, b = ts.do(t, "GET", "/files/data/x.csv", nil)
	if resp.StatusCode != 200 || string(b) != "a,b\n1,2\n" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("/files/: %d %q %v", resp.StatusCode, b, resp.Header)
	}
	if resp, _ := send(t, "GET", ts.base+"/files/data/x.csv", nil); resp.StatusCode != 403 {
		t.Errorf("/files/ without a token: %d", resp.StatusCode)
	}
}

// TestKernelWorkingDirectory: a kernel runs in its notebook's folder
// (session path), or where KERNEL_WORKING_DIR says (Notebook as a
// gateway client), never outside the root.
func TestKernelWorkingDirectory(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "nbs", "data"), 0o755)
	os.WriteFile(filepath.Join(root, "nbs", "data", "grocery.csv"), []byte(",John\nBread,1\n"), 0o644)
	ts := startServer(t, Options{Root: root})
	real, _ := filepath.EvalSymlinks(root)
	cwd := func(kernelID string) string {
		t.Helper()
		c := ts.dial(t, kernelID, false)
		req := c.send("shell", "execute_request", map[string]any{"code": "import (\"fmt\"; \"os\")\nd, _ := os.Getwd()\nfmt.Print(d)", "silent": false})
		for _, m := range c.all(req) {
			if m.Header.MsgType == "stream" {
				var s struct{ Text string }
				json.Unmarshal(m.Content, &s)
				return s.Text
			}
		}
		return ""
	}
	// A session's path.
	resp, b := ts.do(t, "POST", "/api/sessions", map[string]any{"path": "nbs/grocery.ipynb", "type": "notebook", "kernel": map[string]string{"name": "nmfkernel"}})
	var se struct{ Kernel struct{ ID string } }
	json.Unmarshal(b, &se)
	if resp.StatusCode != 201 {
		t.Fatalf("session: %d %s", resp.StatusCode, b)
	}
	if got := cwd(se.Kernel.ID); got != filepath.Join(real, "nbs") {
		t.Errorf("session kernel runs in %q, want %q", got, filepath.Join(real, "nbs"))
	}
	// Notebook 6's gateway request.
	resp, b = ts.do(t, "POST", "/api/kernels", map[string]any{"name": "nmfkernel", "env": map[string]string{"KERNEL_WORKING_DIR": filepath.Join(root, "nbs", "data"), "KERNEL_USERNAME": "ann"}})
	var k struct{ ID string }
	json.Unmarshal(b, &k)
	if resp.StatusCode != 201 {
		t.Fatalf("gateway start: %d %s", resp.StatusCode, b)
	}
	if got := cwd(k.ID); got != filepath.Join(real, "nbs", "data") {
		t.Errorf("KERNEL_WORKING_DIR kernel runs in %q", got)
	}
	if resp, b := ts.do(t, "POST", "/api/kernels", map[string]any{"env": map[string]string{"KERNEL_WORKING_DIR": os.TempDir()}}); resp.StatusCode != 403 || !strings.Contains(string(b), "outside the server's root") {
		t.Errorf("KERNEL_WORKING_DIR outside the root: %d %s", resp.StatusCode, b)
	}
}

// TestDeleteWithoutTrash: with the trash off (kernel serve
// --delete-to-trash=false), a folder holding anything but checkpoints is
// refused with a 400 that names what it holds, and nothing is removed.
func TestDeleteWithoutTrash(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "proj", ".git"), 0o755)
	os.WriteFile(filepath.Join(root, "proj", ".env"), []byte("KEY=1\n"), 0o644)
	os.WriteFile(filepath.Join(root, "note.txt"), []byte("x"), 0o644)
	ts := startServer(t, Options{Root: root, PermanentDelete: true})
	resp, b := ts.do(t, "DELETE", "/api/contents/proj", nil)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "not empty") {
		t.Errorf("delete a folder of hidden files: %d %s", resp.StatusCode, b)
	}
	if _, err := os.Stat(filepath.Join(root, "proj", ".env")); err != nil {
		t.Errorf("a hidden file was deleted: %v", err)
	}
	if resp, _ := ts.do(t, "DELETE", "/api/contents/note.txt", nil); resp.StatusCode != 204 {
		t.Errorf("delete a file: %d", resp.StatusCode)
	}
	if _, err := os.Stat(filepath.Join(root, "note.txt")); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
}

// TestLoginHardening: logging out revokes that login (its cookie
// authenticates nothing after, and other logins stay), wrong tokens are
// throttled, and post-login targets with control characters go to /.
func TestLoginHardening(t *testing.T) {
	ts := startServer(t, Options{Token: "app-token", Root: t.TempDir()})
	login := func() *http.Cookie {
		resp, err := noRedirect.Get(ts.base + "/?token=app-token")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return cookieOf(resp, loginCookie)
	}
	withCookie := func(path string, c *http.Cookie) *http.Response {
		req, _ := http.NewRequest("GET", ts.base+path, nil)
		req.AddCookie(c)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	a, b := login(), login()
	if a == nil || b == nil || a.Value == b.Value {
		t.Fatalf("two logins got %v and %v: each needs a cookie of its own", a, b)
	}
	if resp := withCookie("/api/contents/", a); resp.StatusCode != 200 {
		t.Fatalf("the login cookie: %d", resp.StatusCode)
	}
	withCookie("/logout", a)
	if resp := withCookie("/api/contents/", a); resp.StatusCode != 403 {
		t.Errorf("a logged-out cookie still works: %d", resp.StatusCode)
	}
	if resp := withCookie("/api/contents/", b); resp.StatusCode != 200 {
		t.Errorf("another login was logged out too: %d", resp.StatusCode)
	}
	// Redirect targets.
	for _, next := range []string{"/\tevil", "/x\r\nSet-Cookie: a=b", "/\\evil.example", "//evil.example"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	// Throttling: after maxFailures wrong tokens, token checks pause, the
	// right token included; a logged-in browser goes on.
	for range maxFailures {
		ts.do(t, "GET", "/api/contents/", nil, "Authorization", "token wrong")
	}
	if resp, _ := send(t, "GET", ts.base+"/api/contents/", nil, "Authorization", "token app-token"); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("after %d wrong tokens: %d", maxFailures, resp.StatusCode)
	}
	if resp, err := noRedirect.Get(ts.base + "/?token=app-token"); err != nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a token URL while throttled: %v %v", resp.StatusCode, err)
	}
	if resp := withCookie("/api/contents/", b); resp.StatusCode != 200 {
		t.Errorf("a logged-in browser while throttled: %d", resp.StatusCode)
	}
}
