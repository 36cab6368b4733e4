package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"nmfkernel/internal/hub"
)

// A hub's single-user server logs browsers in with the hub's OAuth 2 code
// flow, as jupyterhub-singleuser does: a browser without a login goes to
// the hub's authorization endpoint with a random state, which a cookie
// binds to that browser; the hub sends it back to the callback with a
// code, which this server exchanges (with its own hub token as the client
// secret) for the user's access token. A user the token's scopes grant
// this server gets the app's login cookie; the token stays on the server,
// in hubLogins, and is asked about again when the hub's cached answer
// expires, so a login the hub revokes ends here within a minute.

// hubLogin is a browser login of a hub user.
type hubLogin struct {
	user  string
	token string
}

// oauthStateCookie holds the state of a login in progress and where to
// go after it: "STATE.NEXT.MAC", NEXT base64url, MAC an HMAC of both keyed
// by the server's secret.
const oauthStateCookie = "nmfkernel-oauth-state"

// oauthStateMAC signs a state and its next path.
func (s *Server) oauthStateMAC(state, next string) string {
	m := hmac.New(sha256.New, []byte(s.token))
	m.Write([]byte("nmfkernel oauth state v1\x00" + state + "\x00" + next))
	return hex.EncodeToString(m.Sum(nil))
}

// startOAuth sends the browser to the hub to log in, to come back to next
// (a path relative to the base URL).
func (s *Server) startOAuth(w http.ResponseWriter, r *http.Request, next string) {
	var b [16]byte
	rand.Read(b[:])
	state := hex.EncodeToString(b[:])
	next = safeNext(next)
	http.SetCookie(w, &http.Cookie{
		Name: oauthStateCookie, Value: state + "." + base64.RawURLEncoding.EncodeToString([]byte(next)) + "." + s.oauthStateMAC(state, next),
		Path: s.base, MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r),
	})
	http.Redirect(w, r, s.opt.Hub.AuthorizeURL(state), http.StatusFound)
}

// oauthNext checks the callback's state against the browser's state
// cookie and returns the path to go to after the login.
func (s *Server) oauthNext(r *http.Request) (string, error) {
	state := r.URL.Query().Get("state")
	c, err := r.Cookie(oauthStateCookie)
	if state == "" || err != nil {
		return "", errors.New("no login in progress in this browser (the state or its cookie is missing): log in again")
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return "", errors.New("the login state cookie is malformed: log in again")
	}
	nextBytes, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || subtle.ConstantTimeCompare([]byte(parts[2]), []byte(s.oauthStateMAC(parts[0], string(nextBytes)))) != 1 {
		return "", errors.New("the login state cookie is not this server's: log in again")
	}
	if subtle.ConstantTimeCompare([]byte(state), []byte(parts[0])) != 1 {
		return "", errors.New("the OAuth state does not match this browser's login: log in again")
	}
	return safeNext(string(nextBytes)), nil
}

// oauthCallback finishes a hub login: it checks the state, exchanges the
// code for the user's token, asks the hub who that is and logs them in if
// their scopes grant this server.
func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: oauthStateCookie, Value: "", Path: s.base, MaxAge: -1, HttpOnly: true})
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := q.Get("error_description")
		if msg == "" {
			msg = e
		}
		s.fail(w, http.StatusBadRequest, "the hub refused the login: "+msg)
		return
	}
	if q.Get("code") == "" {
		s.fail(w, http.StatusBadRequest, "the OAuth callback came without a code")
		return
	}
	next, err := s.oauthNext(r)
	if err != nil {
		s.authFailed()
		s.log.Printf("refused OAuth callback: %v", err)
		s.fail(w, http.StatusForbidden, err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	token, err := s.opt.Hub.TokenForCode(ctx, q.Get("code"))
	if err != nil {
		s.log.Printf("refused OAuth callback: %v", err)
		s.fail(w, http.StatusForbidden, "login failed: "+err.Error())
		return
	}
	u, err := s.opt.Hub.UserForToken(ctx, token)
	if err == nil && !s.opt.Hub.Allowed(u) {
		err = errors.New(s.opt.Hub.Describe(u))
	}
	if err != nil {
		s.log.Printf("refused OAuth login: %v", err)
		s.fail(w, http.StatusForbidden, "login refused: "+err.Error())
		return
	}
	value := s.newLoginValue()
	id, _, _ := strings.Cut(value, ".")
	s.authMu.Lock()
	s.hubLogins[id] = hubLogin{user: u.Name, token: token}
	s.authMu.Unlock()
	s.log.Printf("hub user %s logged in", u.Name)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: value, Path: s.base, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	s.ensureXSRF(w, r)
	http.Redirect(w, r, s.url(next), http.StatusFound)
}

// hubCookieOK reports whether the login id is a hub login whose token the
// hub still grants this server.
func (s *Server) hubCookieOK(r *http.Request, id string) bool {
	s.authMu.Lock()
	l, ok := s.hubLogins[id]
	s.authMu.Unlock()
	if !ok {
		return false
	}
	u, err := s.opt.Hub.UserForToken(r.Context(), l.token)
	if err != nil || !s.opt.Hub.Allowed(u) {
		if errors.Is(err, hub.ErrRefused) || err == nil {
			// Revoked, or no longer granted: the login ends.
			s.authMu.Lock()
			delete(s.hubLogins, id)
			s.authMu.Unlock()
		}
		return false
	}
	return true
}

// callbackRoute is the OAuth callback's route, relative to the base URL.
func (s *Server) callbackRoute() string {
	return "/" + strings.TrimPrefix(s.callbackPath(), s.base)
}

func (s *Server) callbackPath() string {
	u, err := url.Parse(s.opt.Hub.Config().CallbackURL)
	if err != nil {
		return ""
	}
	return u.Path
}

// checkCallback refuses a callback URL outside the base URL, which this
// server could not serve.
func (s *Server) checkCallback() error {
	if p := s.callbackPath(); !strings.HasPrefix(p, s.base) || p == s.base {
		return fmt.Errorf("server: the OAuth callback %q is not under the base URL %s", s.opt.Hub.Config().CallbackURL, s.base)
	}
	return nil
}

// hubVersion puts the hub's version in every response's
// X-JupyterHub-Version, redirects included, which the hub compares with
// its own when the server starts.
func (s *Server) hubVersion(next http.Handler) http.Handler {
	if s.opt.Hub == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-JupyterHub-Version", s.opt.Hub.Version())
		next.ServeHTTP(w, r)
	})
}

// secure reports whether cookies should be Secure: the request came over
// TLS, or, behind a hub, its proxy says the browser's did.
func (s *Server) secure(r *http.Request) bool {
	return r.TLS != nil || (s.opt.Hub != nil && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// LastActivity is when a user last did something here: an API request
// (other than a status check) or a kernel's activity; zero if nothing
// happened since the server started.
func (s *Server) LastActivity() time.Time {
	var last time.Time
	if n := s.lastRequest.Load(); n != 0 {
		last = time.Unix(0, n)
	}
	for _, k := range s.mgr.List() {
		if t, err := time.Parse(time.RFC3339Nano, k.LastActivity); err == nil && t.After(last) {
			last = t
		}
	}
	return last
}
