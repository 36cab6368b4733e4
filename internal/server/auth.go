package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The app's cookies: the login cookie (HttpOnly; a random id per login,
// signed with the token, so it outlives a server restart with the same
// token, dies with a new one, and logging out revokes that login alone)
// and tornado's double-submit XSRF cookie, which the app echoes in the
// X-XSRFToken header of every request that changes state.
const (
	loginCookie = "nmfkernel-login"
	xsrfCookie  = "_xsrf"
	xsrfHeader  = "X-XSRFToken"
)

// loginValue is the login cookie's value for the login id: the id and an
// HMAC of it keyed by the token.
func (s *Server) loginValue(id string) string {
	m := hmac.New(sha256.New, []byte(s.token))
	m.Write([]byte("nmfkernel login cookie v2\x00" + id))
	return id + "." + hex.EncodeToString(m.Sum(nil))
}

// newLoginValue is the cookie of a new login.
func (s *Server) newLoginValue() string {
	var b [16]byte
	rand.Read(b[:])
	return s.loginValue(hex.EncodeToString(b[:]))
}

// loginID returns the login id of the request's cookie when the cookie is
// valid and not logged out.
func (s *Server) loginID(r *http.Request) (string, bool) {
	c, err := r.Cookie(loginCookie)
	if err != nil {
		return "", false
	}
	id, _, ok := strings.Cut(c.Value, ".")
	if !ok || subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.loginValue(id))) != 1 {
		return "", false
	}
	s.authMu.Lock()
	defer s.authMu.Unlock()
	return id, !s.loggedOut[id]
}

// cookieOK reports whether the request's login cookie is valid: signed
// by this server and not logged out, and behind a hub, a login whose
// token the hub still grants this server.
func (s *Server) cookieOK(r *http.Request) bool {
	id, ok := s.loginID(r)
	if ok && s.opt.Hub != nil {
		return s.hubCookieOK(r, id)
	}
	return ok
}

// Failed authentications (a wrong token at login, in ?token= or in an
// Authorization header) are counted over the last minute; past
// maxFailures, token checks answer 429 without looking at the token, so
// guessing a token runs at a few tries a minute. Logged-in browsers are
// not affected (their cookie is checked, not the token).
const (
	maxFailures   = 30
	failureWindow = time.Minute
)

// throttled reports whether too many authentications failed lately.
func (s *Server) throttled() bool {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	cut := time.Now().Add(-failureWindow)
	for len(s.failures) > 0 && s.failures[0].Before(cut) {
		s.failures = s.failures[1:]
	}
	return len(s.failures) >= maxFailures
}

// authFailed counts a failed authentication.
func (s *Server) authFailed() {
	s.authMu.Lock()
	defer s.authMu.Unlock()
	s.failures = append(s.failures, time.Now())
}

// tooMany answers a throttled token check.
func (s *Server) tooMany(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "60")
	s.fail(w, http.StatusTooManyRequests, "too many failed logins: token checks are paused for a minute")
}

// xsrfOK reports whether the XSRF header (or form field) matches the XSRF
// cookie.
func xsrfOK(r *http.Request) bool {
	c, err := r.Cookie(xsrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	given := r.Header.Get(xsrfHeader)
	if given == "" {
		given = r.Header.Get("X-Csrftoken")
	}
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(c.Value)) == 1
}

// setLogin gives the browser the login cookie and, if it has none, an XSRF
// cookie.
func (s *Server) setLogin(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: s.newLoginValue(), Path: s.base, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	s.ensureXSRF(w, r)
}

// ensureXSRF returns the request's XSRF cookie, giving the browser a new
// one if it has none.
func (s *Server) ensureXSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(xsrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [24]byte
	rand.Read(b[:])
	v := hex.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: xsrfCookie, Value: v, Path: s.base, SameSite: http.SameSiteLaxMode, Secure: s.secure(r)})
	return v
}

// cors answers preflight requests and adds CORS headers for the origins
// --allow-origin lists (never for others, which get no headers and a 403
// preflight). Cross-origin clients authenticate with the token header;
// cookies are not allowed across origins.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" || s.sameOrigin(r) {
			if preflight {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if !s.allowedOrigin(origin) {
			if preflight {
				s.log.Printf("refused preflight %s: Origin %q not allowed (use --allow-origin)", r.URL.Path, origin)
				s.fail(w, http.StatusForbidden, "cross-origin request refused")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Expose-Headers", "Location")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-XSRFToken, X-Requested-With")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether the request's Origin is this server (its
// Host).
func (s *Server) sameOrigin(r *http.Request) bool {
	u, err := url.Parse(r.Header.Get("Origin"))
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// allowedOrigin reports whether --allow-origin lists origin.
func (s *Server) allowedOrigin(origin string) bool {
	for _, allowed := range strings.Split(s.opt.AllowOrigin, ",") {
		allowed = strings.TrimSpace(allowed)
		if allowed == "*" || (allowed != "" && strings.EqualFold(strings.TrimRight(allowed, "/"), origin)) {
			return true
		}
	}
	return false
}
