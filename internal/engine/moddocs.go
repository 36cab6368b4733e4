package engine

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/mod/module"
)

// moduleDir finds the source of a package that a module compiled into
// this kernel provides, in the module cache, where the go command put it
// when it built the kernel: GOMODCACHE/MODULE@VERSION/rest. It returns ""
// when the package is not from such a module or its source is gone.
func moduleDir(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var best *debug.Module
	for _, m := range info.Deps {
		if m.Replace != nil {
			m = m.Replace
		}
		if (path == m.Path || strings.HasPrefix(path, m.Path+"/")) && (best == nil || len(m.Path) > len(best.Path)) {
			best = m
		}
	}
	if best == nil || best.Version == "" || best.Version == "(devel)" {
		return ""
	}
	if filepath.IsAbs(best.Path) { // a replacement by a folder
		return filepath.Join(best.Path, strings.TrimPrefix(path, best.Path))
	}
	escPath, err := module.EscapePath(best.Path)
	if err != nil {
		return ""
	}
	escVersion, err := module.EscapeVersion(best.Version)
	if err != nil {
		return ""
	}
	cache := moduleCache()
	if cache == "" {
		return ""
	}
	dir := filepath.Join(cache, escPath+"@"+escVersion, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(path, best.Path), "/")))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}

// moduleCache is the go command's module cache: $GOMODCACHE, else what
// go env says, else GOPATH's.
var moduleCache = sync.OnceValue(func() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); d != "" {
			return d
		}
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		gopath = filepath.Join(home, "go")
	}
	return filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
})
