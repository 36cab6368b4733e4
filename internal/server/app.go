package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"nmfkernel/internal/webapp"
)

// appRoutes serves the notebook app: its pages (/, /tree/…, /notebooks/…),
// its assets (/static/…) and the login page.
func (s *Server) appRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.appPage)
	mux.HandleFunc("GET /tree/{path...}", s.appPage)
	mux.HandleFunc("GET /notebooks/{path...}", s.appPage)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("GET /logout", s.logout)
	static := http.StripPrefix("/static/", http.FileServerFS(webapp.Assets))
	mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.URL.Query().Get("v") == webapp.Version() {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("X-Content-Type-Options", "nosniff")
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if gz, ok := webapp.Gzipped(name); ok && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
			h.Add("Vary", "Accept-Encoding")
			w.Write(gz)
			return
		}
		static.ServeHTTP(w, r)
	}))
}

// appCSP is the app pages' Content-Security-Policy: scripts only from the
// server and with this response's nonce, no plugins, no framing by other
// sites, connections only to this server.
func appCSP(nonce, host string) string {
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' 'nonce-" + nonce + "'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self' data:",
		"connect-src 'self' ws://" + host + " wss://" + host,
		"frame-ancestors 'self'",
		"base-uri 'self'",
		"form-action 'self'",
		"object-src 'none'",
	}, "; ")
}

// appPage serves the app's page. A valid ?token= becomes the login cookie
// and is taken out of the address bar by a redirect; without a token or
// cookie the browser is sent to the login page.
func (s *Server) appPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("token") && s.opt.Hub == nil {
		if s.throttled() {
			s.tooMany(w)
			return
		}
		if !s.tokenOK(r) {
			s.authFailed()
			s.log.Printf("refused %s: wrong token", r.URL.Path)
			http.Redirect(w, r, s.url("login?next="+url.QueryEscape(r.URL.EscapedPath())+"&failed=1"), http.StatusFound)
			return
		}
		s.setLogin(w, r)
		q := r.URL.Query()
		q.Del("token")
		target := r.URL.EscapedPath()
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		http.Redirect(w, r, s.url(target), http.StatusFound)
		return
	}
	if !s.cookieOK(r) {
		if s.opt.Hub != nil {
			s.startOAuth(w, r, r.URL.RequestURI())
			return
		}
		http.Redirect(w, r, s.url("login?next="+url.QueryEscape(r.URL.RequestURI())), http.StatusFound)
		return
	}
	if d := s.defaultURL(); r.URL.Path == "/" && d != "" {
		http.Redirect(w, r, s.url(d), http.StatusFound)
		return
	}
	s.ensureXSRF(w, r)
	title := "nmfkernel"
	if p := r.PathValue("path"); p != "" {
		title = path.Base(p) + " · nmfkernel"
	}
	nonce := newNonce()
	h := w.Header()
	h.Set("Content-Security-Policy", appCSP(nonce, r.Host))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	w.Write(webapp.Page(title, nonce, s.opt.Version, s.base))
}

// defaultURL is where the app's root sends a logged-in browser behind a
// hub (Spawner.default_url), or "" to show the folder.
func (s *Server) defaultURL() string {
	if s.opt.Hub == nil {
		return ""
	}
	d := s.opt.Hub.Config().DefaultURL
	if d == "" || d == "/" || strings.TrimPrefix(d, "/") == "tree" || strings.TrimPrefix(d, "/") == "tree/" {
		return ""
	}
	return d
}

func newNonce() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// safeNext keeps a post-login redirect on this server, as a clean path:
// no other host, and no control characters (a tab in it made a malformed
// Location header).
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.opt.Hub != nil {
		s.startOAuth(w, r, r.URL.Query().Get("next"))
		return
	}
	xsrf := s.ensureXSRF(w, r)
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(webapp.Login(safeNext(r.URL.Query().Get("next")), xsrf, r.URL.Query().Has("failed"), s.base))
}

// loginPost checks the form's token (and its XSRF field, and its Origin)
// and sets the login cookie.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if s.opt.Hub != nil {
		s.fail(w, http.StatusNotFound, "log in through the hub")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "bad login form")
		return
	}
	c, err := r.Cookie(xsrfCookie)
	if !s.originOK(r) || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("_xsrf"))) != 1 {
		s.fail(w, http.StatusForbidden, "login refused: cross-site request")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	if s.throttled() {
		s.tooMany(w)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) != 1 {
		s.authFailed()
		s.log.Printf("refused login: wrong token")
		http.Redirect(w, r, s.url("login?next="+url.QueryEscape(next)+"&failed=1"), http.StatusFound)
		return
	}
	s.setLogin(w, r)
	http.Redirect(w, r, s.url(next), http.StatusFound)
}

// logout revokes the request's login (its cookie no longer authenticates
// anything, wherever it was copied) and clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.loginID(r); ok {
		s.authMu.Lock()
		s.loggedOut[id] = true
		delete(s.hubLogins, id)
		s.authMu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: s.base, MaxAge: -1, HttpOnly: true})
	if s.opt.Hub != nil {
		http.Redirect(w, r, s.opt.Hub.LogoutURL(), http.StatusFound)
		return
	}
	http.Redirect(w, r, s.url("login"), http.StatusFound)
}
