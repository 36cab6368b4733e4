package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"nmfkernel/internal/client"
)

// TestBaseURL serves everything under --base-url: routes, redirects,
// Location headers, cookie paths and the app's page; nothing outside it.
func TestBaseURL(t *testing.T) {
	ts := startServer(t, Options{Token: "base-token", Root: t.TempDir(), BaseURL: "/proxy/nb"})
	get := func(path string, header ...string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", ts.base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	auth := []string{"Authorization", "token base-token"}
	for _, tc := range []struct {
		path     string
		header   []string
		want     int
		location string
	}{
		{"/api/status", auth, 404, ""},
		{"/proxy/nb/api/status", auth, 200, ""},
		{"/proxy/nb/api/kernelspecs", auth, 200, ""},
		{"/proxy/nbx/api/status", auth, 404, ""},
		{"/proxy/nb", nil, 302, "/proxy/nb/"},
		{"/proxy/nb?token=base-token", nil, 302, "/proxy/nb/?token=base-token"},
		{"/proxy/nb/", nil, 302, "/proxy/nb/login?next=%2F"},
		{"/proxy/nb/tree/sub?token=base-token", nil, 302, "/proxy/nb/tree/sub"},
		{"/proxy/nb/login", nil, 200, ""},
		{"/proxy/nb/static/app.css", nil, 200, ""},
		{"/static/app.css", nil, 404, ""},
	} {
		resp, body := get(tc.path, tc.header...)
		if resp.StatusCode != tc.want || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s: %d → %q, want %d → %q (%.100s)", tc.path, resp.StatusCode, resp.Header.Get("Location"), tc.want, tc.location, body)
		}
	}
	resp, _ := get("/proxy/nb/tree/?token=base-token")
	login := cookieOf(resp, loginCookie)
	if login == nil || login.Path != "/proxy/nb/" || cookieOf(resp, xsrfCookie).Path != "/proxy/nb/" {
		t.Fatalf("cookies %+v", resp.Cookies())
	}
	_, body := get("/proxy/nb/tree/", "Cookie", loginCookie+"="+login.Value)
	for _, want := range []string{`data-base-url="/proxy/nb/"`, `src="/proxy/nb/static/app.js?v=`, `href="/proxy/nb/static/app.css?v=`} {
		if !strings.Contains(body, want) {
			t.Errorf("the app's page lacks %s:\n%s", want, body)
		}
	}
	if _, body := get("/proxy/nb/login"); !strings.Contains(body, `action="/proxy/nb/login"`) {
		t.Errorf("login form posts outside the prefix:\n%s", body)
	}
	r, b := send(t, "POST", ts.base+"/proxy/nb/api/kernels", map[string]string{"name": "nmfkernel"}, auth...)
	if r.StatusCode != http.StatusCreated || !strings.HasPrefix(r.Header.Get("Location"), "/proxy/nb/api/kernels/") {
		t.Errorf("start a kernel: %d %q %s", r.StatusCode, r.Header.Get("Location"), b)
	}
	r, b = send(t, "POST", ts.base+"/proxy/nb/api/contents", map[string]string{"type": "notebook"}, auth...)
	if r.StatusCode != http.StatusCreated || r.Header.Get("Location") != "/proxy/nb/api/contents/Untitled.ipynb" {
		t.Errorf("new notebook: %d %q %s", r.StatusCode, r.Header.Get("Location"), b)
	}
}

// TestBaseURLClient: the Go client (kernel run --server) works against a
// server under a base URL: REST and the kernel's websocket.
func TestBaseURLClient(t *testing.T) {
	ts := startServer(t, Options{Token: "base-token", Root: t.TempDir(), BaseURL: "/proxy/nb/"})
	c := client.New(ts.base+"/proxy/nb/", "base-token")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	k, err := c.StartKernel(ctx, "nmfkernel")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := c.Connect(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	reply, err := conn.Request(ctx, "shell", "kernel_info_request", map[string]any{}, nil)
	if err != nil || reply.Header.MsgType != "kernel_info_reply" {
		t.Fatalf("kernel_info through the base URL: %v %v", reply, err)
	}
}
