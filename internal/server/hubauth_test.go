package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"nmfkernel/internal/hub"
)

// TestHubLogin runs the browser side of the hub's OAuth flow against a
// fake hub: the state cookie, the code exchange, the login cookie under
// the prefix, and a login that ends when the hub revokes its token.
func TestHubLogin(t *testing.T) {
	var revoked atomic.Bool
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-JupyterHub-Version", "3.0.0")
		switch r.URL.Path {
		case "/hub/api/":
			w.Write([]byte(`{"version":"3.0.0"}`))
		case "/hub/api/user":
			if r.Header.Get("Authorization") != "token alice-oauth" || revoked.Load() {
				http.Error(w, "{}", http.StatusForbidden)
				return
			}
			json.NewEncoder(w).Encode(hub.User{Name: "alice", Scopes: []string{"access:servers!server=alice/"}})
		case "/hub/api/oauth2/token":
			r.ParseForm()
			if r.PostForm.Get("code") != "the-code" || r.PostForm.Get("client_secret") != "server-secret" {
				http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"access_token":"alice-oauth"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer fake.Close()
	cfg, err := hub.FromEnv(func(k string) string {
		return map[string]string{
			"JUPYTERHUB_API_TOKEN": "server-secret", "JUPYTERHUB_API_URL": fake.URL + "/hub/api", "JUPYTERHUB_USER": "alice",
			"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:0/user/alice/", "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice",
		}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	hc := hub.NewClient(cfg)
	hc.CacheFor = 0
	if err := hc.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Options{Root: t.TempDir(), Hub: hc, BaseURL: cfg.ServicePrefix})
	get := func(path string, cookies []*http.Cookie, header ...string) *http.Response {
		req, _ := http.NewRequest("GET", ts.base+path, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	// No login: to the hub, with a state bound to this browser.
	resp := get("/user/alice/notebooks/a.ipynb", nil, "X-Forwarded-Proto", "https")
	loc, _ := url.Parse(resp.Header.Get("Location"))
	stateCookie := cookieOf(resp, oauthStateCookie)
	if resp.StatusCode != http.StatusFound || loc.Path != "/hub/api/oauth2/authorize" || loc.Query().Get("client_id") != "jupyterhub-user-alice" ||
		stateCookie == nil || stateCookie.Path != "/user/alice/" || !stateCookie.Secure || !stateCookie.HttpOnly {
		t.Fatalf("no login: %d %s %+v", resp.StatusCode, loc, stateCookie)
	}
	if resp.Header.Get("X-JupyterHub-Version") != "3.0.0" {
		t.Errorf("a redirect without the hub's version header")
	}
	state := loc.Query().Get("state")
	// The hub sends the browser back with a code.
	resp = get("/user/alice/oauth_callback?code=the-code&state="+state, []*http.Cookie{stateCookie})
	login := cookieOf(resp, loginCookie)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/user/alice/notebooks/a.ipynb" || login == nil || login.Path != "/user/alice/" {
		t.Fatalf("callback: %d → %q, cookies %+v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies())
	}
	// The same state in another browser (no state cookie), or another
	// state with this cookie: refused.
	if resp := get("/user/alice/oauth_callback?code=the-code&state="+state, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("callback without the state cookie: %d", resp.StatusCode)
	}
	other := "0" + state[1:]
	if state[0] == '0' {
		other = "1" + state[1:]
	}
	if resp := get("/user/alice/oauth_callback?code=the-code&state="+other, []*http.Cookie{stateCookie}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("callback with another state: %d", resp.StatusCode)
	}
	forged := *stateCookie
	forged.Value = state + "." + "Ly9ldmlsLmV4YW1wbGU" + "." + strings.Repeat("0", 64) // next=//evil.example
	if resp := get("/user/alice/oauth_callback?code=the-code&state="+state, []*http.Cookie{&forged}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("callback with a forged state cookie: %d", resp.StatusCode)
	}
	if resp := get("/user/alice/notebooks/a.ipynb", []*http.Cookie{login}); resp.StatusCode != http.StatusOK {
		t.Errorf("logged in: %d", resp.StatusCode)
	}
	// The server's own token does not exist in hub mode.
	if resp := get("/user/alice/api/status", nil, "Authorization", "token "+ts.Token()); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the server's internal secret as a token: %d", resp.StatusCode)
	}
	// The hub revokes the token: the login ends.
	revoked.Store(true)
	if resp := get("/user/alice/api/status", []*http.Cookie{login}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("revoked login, API: %d", resp.StatusCode)
	}
	if resp := get("/user/alice/tree/", []*http.Cookie{login}); resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "/hub/api/oauth2/authorize") {
		t.Errorf("revoked login, page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if strings.Contains(ts.logs.String(), "alice-oauth") || strings.Contains(ts.logs.String(), "server-secret") {
		t.Errorf("a token in the log:\n%s", ts.logs.String())
	}
}
