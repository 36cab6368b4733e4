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
)

// The app's cookies: the login cookie (HttpOnly, derived from the token, so
// it outlives a server restart with the same token and dies with a new
// one) and tornado's double-submit XSRF cookie, which the app echoes in the
// X-XSRFToken header of every request that changes state.
const (
	loginCookie = "nmfkernel-login"
	xsrfCookie  = "_xsrf"
	xsrfHeader  = "X-XSRFToken"
)

// loginValue is the login cookie's value: an HMAC of the token.
func (s *Server) loginValue() string {
	m := hmac.New(sha256.New, []byte(s.token))
	m.Write([]byte("nmfkernel login cookie v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) cookieOK(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.loginValue())) == 1
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
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: s.loginValue(), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
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
	http.SetCookie(w, &http.Cookie{Name: xsrfCookie, Value: v, Path: "/", SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
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
