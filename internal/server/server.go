// Package server is jupyter_server's kernel API in Go: REST endpoints for
// kernels, kernelspecs and sessions, and the websocket channels endpoint
// in both wire formats, bridging each connection to its kernel process's
// ZMQ sockets. It is secure by default: a token on every request, Host and
// Origin checks against DNS rebinding and cross-site websocket hijacking,
// and the token never written to a log.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nmfkernel/internal/contents"
	"nmfkernel/internal/hub"
	"nmfkernel/internal/kernels"
)

// Options configures a Server. The zero value listens on 127.0.0.1:8888
// with a random token.
type Options struct {
	// Addr is the listen address; empty means 127.0.0.1:8888.
	Addr string
	// Token authenticates every request; empty means a random one (see
	// Server.Token).
	Token string
	// AllowOrigin lists, comma-separated, the extra origins (scheme://host:port,
	// or "*") allowed to open websockets and change state; the server's own
	// origin is always allowed.
	AllowOrigin string
	// AllowRemote accepts Host headers other than loopback names and the
	// bound address.
	AllowRemote bool
	// MaxMessageSize bounds a websocket message; zero means 64 MiB.
	MaxMessageSize int64
	// PingInterval is how often a websocket client is pinged, and
	// PingTimeout how long a connection may receive nothing before it is
	// closed (jupyter_server's websocket_ping_interval and _timeout); zero
	// means 30 s and 90 s.
	PingInterval, PingTimeout time.Duration
	// Root is the folder the contents API and the app serve; empty means
	// Kernels.Dir, or the working directory. Kernels run in the folder of
	// their notebook within it.
	Root string
	// PermanentDelete deletes through the contents API for good instead of
	// moving to the user's trash (kernel serve --delete-to-trash=false);
	// either way a folder is refused when it cannot go to the trash and
	// holds anything but checkpoints.
	PermanentDelete bool
	// BaseURL is the URL prefix every route, redirect, cookie and link
	// of the server lives under (kernel serve --base-url, or the hub's
	// JUPYTERHUB_SERVICE_PREFIX); empty means "/".
	BaseURL string
	// Hub, when set, makes this JupyterHub's single-user server: users are
	// the hub's (its tokens, its OAuth login), this server's token is not
	// accepted, and every response carries the hub's version.
	Hub *hub.Client
	// Version is the release the app shows.
	Version string
	// Kernels configures the kernel manager.
	Kernels kernels.Options
	// Log receives request and kernel diagnostics; nil discards them.
	Log *log.Logger
}

// Server serves the kernel API.
type Server struct {
	opt      Options
	token    string
	mgr      *kernels.Manager
	sessions *sessionStore
	files    *contents.Store
	started  time.Time
	conns    atomic.Int64
	http     *http.Server
	listener net.Listener
	log      *log.Logger

	// base is Options.BaseURL, starting and ending with "/".
	base string
	// lastRequest is when an API request other than a status check last
	// came (Unix nanoseconds), for the activity reported to a hub.
	lastRequest atomic.Int64

	// authMu guards the failed authentications, the logged-out logins and
	// hub mode's logins.
	authMu    sync.Mutex
	failures  []time.Time
	loggedOut map[string]bool
	hubLogins map[string]hubLogin
}

// New returns a server; Serve starts it.
func New(opt Options) (*Server, error) {
	if opt.Addr == "" {
		opt.Addr = "127.0.0.1:8888"
	}
	if opt.MaxMessageSize == 0 {
		opt.MaxMessageSize = 64 << 20
	}
	if opt.PingInterval == 0 {
		opt.PingInterval = 30 * time.Second
	}
	if opt.PingTimeout == 0 {
		opt.PingTimeout = 90 * time.Second
	}
	if opt.Log == nil {
		opt.Log = log.New(io.Discard, "", 0)
	}
	if opt.Kernels.Log == nil {
		opt.Kernels.Log = opt.Log
	}
	token := opt.Token
	if token == "" {
		var b [24]byte
		rand.Read(b[:])
		token = hex.EncodeToString(b[:])
	}
	if opt.Root == "" {
		opt.Root = opt.Kernels.Dir
	}
	if opt.Root == "" {
		opt.Root = "."
	}
	files, err := contents.New(opt.Root)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	files.DeletePermanently(opt.PermanentDelete)
	if opt.Kernels.Dir == "" {
		opt.Kernels.Dir = files.Root()
	}
	mgr, err := kernels.NewManager(opt.Kernels)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, token: token, mgr: mgr, files: files, started: time.Now(), log: opt.Log, loggedOut: map[string]bool{},
		base: hub.CleanPrefix(opt.BaseURL), hubLogins: map[string]hubLogin{}}
	if opt.Hub != nil {
		if opt.Token != "" {
			return nil, errors.New("server: a hub's single-user server takes the hub's tokens, not a token of its own")
		}
		if err := s.checkCallback(); err != nil {
			return nil, err
		}
	}
	s.sessions = newSessionStore()
	// Idle keep-alive connections are closed after two minutes (websockets,
	// hijacked, have pings instead).
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	return s, nil
}

// Token returns the token clients must present.
func (s *Server) Token() string { return s.token }

// Listen binds the listen address and returns the URL to open (with the
// token, except for a hub's server, where users log in through the hub).
func (s *Server) Listen() (string, error) {
	l, err := net.Listen("tcp", s.opt.Addr)
	if err != nil {
		return "", fmt.Errorf("server: listen %s: %w", s.opt.Addr, err)
	}
	s.listener = l
	if s.opt.Hub != nil {
		return fmt.Sprintf("http://%s%s", l.Addr(), s.base), nil
	}
	return fmt.Sprintf("http://%s%s?token=%s", l.Addr(), s.base, url.QueryEscape(s.token)), nil
}

// url is the path p (relative to the server's root, with or without its
// leading slash) under the base URL.
func (s *Server) url(p string) string { return s.base + strings.TrimPrefix(p, "/") }

// Addr returns the bound address (after Listen).
func (s *Server) Addr() string { return s.listener.Addr().String() }

// Serve serves on the listener made by Listen until Shutdown.
func (s *Server) Serve() error {
	err := s.http.Serve(s.listener)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests, closes connections and shuts every
// kernel down, removing their connection files.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	return errors.Join(err, s.mgr.Close(ctx))
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api", s.apiVersion)
	mux.HandleFunc("GET /api/{$}", s.apiVersion)
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authenticated(h)) }
	api("GET /api/status", s.status)
	api("GET /api/kernelspecs", s.kernelspecs)
	api("GET /kernelspecs/{name}/{file}", s.kernelspecResource)
	api("GET /api/kernels", s.listKernels)
	api("POST /api/kernels", s.startKernel)
	api("GET /api/kernels/{id}", s.getKernel)
	api("DELETE /api/kernels/{id}", s.deleteKernel)
	api("POST /api/kernels/{id}/interrupt", s.interruptKernel)
	api("POST /api/kernels/{id}/restart", s.restartKernel)
	api("GET /api/kernels/{id}/channels", s.channels)
	api("GET /api/sessions", s.listSessions)
	api("POST /api/sessions", s.createSession)
	api("GET /api/sessions/{id}", s.getSession)
	api("PATCH /api/sessions/{id}", s.patchSession)
	api("DELETE /api/sessions/{id}", s.deleteSession)
	api("/api/contents", s.contentsAPI)
	api("/api/contents/{path...}", s.contentsAPI)
	api("GET /files/{path...}", s.rawFile)
	s.appRoutes(mux)
	if s.opt.Hub != nil {
		mux.HandleFunc("GET "+s.callbackRoute(), s.oauthCallback)
	}
	return s.hubVersion(s.checkHost(s.cors(s.underBase(mux))))
}

// underBase serves the routes under the base URL: the prefix is taken off
// before routing, a request outside it is 404, and the prefix without its
// final slash is redirected to it.
func (s *Server) underBase(next http.Handler) http.Handler {
	if s.base == "/" {
		return next
	}
	strip := http.StripPrefix(strings.TrimSuffix(s.base, "/"), next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, s.base):
			strip.ServeHTTP(w, r)
		case r.URL.Path+"/" == s.base:
			target := s.base
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusFound)
		default:
			s.fail(w, http.StatusNotFound, fmt.Sprintf("this server serves %s only", s.base))
		}
	})
}

// apiError is jupyter_server's error body.
type apiError struct {
	Message string `json:"message"`
	Reason  string `json:"reason"`
}

func (s *Server) fail(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(apiError{Message: msg, Reason: http.StatusText(code)})
}

func (s *Server) reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// checkHost refuses Host headers that are neither loopback names nor the
// bound address, against DNS rebinding, unless AllowRemote or behind a hub
// (whose proxy forwards its public Host, and where every request needs a
// hub identity: a rebound name carries no cookie or token of the hub's).
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opt.AllowRemote && s.opt.Hub == nil && !s.localHost(r.Host) {
			s.log.Printf("refused %s %s: Host %q is not this server (use --allow-remote)", r.Method, r.URL.Path, r.Host)
			s.fail(w, http.StatusForbidden, "Host header is not a loopback name or this server's address")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) localHost(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.Trim(host, "[]")
	switch strings.ToLower(host) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if s.listener != nil {
		bound, _, _ := net.SplitHostPort(s.listener.Addr().String())
		return host == strings.Trim(bound, "[]")
	}
	return false
}

// authenticated requires the token (or the app's login cookie) and, for
// websockets and requests that change state, an allowed Origin; requests
// that the cookie authenticates and that change state also need the XSRF
// header (see xsrfOK), as jupyter_server asks.
func (s *Server) authenticated(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given := s.tokenGiven(r)
		if given && s.throttled() {
			s.tooMany(w)
			return
		}
		byToken, refusal := false, "a valid token is required (Authorization: token …, or ?token=)"
		if given {
			var err error
			byToken, refusal, err = s.checkToken(r)
			if err != nil {
				s.log.Printf("refused %s %s: %v", r.Method, r.URL.Path, err)
				s.fail(w, http.StatusBadGateway, "cannot check the token with the hub: "+err.Error())
				return
			}
			if !byToken {
				s.authFailed()
			}
		}
		if !byToken && r.Header.Get("Origin") != "" && !s.sameOrigin(r) {
			// The login cookie is the app's, on its own origin: browsers send
			// it with requests from other sites on this host too (another
			// port is the same site), so across origins only the token counts.
			s.log.Printf("refused %s %s: a cross-origin request (Origin %q) without the token", r.Method, r.URL.Path, r.Header.Get("Origin"))
			s.fail(w, http.StatusForbidden, "a cross-origin request must carry the token (Authorization: token …); the login cookie is the app's own")
			return
		}
		if !byToken && !s.cookieOK(r) {
			s.log.Printf("refused %s %s: %s", r.Method, r.URL.Path, refusal)
			s.fail(w, http.StatusForbidden, refusal)
			return
		}
		changes := r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
		websocket := strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
		if (changes || websocket) && !s.originOK(r) {
			s.log.Printf("refused %s %s: Origin %q not allowed (use --allow-origin)", r.Method, r.URL.Path, r.Header.Get("Origin"))
			s.fail(w, http.StatusForbidden, "cross-origin request refused")
			return
		}
		if !byToken && changes && !xsrfOK(r) {
			s.log.Printf("refused %s %s: cookie without the XSRF header", r.Method, r.URL.Path)
			s.fail(w, http.StatusForbidden, "'_xsrf' argument missing from "+r.Method)
			return
		}
		if r.URL.Path != "/api/status" {
			s.lastRequest.Store(time.Now().UnixNano())
		}
		next(w, r)
	})
}

// checkToken checks the request's token: this server's, or a hub token
// of a user the hub's scopes grant this server. refusal says why it is
// refused; err is a failure to ask the hub.
func (s *Server) checkToken(r *http.Request) (ok bool, refusal string, err error) {
	if s.opt.Hub == nil {
		return s.tokenOK(r), "a valid token is required (Authorization: token …, or ?token=)", nil
	}
	u, err := s.opt.Hub.UserForToken(r.Context(), s.givenToken(r))
	switch {
	case errors.Is(err, hub.ErrRefused):
		return false, "refused: " + err.Error(), nil
	case err != nil:
		return false, "", err
	case !s.opt.Hub.Allowed(u):
		return false, "refused: " + s.opt.Hub.Describe(u), nil
	}
	return true, "", nil
}

// tokenGiven reports whether the request presents a token.
func (s *Server) tokenGiven(r *http.Request) bool {
	return r.URL.Query().Has("token") || r.Header.Get("Authorization") != ""
}

// givenToken is the token in ?token= or the Authorization header.
func (s *Server) givenToken(r *http.Request) string {
	given := r.URL.Query().Get("token")
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, value, _ := strings.Cut(auth, " ")
		if strings.EqualFold(scheme, "token") || strings.EqualFold(scheme, "bearer") {
			given = strings.TrimSpace(value)
		}
	}
	return given
}

func (s *Server) tokenOK(r *http.Request) bool {
	given := s.givenToken(r)
	return s.opt.Hub == nil && given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(s.token)) == 1
}

// originOK allows requests without an Origin (not from a browser), from
// the server's own origin, and from the configured ones.
func (s *Server) originOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	return origin == "" || s.sameOrigin(r) || s.allowedOrigin(origin)
}

// maxBody is the largest REST request body accepted.
const maxBody = 1 << 20

// readBody decodes a JSON request body whatever its Content-Type (an
// empty body leaves v alone). On failure it has answered: 413 for a body
// over maxBody, 400 for one that is not JSON.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	return s.readBodyLimit(w, r, v, maxBody)
}

func (s *Server) apiVersion(w http.ResponseWriter, r *http.Request) {
	s.reply(w, http.StatusOK, map[string]string{"version": "2.12.0"})
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	last := s.started
	if t := s.LastActivity(); t.After(last) {
		last = t
	}
	s.reply(w, http.StatusOK, map[string]any{
		"started": s.started.UTC().Format(time.RFC3339Nano), "last_activity": last.UTC().Format(time.RFC3339Nano),
		"connections": s.conns.Load(), "kernels": len(s.mgr.List()),
	})
}
