// Package webapp is the notebook app kernel serve serves at /: a file
// browser and a notebook editor, built from web/ (CodeMirror 6, marked,
// KaTeX, DOMPurify, ansi_up, bundled by esbuild) into dist/, which is
// committed and embedded, so that building the kernel needs no Node.
// `go generate ./internal/webapp` rebuilds dist/ (it needs npm).
package webapp

//go:generate sh -c "cd web && npm ci --no-audit --no-fund --loglevel=error && node build.mjs"

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"sync"
)

//go:embed dist
var dist embed.FS

// Assets is the built app: app.js, app.css and their fonts.
var Assets = mustSub(dist, "dist")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is embedded
	}
	return sub
}

// compressed are the assets worth compressing (the script and the style
// sheet), gzip-compressed once, on first use: every kernel process links
// this package, and none but the server's ever serves it.
var compressed = []string{"app.js", "app.css"}

// Version identifies the built assets (a hash of app.js and app.css), for
// cache busting; computed on first use.
var Version = sync.OnceValue(func() string {
	h := sha256.New()
	for _, name := range compressed {
		b, _ := fs.ReadFile(Assets, name)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
})

var gzipped = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range compressed {
		b, _ := fs.ReadFile(Assets, name)
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(b)
		w.Close()
		out[name] = z.Bytes()
	}
	return out
})

// Gzipped returns the gzip-compressed bytes of the asset name, for the
// assets worth compressing.
func Gzipped(name string) ([]byte, bool) {
	b, ok := gzipped()[name]
	return b, ok
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="{{.Base}}kernelspecs/nmfkernel/logo-32x32.png">
<link rel="stylesheet" href="{{.Base}}static/app.css?v={{.Version}}">
<script type="module" nonce="{{.Nonce}}" src="{{.Base}}static/app.js?v={{.Version}}"></script>
</head>
<body data-version="{{.AppVersion}}" data-base-url="{{.Base}}">
<noscript>The nmfkernel notebook app needs JavaScript.</noscript>
</body>
</html>
`))

// Page returns the app's HTML page. nonce is the Content-Security-Policy
// nonce of this response: the app runs scripts of trusted outputs with it.
// base is the server's URL prefix ("/" or "/user/alice/"), under which the
// app makes every request and link.
func Page(title, nonce, appVersion, base string) []byte {
	var b bytes.Buffer
	page.Execute(&b, struct{ Title, Nonce, Version, AppVersion, Base string }{title, nonce, Version(), appVersion, base})
	return b.Bytes()
}

var login = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log in · nmfkernel</title>
<link rel="stylesheet" href="{{.Base}}static/app.css?v={{.Version}}">
</head>
<body class="login">
<form method="post" action="{{.Base}}login">
<h1>nmfkernel</h1>
<p>Paste the token that <code>kernel serve</code> printed (the part after <code>?token=</code>) or open the URL it printed.</p>
{{if .Failed}}<p class="login-error">That token is not this server's.</p>{{end}}
<input type="hidden" name="next" value="{{.Next}}">
<input type="hidden" name="_xsrf" value="{{.XSRF}}">
<label>Token <input type="password" name="token" autofocus autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form>
</body>
</html>
`))

// Login returns the login page of the server at base.
func Login(next, xsrf string, failed bool, base string) []byte {
	var b bytes.Buffer
	login.Execute(&b, struct {
		Next, XSRF, Version, Base string
		Failed                    bool
	}{next, xsrf, Version(), base, failed})
	return b.Bytes()
}
