package hub

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func hubEnv() map[string]string {
	return map[string]string{
		"JUPYTERHUB_API_TOKEN":          "server-token",
		"JUPYTERHUB_API_URL":            "http://127.0.0.1:8081/hub/api/",
		"JUPYTERHUB_BASE_URL":           "/",
		"JUPYTERHUB_SERVICE_PREFIX":     "/user/alice/",
		"JUPYTERHUB_SERVICE_URL":        "http://127.0.0.1:50123/user/alice/",
		"JUPYTERHUB_USER":               "alice",
		"JUPYTERHUB_CLIENT_ID":          "jupyterhub-user-alice",
		"JUPYTERHUB_OAUTH_CALLBACK_URL": "/user/alice/oauth_callback",
		"JUPYTERHUB_ACTIVITY_URL":       "http://127.0.0.1:8081/hub/api/users/alice/activity",
	}
}

func TestFromEnv(t *testing.T) {
	c, err := FromEnv(env(hubEnv()))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "http://127.0.0.1:8081/hub/api" || c.ListenAddr() != "127.0.0.1:50123" || c.ServicePrefix != "/user/alice/" ||
		c.ActivityInterval != 300*time.Second || strings.Join(c.AccessScopes, " ") != "access:servers!server=alice/ access:servers!user=alice" {
		t.Errorf("config %+v", c)
	}
	for _, tc := range []struct {
		name, key, value, want string
	}{
		{"no token", "JUPYTERHUB_API_TOKEN", "", "JUPYTERHUB_API_TOKEN is not set"},
		{"no user", "JUPYTERHUB_USER", "", "JUPYTERHUB_USER is not set"},
		{"API URL not http", "JUPYTERHUB_API_URL", "ftp://x/hub/api", "not an http(s) URL"},
		{"service URL with TLS", "JUPYTERHUB_SERVICE_URL", "https://127.0.0.1:1/user/alice/", "does not serve TLS itself"},
		{"scopes not JSON", "JUPYTERHUB_OAUTH_ACCESS_SCOPES", "access:servers", "not a JSON list"},
		{"interval not a number", "JUPYTERHUB_ACTIVITY_INTERVAL", "5m", "not a number of seconds"},
	} {
		e := hubEnv()
		e[tc.key] = tc.value
		if _, err := FromEnv(env(e)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	e := hubEnv()
	e["JUPYTERHUB_OAUTH_ACCESS_SCOPES"] = `["access:servers!server=alice/lab"]`
	e["JUPYTERHUB_ACTIVITY_INTERVAL"] = "0"
	e["JUPYTERHUB_SERVICE_PREFIX"] = "user/alice"
	c, err = FromEnv(env(e))
	if err != nil || len(c.AccessScopes) != 1 || c.ActivityInterval != 0 || c.ServicePrefix != "/user/alice/" {
		t.Errorf("%+v %v", c, err)
	}
}

func TestAllowed(t *testing.T) {
	c := NewClient(Config{User: "alice", AccessScopes: []string{"access:servers!server=alice/", "access:servers!user=alice"}})
	for _, tc := range []struct {
		scopes []string
		want   bool
	}{
		{[]string{"access:servers!user=alice"}, true},
		{[]string{"access:servers!server=alice/"}, true},
		{[]string{"access:servers"}, true}, // an admin
		{[]string{"read:users", "access:servers!user=bob"}, false},
		{[]string{"access:servers!server=alice/other"}, false},
		{[]string{"access:servers!group=alice"}, false}, // groups are not resolved, as in the hub's check_scopes
		{[]string{"access:services"}, false},
		{nil, false},
	} {
		if got := c.Allowed(&User{Name: "u", Scopes: tc.scopes}); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.scopes, got, tc.want)
		}
	}
	if c.Allowed(nil) {
		t.Error("nil user allowed")
	}
}

// fakeHub answers the API calls a single-user server makes.
func fakeHub(t *testing.T, calls *atomic.Int64) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("X-JupyterHub-Version", "3.0.0")
		switch {
		case r.URL.Path == "/hub/api/":
			w.Write([]byte(`{"version": "3.0.0"}`))
		case r.URL.Path == "/hub/api/user":
			switch r.Header.Get("Authorization") {
			case "token alice-token":
				json.NewEncoder(w).Encode(User{Name: "alice", Scopes: []string{"access:servers!user=alice"}})
			case "token broken":
				http.Error(w, "boom", http.StatusInternalServerError)
			default:
				http.Error(w, `{"status": 403}`, http.StatusForbidden)
			}
		case r.URL.Path == "/hub/api/oauth2/token":
			r.ParseForm()
			if r.PostForm.Get("client_secret") != "server-token" || r.PostForm.Get("code") != "good" || r.PostForm.Get("redirect_uri") != "/user/alice/oauth_callback" {
				http.Error(w, `{"error": "invalid_grant"}`, http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"access_token": "alice-token", "token_type": "Bearer"}`))
		case r.URL.Path == "/hub/api/users/alice/activity":
			var body struct {
				LastActivity string `json:"last_activity"`
				Servers      map[string]struct {
					LastActivity string `json:"last_activity"`
				} `json:"servers"`
			}
			if r.Header.Get("Authorization") != "token server-token" || json.NewDecoder(r.Body).Decode(&body) != nil || body.Servers[""].LastActivity != body.LastActivity {
				http.Error(w, "bad activity", http.StatusBadRequest)
				return
			}
			w.Write([]byte(body.LastActivity))
		default:
			http.NotFound(w, r)
		}
	}))
}

func TestClient(t *testing.T) {
	var calls atomic.Int64
	h := fakeHub(t, &calls)
	defer h.Close()
	e := hubEnv()
	e["JUPYTERHUB_API_URL"] = h.URL + "/hub/api"
	e["JUPYTERHUB_ACTIVITY_URL"] = h.URL + "/hub/api/users/alice/activity"
	cfg, err := FromEnv(env(e))
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(cfg)
	ctx := context.Background()
	if err := c.Connect(ctx); err != nil || c.Version() != "3.0.0" {
		t.Fatalf("connect: %v %q", err, c.Version())
	}
	u, err := c.UserForToken(ctx, "alice-token")
	if err != nil || u.Name != "alice" || !c.Allowed(u) {
		t.Fatalf("alice: %+v %v", u, err)
	}
	n := calls.Load()
	if u, err := c.UserForToken(ctx, "alice-token"); err != nil || u.Name != "alice" || calls.Load() != n {
		t.Errorf("the second check asked the hub again (%d calls) or failed: %v", calls.Load()-n, err)
	}
	if _, err := c.UserForToken(ctx, "stranger"); !errors.Is(err, ErrRefused) {
		t.Errorf("unknown token: %v", err)
	}
	if _, err := c.UserForToken(ctx, "broken"); err == nil || errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "500") {
		t.Errorf("a hub error is not a refusal: %v", err)
	}
	if tok, err := c.TokenForCode(ctx, "good"); err != nil || tok != "alice-token" {
		t.Errorf("code exchange: %q %v", tok, err)
	}
	if _, err := c.TokenForCode(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "refused the login code") {
		t.Errorf("bad code: %v", err)
	}
	if err := c.ReportActivity(ctx, time.Now()); err != nil {
		t.Errorf("activity: %v", err)
	}
	if got := c.AuthorizeURL("s1"); got != "/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&redirect_uri=%2Fuser%2Falice%2Foauth_callback&response_type=code&state=s1" {
		t.Errorf("authorize URL %s", got)
	}
}

func TestConnectFails(t *testing.T) {
	notHub := httptest.NewServer(http.NotFoundHandler())
	defer notHub.Close()
	c := NewClient(Config{APIURL: notHub.URL + "/hub/api"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.Connect(ctx); err == nil {
		t.Error("connected to a server that is not a hub")
	}
}

func TestKeepActivityUpdated(t *testing.T) {
	var posts atomic.Int64
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posts.Add(1) }))
	defer h.Close()
	c := NewClient(Config{ActivityURL: h.URL, ActivityInterval: 20 * time.Millisecond, APIToken: "x"})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	go func() {
		time.Sleep(150 * time.Millisecond)
		last.Store(time.Now().UnixNano())
	}()
	c.KeepActivityUpdated(ctx, func() time.Time { return time.Unix(0, last.Load()) }, t.Logf)
	// Two moments of activity: two reports, however many ticks.
	if n := posts.Load(); n != 2 {
		t.Errorf("%d reports, want 2 (one per new activity)", n)
	}
}
