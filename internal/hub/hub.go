// Package hub lets kernel serve run as JupyterHub's single-user server, as
// jupyterhub-singleuser does: it reads the environment the hub's spawner
// sets, identifies users by their hub tokens (asking the hub's API, with a
// short cache), decides from a token's scopes whether it grants this
// server, runs the browser side of the hub's OAuth 2 code flow, and reports
// activity to the hub.
package hub

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is what the hub's spawner tells its single-user server, through
// the environment (jupyterhub/spawner.py, Spawner.get_env).
type Config struct {
	// APIToken is this server's own hub token (JUPYTERHUB_API_TOKEN); it is
	// also the OAuth client secret.
	APIToken string
	// APIURL is the hub's API as this server reaches it
	// (JUPYTERHUB_API_URL, e.g. http://127.0.0.1:8081/hub/api).
	APIURL string
	// BaseURL is the hub's public prefix (JUPYTERHUB_BASE_URL, "/").
	BaseURL string
	// Host is the hub's public scheme://host when users' servers have
	// their own subdomains (JUPYTERHUB_HOST), else "".
	Host string
	// ServicePrefix is this server's URL prefix (JUPYTERHUB_SERVICE_PREFIX,
	// e.g. /user/alice/).
	ServicePrefix string
	// ServiceURL is where this server listens (JUPYTERHUB_SERVICE_URL,
	// e.g. http://127.0.0.1:50123/user/alice/).
	ServiceURL string
	// User and ServerName name this server (JUPYTERHUB_USER,
	// JUPYTERHUB_SERVER_NAME; "" is the user's default server).
	User, ServerName string
	// ClientID and CallbackURL are this server's OAuth client
	// (JUPYTERHUB_CLIENT_ID, JUPYTERHUB_OAUTH_CALLBACK_URL).
	ClientID, CallbackURL string
	// AccessScopes are the scopes that grant this server; a token needs one
	// of them (JUPYTERHUB_OAUTH_ACCESS_SCOPES, JSON).
	AccessScopes []string
	// ActivityURL and ActivityInterval say where and how often to report
	// activity (JUPYTERHUB_ACTIVITY_URL, JUPYTERHUB_ACTIVITY_INTERVAL in
	// seconds, 300 when unset; 0 turns reports off).
	ActivityURL      string
	ActivityInterval time.Duration
	// RootDir is the folder to serve (JUPYTERHUB_ROOT_DIR, Spawner.notebook_dir).
	RootDir string
	// DefaultURL is where the server's root sends a browser
	// (JUPYTERHUB_DEFAULT_URL, Spawner.default_url), relative to the prefix.
	DefaultURL string
}

// FromEnv reads the hub's environment. It fails, naming the variable,
// when one the server cannot work without is missing or malformed.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		APIToken:      getenv("JUPYTERHUB_API_TOKEN"),
		APIURL:        strings.TrimRight(getenv("JUPYTERHUB_API_URL"), "/"),
		BaseURL:       getenv("JUPYTERHUB_BASE_URL"),
		Host:          strings.TrimRight(getenv("JUPYTERHUB_HOST"), "/"),
		ServicePrefix: getenv("JUPYTERHUB_SERVICE_PREFIX"),
		ServiceURL:    getenv("JUPYTERHUB_SERVICE_URL"),
		User:          getenv("JUPYTERHUB_USER"),
		ServerName:    getenv("JUPYTERHUB_SERVER_NAME"),
		ClientID:      getenv("JUPYTERHUB_CLIENT_ID"),
		CallbackURL:   getenv("JUPYTERHUB_OAUTH_CALLBACK_URL"),
		ActivityURL:   getenv("JUPYTERHUB_ACTIVITY_URL"),
		RootDir:       getenv("JUPYTERHUB_ROOT_DIR"),
		DefaultURL:    getenv("JUPYTERHUB_DEFAULT_URL"),
	}
	for _, v := range []struct{ name, value string }{
		{"JUPYTERHUB_API_TOKEN", c.APIToken}, {"JUPYTERHUB_API_URL", c.APIURL}, {"JUPYTERHUB_USER", c.User},
		{"JUPYTERHUB_SERVICE_URL", c.ServiceURL}, {"JUPYTERHUB_CLIENT_ID", c.ClientID},
	} {
		if v.value == "" {
			return Config{}, fmt.Errorf("%s is not set: kernel serve --hub runs as a server that JupyterHub starts, with the environment its spawner sets", v.name)
		}
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Config{}, fmt.Errorf("JUPYTERHUB_API_URL %q is not an http(s) URL", c.APIURL)
	}
	su, err := url.Parse(c.ServiceURL)
	if err != nil || su.Scheme != "http" || su.Host == "" {
		return Config{}, fmt.Errorf("JUPYTERHUB_SERVICE_URL %q is not an http URL (this server does not serve TLS itself: put it behind the hub's proxy)", c.ServiceURL)
	}
	if c.BaseURL == "" {
		c.BaseURL = "/"
	}
	if c.ServicePrefix == "" {
		c.ServicePrefix = su.Path
	}
	if c.ServicePrefix == "" {
		c.ServicePrefix = "/"
	}
	c.ServicePrefix = CleanPrefix(c.ServicePrefix)
	c.BaseURL = CleanPrefix(c.BaseURL)
	if c.CallbackURL == "" {
		c.CallbackURL = c.ServicePrefix + "oauth_callback"
	}
	c.AccessScopes = []string{"access:servers!server=" + c.User + "/" + c.ServerName, "access:servers!user=" + c.User}
	if s := getenv("JUPYTERHUB_OAUTH_ACCESS_SCOPES"); s != "" {
		if err := json.Unmarshal([]byte(s), &c.AccessScopes); err != nil {
			return Config{}, fmt.Errorf("JUPYTERHUB_OAUTH_ACCESS_SCOPES is not a JSON list of scopes: %w", err)
		}
	}
	c.ActivityInterval = 300 * time.Second
	if s := getenv("JUPYTERHUB_ACTIVITY_INTERVAL"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return Config{}, fmt.Errorf("JUPYTERHUB_ACTIVITY_INTERVAL %q is not a number of seconds", s)
		}
		c.ActivityInterval = time.Duration(n) * time.Second
	}
	return c, nil
}

// CleanPrefix makes p a URL path prefix that starts and ends with "/".
func CleanPrefix(p string) string {
	p = path.Clean("/" + p)
	if p != "/" {
		p += "/"
	}
	return p
}

// ListenAddr is the host:port of ServiceURL.
func (c Config) ListenAddr() string {
	u, _ := url.Parse(c.ServiceURL)
	if u.Port() == "" {
		return u.Hostname() + ":80"
	}
	return u.Host
}

// User is a hub user (or service) as a token identifies it.
type User struct {
	Name   string   `json:"name"`
	Kind   string   `json:"kind"`
	Admin  bool     `json:"admin"`
	Scopes []string `json:"scopes"`
}

// ErrRefused is the hub's answer for a token it does not know, or that
// expired or was revoked.
var ErrRefused = errors.New("the hub does not know this token (expired, revoked or never issued)")

// APIError is an answer of the hub's API other than success or refusal.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return e.Message }

// Client talks to the hub's API on behalf of this server.
type Client struct {
	cfg  Config
	http *http.Client
	// CacheFor is how long the hub's answer for a token is kept (60 s by
	// default); a revoked token stops working at most this late.
	CacheFor time.Duration

	mu      sync.Mutex
	cache   map[[32]byte]cached
	version string
}

type cached struct {
	user    *User
	err     error
	expires time.Time
}

// NewClient returns a client of the hub cfg names.
func NewClient(cfg Config) *Client {
	return &Client{cfg: cfg, http: &http.Client{Timeout: 20 * time.Second}, CacheFor: time.Minute, cache: map[[32]byte]cached{}}
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// Version is the hub's version, learned by Connect; the server answers
// with it in X-JupyterHub-Version, which the hub compares with its own.
func (c *Client) Version() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Connect asks the hub's API for its version, trying a few times over
// about ten seconds (the hub may still be starting), as
// jupyterhub-singleuser does before it serves anything.
func (c *Client) Connect(ctx context.Context) error {
	var last error
	for i := range 5 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.cfg.APIURL+"/", nil)
		resp, err := c.http.Do(req)
		if err == nil {
			resp.Body.Close()
			v := resp.Header.Get("X-JupyterHub-Version")
			if resp.StatusCode == http.StatusOK && v != "" {
				c.mu.Lock()
				c.version = v
				c.mu.Unlock()
				return nil
			}
			err = fmt.Errorf("answered %s without a JupyterHub version: is it a hub's API?", resp.Status)
		}
		last = err
		if i < 4 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(1<<i) * 500 * time.Millisecond):
			}
		}
	}
	return fmt.Errorf("cannot reach the hub's API at %s (JUPYTERHUB_API_URL): %w", c.cfg.APIURL, last)
}

// apiRequest sends a request to the hub's API with token, decoding a JSON
// answer into v. A 401 or 403 is ErrRefused.
func (c *Client) apiRequest(ctx context.Context, method, url, token string, body io.Reader, contentType string, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the hub's API: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("the hub's API: %s %s: %w", method, redact(url), err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return ErrRefused
	case resp.StatusCode/100 != 2:
		return &APIError{Status: resp.StatusCode, Message: fmt.Sprintf("the hub's API: %s %s: %s: %s", method, redact(url), resp.Status, strings.TrimSpace(string(b)))}
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the hub's API: %s %s: %w", method, redact(url), err)
	}
	return nil
}

// redact keeps a URL's path for messages, never its query.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(a URL)"
	}
	u.RawQuery = ""
	return u.String()
}

// UserForToken asks the hub whose token this is and with what scopes
// (GET /api/user with the token). Answers, refusals included, are cached
// for CacheFor; errors reaching the hub are not.
func (c *Client) UserForToken(ctx context.Context, token string) (*User, error) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	e, ok := c.cache[key]
	c.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return e.user, e.err
	}
	var u User
	err := c.apiRequest(ctx, http.MethodGet, c.cfg.APIURL+"/user", token, nil, "", &u)
	if err != nil && !errors.Is(err, ErrRefused) {
		return nil, err
	}
	var user *User
	if err == nil {
		user = &u
	}
	c.mu.Lock()
	now := time.Now()
	for k, e := range c.cache { // keep the cache small: drop what expired
		if now.After(e.expires) {
			delete(c.cache, k)
		}
	}
	c.cache[key] = cached{user: user, err: err, expires: now.Add(c.CacheFor)}
	c.mu.Unlock()
	return user, err
}

// Allowed reports whether u's scopes grant this server: one of them is an
// access scope, or an unfiltered or wider form of one
// ("access:servers", "access:servers!user=NAME"), as the hub's
// check_scopes resolves them (group filters are not resolved, as there).
func (c *Client) Allowed(u *User) bool {
	if u == nil {
		return false
	}
	for _, need := range c.cfg.AccessScopes {
		base, _, _ := strings.Cut(need, "!")
		for _, have := range u.Scopes {
			if have == need || have == base {
				return true
			}
		}
	}
	return false
}

// AuthorizeURL is where a browser goes to log in: the hub's OAuth
// authorization endpoint, asking for a code for this server's client.
func (c *Client) AuthorizeURL(state string) string {
	q := url.Values{"client_id": {c.cfg.ClientID}, "redirect_uri": {c.cfg.CallbackURL}, "response_type": {"code"}, "state": {state}}
	return c.cfg.Host + c.cfg.BaseURL + "hub/api/oauth2/authorize?" + q.Encode()
}

// LogoutURL is the hub's logout page.
func (c *Client) LogoutURL() string { return c.cfg.Host + c.cfg.BaseURL + "hub/logout" }

// TokenForCode exchanges an OAuth code for the user's access token
// (POST /api/oauth2/token, this server's token as the client secret).
func (c *Client) TokenForCode(ctx context.Context, code string) (string, error) {
	form := url.Values{
		"client_id": {c.cfg.ClientID}, "client_secret": {c.cfg.APIToken}, "grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {c.cfg.CallbackURL},
	}
	var reply struct {
		AccessToken string `json:"access_token"`
	}
	err := c.apiRequest(ctx, http.MethodPost, c.cfg.APIURL+"/oauth2/token", c.cfg.APIToken, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", &reply)
	var apiErr *APIError
	if errors.Is(err, ErrRefused) || (errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest) {
		// OAuth's invalid_grant is a 400.
		return "", errors.New("the hub refused the login code (used already, expired, or not issued to this server)")
	}
	if err != nil {
		return "", err
	}
	if reply.AccessToken == "" {
		return "", errors.New("the hub's token endpoint answered without an access token")
	}
	return reply.AccessToken, nil
}

// ReportActivity tells the hub this server was last active at t (POST to
// JUPYTERHUB_ACTIVITY_URL, as jupyterhub-singleuser's notify_activity).
func (c *Client) ReportActivity(ctx context.Context, t time.Time) error {
	ts := t.UTC().Format("2006-01-02T15:04:05.000000Z")
	body, _ := json.Marshal(map[string]any{
		"servers":       map[string]any{c.cfg.ServerName: map[string]string{"last_activity": ts}},
		"last_activity": ts,
	})
	return c.apiRequest(ctx, http.MethodPost, c.cfg.ActivityURL, c.cfg.APIToken, strings.NewReader(string(body)), "application/json", nil)
}

// KeepActivityUpdated reports last() to the hub every ActivityInterval
// (with ±10% jitter, so that many servers do not report in step), when it
// moved since the last report, until ctx ends. Failed reports are passed
// to logf and retried at the next tick.
func (c *Client) KeepActivityUpdated(ctx context.Context, last func() time.Time, logf func(string, ...any)) {
	if c.cfg.ActivityURL == "" || c.cfg.ActivityInterval <= 0 {
		return
	}
	var sent time.Time
	for i := 0; ; i++ {
		// A deterministic jitter: the interval times 0.9 … 1.1.
		wait := c.cfg.ActivityInterval * time.Duration(90+(i*7)%21) / 100
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		t := last()
		if !t.After(sent) {
			continue
		}
		if err := c.ReportActivity(ctx, t); err != nil {
			if ctx.Err() == nil {
				logf("reporting activity to the hub: %v", err)
			}
			continue
		}
		sent = t
	}
}

// sortedScopes is for messages.
func sortedScopes(s []string) string {
	s = slices.Clone(s)
	slices.Sort(s)
	return strings.Join(s, " ")
}

// Describe says who a refused user is and what this server needs, for
// 403 messages.
func (c *Client) Describe(u *User) string {
	if u == nil {
		return "no hub user"
	}
	return fmt.Sprintf("hub user %q has no scope granting this server (needs one of: %s)", u.Name, sortedScopes(c.cfg.AccessScopes))
}
