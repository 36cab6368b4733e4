// Package gomod compiles the Go packages that notebook cells import into a
// kernel binary. The interpreter calls compiled code only through symbol
// tables, so a package that is not in the running kernel needs a new
// kernel: a Builder resolves it with the go command as `go get` would (the
// user's GOPROXY, GOFLAGS, GOPRIVATE, GONOSUMDB and module cache apply; there
// is no other download path), extracts its symbols with `yaegi extract`, and
// builds the kernel from the source embedded in the binary with them
// compiled in. Builds are cached by what they contain.
package gomod

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/module"

	"nmfkernel/internal/engine"
)

// Module is one module version, with its go.sum hash when known.
type Module struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	Sum     string `json:"sum,omitempty"` // "h1:…", as go.sum records the module's files
}

// String returns path@version, as `go get` takes it.
func (m Module) String() string { return m.Path + "@" + m.Version }

// Kernel is what a kernel binary has compiled in beyond its own packages.
type Kernel struct {
	Packages  []string          // import paths cells can import
	Modules   []Module          // the modules cells asked for (imports and pins), as resolved
	Instances []engine.Instance // instantiations of their generic code that cells use
}

// Request is what a notebook needs beyond the running kernel.
type Request struct {
	Packages  []string          // import paths to compile in
	Pins      []Module          // versions asked for (%go get, or recorded in the notebook)
	Instances []engine.Instance // instantiations of module generics a cell uses
}

// check refuses anything in the request that the go command would read as
// a flag or that is not an import path or a module version: cells name
// what is built (import "-export", %go import -toolexec=…), and the go
// command must only ever see packages and modules from them.
func (req Request) check() error {
	for _, p := range req.Packages {
		if err := module.CheckImportPath(p); err != nil {
			return &Error{Package: p, Problem: fmt.Sprintf("%q is not an import path: %v", p, err), Hint: "Import packages by their paths (github.com/owner/repo/pkg); the go command's flags cannot be given from a notebook."}
		}
	}
	for _, m := range req.Pins {
		if err := module.CheckPath(m.Path); err != nil {
			return &Error{Package: m.Path, Problem: fmt.Sprintf("%q is not a module path: %v", m.Path, err), Hint: "Write %go get MODULE[@VERSION], e.g. %go get github.com/shopspring/decimal@v1.4.0."}
		}
		if !validQuery(m.Version) {
			return &Error{Package: m.Path, Problem: fmt.Sprintf("%q is not a version (v1.2.3, latest, a branch or a commit)", m.Version), Hint: "Write %go get MODULE[@VERSION], e.g. %go get github.com/shopspring/decimal@v1.4.0."}
		}
	}
	return nil
}

// validQuery reports whether v is a version query the go command takes
// after @ (v1.2.3, latest, upgrade, a branch, a commit) and nothing else.
func validQuery(v string) bool {
	if v == "" || len(v) > 128 || strings.HasPrefix(v, "-") {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._+/<>=", r)) {
			return false
		}
	}
	return true
}

// Build is a kernel binary made by Builder.Build.
type Build struct {
	Binary string // its path
	Kernel Kernel // what it has compiled in
	Cached bool   // it was built before and reused
}

// Builder builds kernel binaries. The zero value is not usable: Source and
// CacheDir are required.
type Builder struct {
	// Source is the kernel module's own source (nmfkernel.Source).
	Source fs.FS
	// CacheDir holds the build workspace and the binaries, one folder per
	// set of compiled-in packages and versions.
	CacheDir string
	// Env is the go command's environment; nil means the process's.
	Env []string
	// Progress, if not nil, is told each step in a line for the user.
	Progress func(string)
}

// Error is a package that cannot be compiled in, said for the notebook's
// user: what went wrong and what to do.
type Error struct {
	Package string // the import path or module@version concerned
	Problem string
	Hint    string // what to do about it
	Detail  string // the go command's own words, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Package != "" {
		fmt.Fprintf(&b, "%s: ", e.Package)
	}
	b.WriteString(e.Problem)
	if e.Hint != "" {
		fmt.Fprintf(&b, "\n%s", e.Hint)
	}
	if d := strings.TrimSpace(e.Detail); d != "" {
		fmt.Fprintf(&b, "\n\n%s", d)
	}
	return b.String()
}

// DefaultCacheDir is where kernels keep their builds: $NMFKERNEL_CACHE, or
// nmfkernel in the user's cache folder.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("NMFKERNEL_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache folder for module builds: %w (set NMFKERNEL_CACHE)", err)
	}
	return filepath.Join(d, "nmfkernel"), nil
}

// Build returns a kernel binary that has everything have has, the packages
// req asks for and the module versions it pins. Unless some package is new
// or a pin changes a version, it is the binary built for that set before.
func (b *Builder) Build(ctx context.Context, have Kernel, req Request) (*Build, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		what := strings.Join(append(slices.Clone(req.Packages), modStrings(req.Pins)...), ", ")
		return nil, &Error{Package: what, Problem: "importing a package that is not in this kernel needs the Go toolchain, and there is no `go` command on the PATH",
			Hint: "Install Go (https://go.dev/dl/) and put it on the PATH of the program that starts the kernel (Jupyter, kernel serve), then run the cell again."}
	}
	if err := checkOwnCache(b.CacheDir); err != nil {
		return nil, &Error{Package: strings.Join(append(slices.Clone(req.Packages), modStrings(req.Pins)...), ", "), Problem: "the kernel will not build or run kernels from this cache folder: " + err.Error(),
			Hint: "Set NMFKERNEL_CACHE to a folder of your own that only you can write to (or remove the one named)."}
	}
	srcHash, err := sourceHash(b.Source)
	if err != nil {
		return nil, err
	}
	ws := filepath.Join(b.CacheDir, "src-"+srcHash[:16])
	unlock, err := lockFile(ctx, ws+".lock")
	if err != nil {
		return nil, fmt.Errorf("lock the build folder: %w", err)
	}
	defer unlock()
	if err := b.writeSource(ws, srcHash); err != nil {
		return nil, err
	}
	g := goCommand{bin: goBin, dir: ws, env: b.env()}

	kernel, err := b.resolve(ctx, g, ws, have, req)
	if err != nil {
		return nil, err
	}
	pkgs := kernel.Packages

	goMod, err := os.ReadFile(filepath.Join(ws, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("build folder: %w", err)
	}
	goVersion, _, _ := g.run(ctx, "env", "GOVERSION", "CGO_ENABLED")
	var inst []string
	for _, in := range kernel.Instances {
		inst = append(inst, in.Path+"."+in.Symbol)
	}
	key := hashOf(srcHash, string(goMod), strings.Join(pkgs, "\n"), strings.Join(inst, "\n"), runtime.GOOS, runtime.GOARCH, goVersion)
	exe := "kernel"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	bin := filepath.Join(b.CacheDir, "kernels", key[:16], exe)
	if _, err := os.Stat(bin); err == nil {
		now := time.Now()
		os.Chtimes(filepath.Dir(bin), now, now) // recently used: pruned last
		return &Build{Binary: bin, Kernel: kernel, Cached: true}, nil
	}

	b.progress("extracting the symbols of " + strings.Join(pkgs, ", "))
	if err := b.extract(ctx, g, ws, kernel); err != nil {
		return nil, err
	}
	b.progress("compiling the kernel with them (a minute or two the first time, seconds after)")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	tmp := bin + ".tmp"
	if _, stderr, err := g.run(ctx, "build", "-mod=mod", "-trimpath", "-o", tmp, "./cmd/kernel"); err != nil {
		os.Remove(tmp)
		return nil, buildError(pkgs, stderr, err)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return nil, fmt.Errorf("kernel cache: %w", err)
	}
	prune(b.CacheDir, ws, keepKernels)
	return &Build{Binary: bin, Kernel: kernel}, nil
}

// resolve writes the build folder's go.mod and go.sum (the kernel's own,
// then the versions already compiled in and the pins, newest request
// last), resolves the packages and returns what the kernel will have.
func (b *Builder) resolve(ctx context.Context, g goCommand, ws string, have Kernel, req Request) (Kernel, error) {
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := fs.ReadFile(b.Source, name)
		if err != nil {
			return Kernel{}, fmt.Errorf("kernel source: %w", err)
		}
		if err := os.WriteFile(filepath.Join(ws, name), data, 0o644); err != nil {
			return Kernel{}, fmt.Errorf("build folder: %w", err)
		}
	}
	pins := mergePins(have.Modules, req.Pins)
	if len(pins) > 0 {
		b.progress("go get " + strings.Join(modStrings(pins), " "))
		if _, stderr, err := g.run(ctx, append([]string{"get"}, modStrings(pins)...)...); err != nil {
			return Kernel{}, goError(strings.Join(modStrings(req.Pins), " "), stderr, err)
		}
	}

	// Resolve the packages: a package of a module in the build list keeps
	// that version; one from a new module gets its latest, as go get does.
	pkgs := union(have.Packages, req.Packages)
	listed, err := b.listPackages(ctx, g, pkgs, req.Packages)
	if err != nil {
		return Kernel{}, err
	}
	if err := checkCgo(ctx, g, pkgs); err != nil {
		return Kernel{}, err
	}
	goSum, _ := os.ReadFile(filepath.Join(ws, "go.sum"))
	kernel := Kernel{Packages: pkgs, Instances: slices.Clone(have.Instances)}
	for _, in := range req.Instances {
		if !slices.ContainsFunc(kernel.Instances, func(h engine.Instance) bool { return h.Symbol == in.Symbol }) {
			kernel.Instances = append(kernel.Instances, in)
		}
	}
	slices.SortFunc(kernel.Instances, func(a, b engine.Instance) int { return strings.Compare(a.Symbol, b.Symbol) })
	seen := map[string]bool{}
	addModule := func(m Module) {
		if m.Path == "" || seen[m.Path] {
			return
		}
		seen[m.Path] = true
		m.Sum = sumOf(goSum, m)
		kernel.Modules = append(kernel.Modules, m)
	}
	for _, p := range pkgs {
		if m := listed[p].Module; m != nil && !m.Main {
			addModule(Module{Path: m.Path, Version: m.Version})
		}
	}
	if len(pins) > 0 {
		final, err := g.moduleVersions(ctx, pinPaths(pins))
		if err != nil {
			return Kernel{}, err
		}
		for _, m := range final {
			addModule(m)
		}
	}
	if err := verifySums(req.Pins, kernel.Modules); err != nil {
		return Kernel{}, err
	}
	slices.SortFunc(kernel.Modules, func(a, b Module) int { return strings.Compare(a.Path, b.Path) })

	return kernel, nil
}

// keepKernels is how many built kernels the cache keeps (about 50 MB
// each): the most recently built or used.
const keepKernels = 8

// prune removes the cache's older kernels beyond keep, and the build
// folders of other kernel sources (older versions of the kernel), unless
// another build holds them. A kernel still running from a removed binary
// keeps running.
func prune(cacheDir, ws string, keep int) {
	entries, _ := os.ReadDir(filepath.Join(cacheDir, "kernels"))
	type built struct {
		dir string
		mod int64
	}
	var all []built
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && e.IsDir() {
			all = append(all, built{filepath.Join(cacheDir, "kernels", e.Name()), fi.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(all, func(a, b built) int { return int(b.mod - a.mod) })
	for i := keep; i < len(all); i++ {
		os.RemoveAll(all[i].dir)
	}
	others, _ := filepath.Glob(filepath.Join(cacheDir, "src-*"))
	for _, d := range others {
		if d == ws || strings.HasSuffix(d, ".lock") {
			continue
		}
		if unlock, err := tryLock(d + ".lock"); err == nil {
			os.RemoveAll(d)
			unlock()
			os.Remove(d + ".lock")
		}
	}
}

func (b *Builder) progress(line string) {
	if b.Progress != nil {
		b.Progress(line)
	}
}

func (b *Builder) env() []string {
	env := b.Env
	if env == nil {
		env = os.Environ()
	}
	// The build folder is a module of its own: a go.work of the user's
	// must not pull it into a workspace.
	return append(slices.Clone(env), "GOWORK=off")
}

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath string
	Name       string
	Standard   bool
	Module     *struct {
		Path    string
		Version string
		Main    bool
	}
	Error *struct{ Err string }
}

// listPackages resolves pkgs (adding the modules of new ones to go.mod)
// and checks that each is a package a cell can import.
func (b *Builder) listPackages(ctx context.Context, g goCommand, pkgs, asked []string) (map[string]listedPackage, error) {
	if len(asked) > 0 {
		b.progress("resolving " + strings.Join(asked, ", "))
	}
	out, stderr, err := g.run(ctx, append([]string{"list", "-mod=mod", "-e", "-json=ImportPath,Name,Standard,Module,Error"}, pkgs...)...)
	if err != nil {
		return nil, goError(strings.Join(asked, ", "), stderr, err)
	}
	listed := map[string]listedPackage{}
	dec := json.NewDecoder(strings.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		listed[p.ImportPath] = p
	}
	for _, path := range pkgs {
		p, ok := listed[path]
		switch {
		case !ok:
			return nil, goError(path, stderr, errors.New("not listed"))
		case p.Error != nil:
			return nil, goError(path, p.Error.Err+"\n"+stderr, errors.New("not found"))
		case p.Name == "main":
			return nil, &Error{Package: path, Problem: "is a program (package main), not a package a cell can import"}
		case isInternal(path):
			return nil, &Error{Package: path, Problem: "is an internal package: Go lets only its own module import it", Hint: "Import the module's public packages instead."}
		}
	}
	return listed, nil
}

func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/") || strings.HasPrefix(path, "internal/")
}

// checkCgo refuses packages that need C code when cgo is off. They are
// listed as cgo would build them: with cgo off, the go command leaves
// their C files out and builds what remains, often a stub.
func checkCgo(ctx context.Context, g goCommand, pkgs []string) error {
	withCgo := g
	withCgo.env = append(slices.Clone(g.env), "CGO_ENABLED=1")
	out, stderr, err := withCgo.run(ctx, append([]string{"list", "-mod=mod", "-deps", "-f", "{{if and (not .Standard) .CgoFiles}}{{.ImportPath}}{{end}}"}, pkgs...)...)
	if err != nil {
		return goError(strings.Join(pkgs, ", "), stderr, err)
	}
	withC := strings.Fields(out)
	if len(withC) == 0 {
		return nil
	}
	enabled, _, _ := g.run(ctx, "env", "CGO_ENABLED")
	if strings.TrimSpace(enabled) == "1" {
		return nil
	}
	return &Error{Package: strings.Join(pkgs, ", "),
		Problem: fmt.Sprintf("needs cgo (%s has C code), and cgo is off here (CGO_ENABLED=0 or no C compiler)", strings.Join(withC, ", ")),
		Hint:    "Install a C compiler (gcc or clang) and set CGO_ENABLED=1 for the kernel, or choose a pure-Go package."}
}

// extract writes the symbol tables of k's packages into the build folder's
// symbols package, with the record of what the kernel has compiled in.
func (b *Builder) extract(ctx context.Context, g goCommand, ws string, k Kernel) error {
	symDir := filepath.Join(ws, "symbols")
	old, _ := filepath.Glob(filepath.Join(symDir, "zz_*.go"))
	for _, f := range old {
		os.Remove(f)
	}
	tmp := filepath.Join(ws, ".extract")
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("build folder: %w", err)
	}
	defer os.RemoveAll(tmp)
	eg := g
	eg.dir = tmp
	if _, stderr, err := eg.run(ctx, append([]string{"run", "-mod=mod", "github.com/traefik/yaegi/cmd/yaegi", "extract", "-name", "symbols"}, k.Packages...)...); err != nil {
		return &Error{Package: strings.Join(k.Packages, ", "), Problem: "yaegi extract could not read the packages' exported symbols", Detail: stderr}
	}
	files, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("build folder: %w", err)
	}
	for _, f := range files {
		if err := os.Rename(filepath.Join(tmp, f.Name()), filepath.Join(symDir, "zz_mod_"+f.Name())); err != nil {
			return fmt.Errorf("build folder: %w", err)
		}
	}
	// The generic declarations, for the kernel's type checker.
	if _, stderr, err := g.run(ctx, append([]string{"run", "-mod=mod", "./internal/gomod/gendecl", "-o", filepath.Join(symDir, "zz_zz_generics.go")}, k.Packages...)...); err != nil {
		return &Error{Package: strings.Join(k.Packages, ", "), Problem: "could not read the packages' generic declarations", Detail: stderr}
	}
	if err := os.WriteFile(filepath.Join(symDir, "zz_zz_instances.go"), instancesFile(k.Instances), 0o644); err != nil {
		return fmt.Errorf("build folder: %w", err)
	}
	return os.WriteFile(filepath.Join(symDir, "zz_mod_kernel.go"), kernelRecord(k), 0o644)
}

// instancesFile is the Go file that compiles in the instantiations cells
// use and records them. It comes after the symbol tables it adds to (files
// initialize in name order).
func instancesFile(instances []engine.Instance) []byte {
	aliases := map[string]string{}
	alias := func(path string) string {
		if a, ok := aliases[path]; ok {
			return a
		}
		a := fmt.Sprintf("p%d", len(aliases))
		aliases[path] = a
		return a
	}
	var body bytes.Buffer
	for _, in := range instances {
		expr := in.Expr(alias)
		if in.IsType {
			expr = "(*" + expr + ")(nil)"
		}
		rec, _ := json.Marshal(in)
		fmt.Fprintf(&body, "\tregisterInstance(%q, %q, reflect.ValueOf(%s))\n\tModuleInstances = append(ModuleInstances, %q)\n", in.Path, in.Symbol, expr, rec)
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by nmfkernel/internal/gomod. DO NOT EDIT.\n\npackage symbols\n\nimport (\n\t\"reflect\"\n")
	for _, p := range slices.Sorted(maps.Keys(aliases)) {
		fmt.Fprintf(&b, "\t%s %q\n", aliases[p], p)
	}
	b.WriteString(")\n\nvar _ = reflect.ValueOf\n\nfunc init() {\n")
	b.Write(body.Bytes())
	b.WriteString("}\n")
	return b.Bytes()
}

// ParseInstances reads the records instancesFile writes.
func ParseInstances(records []string) []engine.Instance {
	var out []engine.Instance
	for _, r := range records {
		var in engine.Instance
		if json.Unmarshal([]byte(r), &in) == nil {
			out = append(out, in)
		}
	}
	return out
}

// kernelRecord is the Go file that tells the built kernel what it has.
func kernelRecord(k Kernel) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by nmfkernel/internal/gomod. DO NOT EDIT.\n\npackage symbols\n\nfunc init() {\n")
	for _, p := range k.Packages {
		fmt.Fprintf(&b, "\tModulePackages = append(ModulePackages, %q)\n", p)
	}
	for _, m := range k.Modules {
		fmt.Fprintf(&b, "\tModules = append(Modules, %q)\n", strings.TrimSpace(m.Path+" "+m.Version+" "+m.Sum))
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// ParseModules reads the records kernelRecord writes ("path version [sum]").
func ParseModules(records []string) []Module {
	var ms []Module
	for _, r := range records {
		f := strings.Fields(r)
		if len(f) < 2 {
			continue
		}
		m := Module{Path: f[0], Version: f[1]}
		if len(f) > 2 {
			m.Sum = f[2]
		}
		ms = append(ms, m)
	}
	return ms
}

// goCommand runs the go command in a folder.
type goCommand struct {
	bin, dir string
	env      []string
}

func (g goCommand) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, g.bin, args...)
	cmd.Dir, cmd.Env = g.dir, g.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.String(), errOut.String(), err
}

// moduleVersions returns the build list's versions of paths.
func (g goCommand) moduleVersions(ctx context.Context, paths []string) ([]Module, error) {
	out, stderr, err := g.run(ctx, append([]string{"list", "-mod=mod", "-m", "-f", "{{.Path}} {{.Version}}"}, paths...)...)
	if err != nil {
		return nil, goError(strings.Join(paths, ", "), stderr, err)
	}
	return ParseModules(strings.Split(strings.TrimSpace(out), "\n")), nil
}

// goError turns the go command's failure into words for the user.
func goError(what, stderr string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := strings.TrimSpace(stderr)
	e := &Error{Package: what, Detail: msg}
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "dial tcp") || strings.Contains(low, "no such host") || strings.Contains(low, "connection refused") ||
		strings.Contains(low, "i/o timeout") || strings.Contains(low, "network is unreachable") || strings.Contains(low, "proxyconnect") ||
		strings.Contains(low, "module lookup disabled") || strings.Contains(low, "tls handshake"):
		e.Problem = "cannot be downloaded: the Go module proxy cannot be reached and the module is not in the module cache"
		e.Hint = "Check the network and GOPROXY (`go env GOPROXY`); offline, only modules already in the module cache (`go env GOMODCACHE`) can be used, with GOFLAGS=-mod=mod and GOPROXY=off."
	case strings.Contains(low, "403 forbidden"):
		e.Problem = "the Go module proxy refused it (403 Forbidden" + serverResponse(msg) + "): the proxy does not serve this module or version to you"
		e.Hint = "A private module, or one the proxy blocks: for a private module set GOPRIVATE (and GOPROXY=direct or your own proxy); check `go env GOPROXY GONOSUMDB`."
	case strings.Contains(low, "410 gone"):
		e.Problem = "the Go module proxy answered 410 Gone" + serverResponse(msg) + ": it has no such module version, or will not serve it"
		e.Hint = "Check the module path and version (`go list -m -versions MODULE` lists them); for a private module set GOPRIVATE (and GOPROXY=direct or your own proxy)."
	case strings.Contains(low, "cannot find module providing package") || strings.Contains(low, "is not in std") ||
		strings.Contains(low, "finding module for package") && (strings.Contains(low, " 403 ") || strings.Contains(low, " 404 ") || strings.Contains(low, " 410 ")) ||
		strings.Contains(low, "malformed module path") || strings.Contains(low, "no required module provides"):
		e.Problem = "there is no such package: no module provides it"
		e.Hint = "Check the import path (a module's packages are listed on pkg.go.dev)."
	case strings.Contains(low, "unknown revision") || strings.Contains(low, "invalid version") || strings.Contains(low, "no matching versions") ||
		strings.Contains(low, "reading") && (strings.Contains(low, " 403 ") || strings.Contains(low, " 404 ") || strings.Contains(low, " 410 ")):
		e.Problem = "this version cannot be had"
		e.Hint = "Check the module path and version (`go list -m -versions MODULE` lists them), or leave the version out for the latest."
	case strings.Contains(low, "does not contain package"):
		e.Problem = "there is no such package in that module"
		e.Hint = "Check the import path (the module's documentation on pkg.go.dev lists its packages)."
	case strings.Contains(low, "checksum mismatch") || strings.Contains(low, "security error"):
		e.Problem = "the downloaded module does not match its checksum"
		e.Hint = "The module's content changed since its checksum was recorded: do not use it until you know why (`go clean -modcache` clears a corrupted cache)."
	default:
		e.Problem = "the go command failed: " + err.Error()
	}
	return e
}

// serverResponse is the proxy's own words from the go command's message
// (its "server response:" line), as ": words", or "".
func serverResponse(msg string) string {
	_, after, ok := strings.Cut(msg, "server response:")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(strings.TrimSpace(after), "\n")
	if line = strings.TrimSpace(line); line == "" {
		return ""
	}
	if len(line) > 160 {
		line = line[:160] + "…"
	}
	return ": " + strconv.Quote(line)
}

// buildError explains a failed kernel build.
func buildError(pkgs []string, stderr string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &Error{Package: strings.Join(pkgs, ", "), Problem: "the kernel could not be compiled with these packages", Detail: stderr}
	if strings.Contains(stderr, "C compiler") || strings.Contains(stderr, "cgo") {
		e.Hint = "A package needs cgo: install a C compiler (gcc or clang), or choose a pure-Go package."
	}
	return e
}

// mergePins returns have's modules with pins applied over them, pins last.
func mergePins(have, pins []Module) []Module {
	var out []Module
	for _, m := range have {
		if !slices.ContainsFunc(pins, func(p Module) bool { return p.Path == m.Path }) {
			out = append(out, Module{Path: m.Path, Version: m.Version})
		}
	}
	for _, p := range pins {
		out = append(out, Module{Path: p.Path, Version: p.Version})
	}
	return out
}

// verifySums checks that a pinned module recorded with its go.sum hash got
// the same files.
func verifySums(pins, got []Module) error {
	for _, p := range pins {
		if p.Sum == "" {
			continue
		}
		for _, m := range got {
			if m.Path == p.Path && m.Version == p.Version && m.Sum != "" && m.Sum != p.Sum {
				return &Error{Package: p.String(), Problem: fmt.Sprintf("the module's checksum is %s, but the notebook recorded %s", m.Sum, p.Sum),
					Hint: "The module's content is not what the notebook was run with: do not use it until you know why."}
			}
		}
	}
	return nil
}

// sumOf finds m's hash in go.sum.
func sumOf(goSum []byte, m Module) string {
	sc := bufio.NewScanner(bytes.NewReader(goSum))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == m.Path && f[1] == m.Version {
			return f[2]
		}
	}
	return ""
}

func modStrings(ms []Module) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return s
}

func pinPaths(ms []Module) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Path)
	}
	return s
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func hashOf(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var (
	srcHashOnce sync.Once
	srcHashVal  string
	srcHashErr  error
)

// sourceHash identifies the kernel's source (computed once per process).
func sourceHash(src fs.FS) (string, error) {
	srcHashOnce.Do(func() {
		h := sha256.New()
		srcHashErr = fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(src, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s %d\n", p, len(data))
			h.Write(data)
			return nil
		})
		srcHashVal = hex.EncodeToString(h.Sum(nil))
	})
	if srcHashErr != nil {
		return "", fmt.Errorf("kernel source: %w", srcHashErr)
	}
	return srcHashVal, nil
}

// writeSource writes the kernel's source into ws once (test files left
// out); a marker says it is complete.
func (b *Builder) writeSource(ws, srcHash string) error {
	marker := filepath.Join(ws, ".nmfkernel-source")
	if data, err := os.ReadFile(marker); err == nil && string(data) == srcHash {
		return nil
	}
	os.RemoveAll(ws)
	err := fs.WalkDir(b.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := fs.ReadFile(b.Source, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(ws, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("write the kernel's source to %s: %w", ws, err)
	}
	return os.WriteFile(marker, []byte(srcHash), 0o644)
}

// ModuleOf returns the module path of an import path among ms, if any.
func ModuleOf(importPath string, ms []Module) (Module, bool) {
	for _, m := range ms {
		if importPath == m.Path || strings.HasPrefix(importPath, m.Path+"/") {
			return m, true
		}
	}
	return Module{}, false
}
