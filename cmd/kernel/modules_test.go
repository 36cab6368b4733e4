package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"

	"nmfkernel/internal/client"
	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/server"
)

// needGo skips a test that builds kernels when there is no Go toolchain,
// except in CI, where that is a failure.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no go command on PATH: the module tests need it (and the Go module proxy)")
		}
		t.Skip("no go command on PATH: skipping the tests that compile modules into kernels")
	}
}

// moduleCache is one build cache for the module tests: each kernel build
// after the first takes seconds.
var moduleCache = sync.OnceValue(func() string {
	d, err := os.MkdirTemp("", "nmfkernel-modules-test-")
	if err != nil {
		panic(err)
	}
	return d
})

// modulesNotebook uses six modules of different kinds: plain functions
// (stats), types with methods used across cells (decimal), one with
// dependencies of its own (tablewriter: go-runewidth, uniseg), one from
// golang.org/x (text), a generic one (lo, whose instantiations are
// compiled in when a cell uses them), state kept across each import.
var modulesNotebook = []string{
	"import \"fmt\"\nprices := []float64{3, 1, 4, 1, 5, 9, 2, 6}\nfmt.Println(len(prices), \"prices\")",
	"%go get github.com/montanaflynn/stats@v0.14.0 github.com/shopspring/decimal@v1.4.0 github.com/olekukonko/tablewriter@v0.0.5 github.com/samber/lo@v1.47.0",
	"import \"github.com/montanaflynn/stats\"\nmed, _ := stats.Median(prices)\np90, _ := stats.Percentile(prices, 90)\nfmt.Println(\"median\", med, \"p90\", p90)",
	"import \"github.com/shopspring/decimal\"\ntotal := decimal.Zero\nfor _, p := range prices {\n\ttotal = total.Add(decimal.NewFromFloat(p).Mul(decimal.RequireFromString(\"1.1\")))\n}",
	"fmt.Println(total.StringFixed(2), total.GreaterThan(decimal.NewFromInt(30)))",
	"import (\"os\"; \"github.com/olekukonko/tablewriter\")\ntw := tablewriter.NewWriter(os.Stdout)\ntw.SetHeader([]string{\"stat\", \"value\"})\ntw.Append([]string{\"median\", fmt.Sprint(med)})\ntw.Render()",
	"import (\"golang.org/x/text/cases\"; \"golang.org/x/text/language\")\nfmt.Println(cases.Title(language.English).String(\"state survives\"), total.String())",
	"import \"github.com/samber/lo\"\nevens := lo.Filter(prices, func(p float64, _ int) bool { return int(p)%2 == 0 })\nfmt.Println(evens, lo.Sum(evens), lo.Uniq([]string{\"a\", \"b\", \"a\"}), lo.T2(\"median\", med))",
}

var modulesWant = []string{
	"8 prices\n",
	"github.com/montanaflynn/stats v0.14.0\ngithub.com/shopspring/decimal v1.4.0\ngithub.com/olekukonko/tablewriter v0.0.5\ngithub.com/samber/lo v1.47.0\n",
	"median 3.5 p90 6.8999999999999995\n",
	"",
	"34.10 true\n",
	"| median |   3.5 |",
	"State Survives 34.1\n",
	"[4 2 6] 12 [a b] {median 3.5}\n",
}

func writeNotebook(t *testing.T, path string, cells []string) {
	t.Helper()
	nb := map[string]any{"metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5}
	var cs []any
	for _, c := range cells {
		cs = append(cs, map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": c, "outputs": []any{}, "execution_count": nil})
	}
	nb["cells"] = cs
	b, _ := json.Marshal(nb)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// streamText is a cell's stdout, and its stderr prefixed with "stderr: ".
func streamText(c notebook.Cell) string {
	var b strings.Builder
	outs, _ := c["outputs"].([]any)
	for _, o := range outs {
		m, _ := o.(map[string]any)
		if m["output_type"] == "stream" {
			if m["name"] == "stderr" {
				b.WriteString("stderr: ")
			}
			switch t := m["text"].(type) {
			case string:
				b.WriteString(t)
			case []any:
				for _, s := range t {
					b.WriteString(s.(string))
				}
			}
		}
	}
	return b.String()
}

func TestModulesInANotebook(t *testing.T) {
	needGo(t)
	t.Setenv("NMFKERNEL_CACHE", moduleCache())
	wd, _ := os.Getwd()
	t.Chdir(wd)
	dir := t.TempDir()
	in := filepath.Join(dir, "modules.ipynb")
	writeNotebook(t, in, modulesNotebook)
	var out, errb bytes.Buffer
	if code := run([]string{"run", in}, &out, &errb); code != 0 {
		t.Fatalf("kernel run: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
	nb, err := notebook.Read(in)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range modulesWant {
		if got := streamText(nb.Cells[i]); !strings.Contains(got, want) || want == "" && got != "" {
			t.Errorf("cell %d: got %q, want %q", i+1, got, want)
		}
	}
	recorded := map[string]string{}
	meta, _ := nb.Metadata["nmfkernel"].(map[string]any)
	mods, _ := meta["modules"].([]any)
	for _, m := range mods {
		m := m.(map[string]any)
		recorded[m["path"].(string)] = m["version"].(string)
		if sum, _ := m["sum"].(string); !strings.HasPrefix(sum, "h1:") {
			t.Errorf("%v: no go.sum hash recorded", m)
		}
	}
	for path, version := range map[string]string{"github.com/montanaflynn/stats": "v0.14.0", "github.com/shopspring/decimal": "v1.4.0",
		"github.com/olekukonko/tablewriter": "v0.0.5", "github.com/samber/lo": "v1.47.0", "golang.org/x/text": ""} {
		if got, ok := recorded[path]; !ok || version != "" && got != version {
			t.Errorf("metadata records %s at %q, want %q (all: %v)", path, got, version, recorded)
		}
	}

	// Another machine: a fresh module cache and no kernel builds. The
	// notebook re-runs to the same outputs with the recorded versions,
	// even once its %go get line is gone.
	if testing.Short() {
		return
	}
	t.Setenv("NMFKERNEL_CACHE", t.TempDir())
	t.Setenv("GOMODCACHE", t.TempDir())
	t.Setenv("GOFLAGS", "-modcacherw") // lets the test remove the cache
	nb.Cells[1]["source"] = "fmt.Println(\"no directive\")"
	nb.Cells[1]["outputs"] = []any{map[string]any{"output_type": "stream", "name": "stdout", "text": "no directive\n"}}
	if err := nb.Write(in); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"run", "--check", in}, &out, &errb); code != 0 {
		t.Fatalf("re-run on a fresh module cache: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
	// A recorded version that cannot be had fails the check.
	nb.Metadata["nmfkernel"].(map[string]any)["modules"] = []any{map[string]any{"path": "github.com/montanaflynn/stats", "version": "v0.99.0"}}
	nb.Write(in)
	errb.Reset()
	if code := run([]string{"run", "--check", in}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "github.com/montanaflynn/stats@v0.99.0") {
		t.Errorf("unavailable recorded version: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
}

// moduleServer is a kernel server on loopback whose kernels are this test
// binary, with env added to theirs.
func moduleServer(t *testing.T) (*client.Client, func(env map[string]string) (*client.Conn, string)) {
	t.Helper()
	exe, _ := os.Executable()
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Kernels: kernels.Options{Command: []string{exe, "jupyter"}, Dir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	c := client.New("http://"+srv.Addr(), srv.Token())
	return c, func(env map[string]string) (*client.Conn, string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Kernel processes inherit the server's environment: env holds
		// while this one starts.
		for k, v := range env {
			old, had := os.LookupEnv(k)
			os.Setenv(k, v)
			defer func() {
				if had {
					os.Setenv(k, old)
				} else {
					os.Unsetenv(k)
				}
			}()
		}
		k, err := c.StartKernel(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := c.Connect(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn, k.ID
	}
}

type cellRun struct {
	status, stdout, stderr, ename, evalue string
	cleared                               bool
	metadata                              map[string]any
}

func execute(t *testing.T, conn *client.Conn, code string) cellRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var r cellRun
	reply, err := conn.Request(ctx, "shell", "execute_request", map[string]any{"code": code, "silent": false, "store_history": true, "allow_stdin": false, "stop_on_error": true},
		func(m *jupyter.Message) {
			var c struct{ Name, Text, Ename, Evalue string }
			m.DecodeContent(&c)
			switch m.Header.MsgType {
			case "stream":
				if c.Name == "stdout" {
					r.stdout += c.Text
				} else {
					r.stderr += c.Text
				}
			case "clear_output":
				r.cleared, r.stdout, r.stderr = true, "", ""
			case "error":
				r.ename, r.evalue = c.Ename, c.Evalue
			}
		})
	if err != nil {
		t.Fatalf("execute %q: %v", code, err)
	}
	var c struct{ Status string }
	reply.DecodeContent(&c)
	r.status, r.metadata = c.Status, reply.Metadata
	return r
}

// withoutReplayNote splits the note a kernel that replaced itself writes
// (the cells it re-ran, and those whose values may differ) from the rest
// of a cell's stdout.
func withoutReplayNote(stdout string) (rest, note string) {
	lines := strings.SplitAfter(stdout, "\n")
	i := 0
	if len(lines) > 0 && strings.HasPrefix(lines[0], "nmfkernel: this kernel has the new packages") {
		for i = 1; i < len(lines) && strings.HasPrefix(lines[i], "  cell "); i++ {
		}
	}
	return strings.Join(lines[i:], ""), strings.Join(lines[:i], "")
}

func TestModuleImportKeepsTheSession(t *testing.T) {
	needGo(t)
	t.Setenv("NMFKERNEL_CACHE", moduleCache())
	_, start := moduleServer(t)
	conn, _ := start(nil)
	execute(t, conn, "import \"fmt\"\nx := 41\nfunc double(v float64) float64 { return 2 * v }")
	// The kernel replaces its process with one that has stats compiled in,
	// re-runs the first cell there, clears its build messages and runs
	// this one.
	r := execute(t, conn, "import \"github.com/montanaflynn/stats\"\nm, _ := stats.Mean([]float64{1, 2, 3, 4})\nfmt.Println(double(m), x+1)")
	if out, note := withoutReplayNote(r.stdout); r.status != "ok" || out != "5 42\n" || !r.cleared || r.stderr != "" ||
		note != "nmfkernel: this kernel has the new packages; it re-ran cells [1] to restore the session's variables.\n" {
		t.Fatalf("import: %+v", r)
	}
	if mods, _ := json.Marshal(r.metadata["nmfkernel"]); !strings.Contains(string(mods), `"path":"github.com/montanaflynn/stats"`) {
		t.Errorf("execute_reply metadata: %s", mods)
	}
	if r := execute(t, conn, "fmt.Println(x, m)"); r.stdout != "41 2.5\n" {
		t.Errorf("after the import: %+v", r)
	}
	// Shift-Tab on the module's function: its signature with parameter
	// names and its doc comment, from the module's source.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := "stats.Percentile(data, 90)"
	reply, err := conn.Request(ctx, "shell", "inspect_request", map[string]any{"code": code, "cursor_pos": len("stats.Perc"), "detail_level": 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var insp struct {
		Found bool
		Data  map[string]string
	}
	reply.DecodeContent(&insp)
	if text := insp.Data["text/plain"]; !insp.Found || !strings.Contains(text, "func Percentile(input Float64Data, percent float64) (percentile float64, err error)") ||
		!strings.Contains(text, "Percentile finds the relative standing") {
		t.Errorf("inspect of a module's function: %+v", insp)
	}
	// Clear failures, each leaving the session as it was.
	for _, c := range []struct{ code, want string }{
		// A missing module or version is a 404 or 410 from proxy.golang.org,
		// a 403 from proxies that refuse what they do not serve.
		{"import \"github.com/nmfkernel-test/no-such-module/stats\"", "no such package|the Go module proxy (refused it|answered 410)"},
		{"import \"github.com/montanaflynn/stats/nope\"", "no such package in that module"},
		{"%go get github.com/montanaflynn/stats@v0.99.0", "this version cannot be had|the Go module proxy (refused it|answered 410)"},
		{"%go fetch something", "unknown %go subcommand"},
	} {
		r := execute(t, conn, c.code)
		if first, _, _ := strings.Cut(r.evalue, "\n"); r.status != "error" || !regexp.MustCompile(c.want).MatchString(first) {
			t.Errorf("%q: %+v", c.code, r)
		}
	}
	if r := execute(t, conn, "fmt.Println(x, m)"); r.stdout != "41 2.5\n" {
		t.Errorf("after the failures: %+v", r)
	}
	// Generic code: each instantiation a cell uses is compiled in (one
	// more build, the session carried over again).
	r = execute(t, conn, "%go get github.com/samber/lo@v1.47.0\nimport \"github.com/samber/lo\"\nfmt.Println(lo.Map([]int{1, 2}, func(v, _ int) string { return fmt.Sprint(v * x) }), lo.Max([]float64{m, 1}))")
	if out, note := withoutReplayNote(r.stdout); r.status != "ok" || out != "github.com/samber/lo v1.47.0\n[41 82] 2.5\n" || r.stderr != "" || !strings.Contains(note, "re-ran cells [1], [2], ") {
		t.Errorf("generic call: %+v", r)
	}
	// A type of the notebook's cannot instantiate compiled generic code.
	r = execute(t, conn, "type point struct{ X int }\nfmt.Println(lo.Map([]point{{1}}, func(p point, _ int) int { return p.X }))")
	if r.status != "error" || !strings.Contains(r.evalue, "lo.Map with point: the type is defined in the notebook") {
		t.Errorf("generic call with a notebook type: %+v", r)
	}
	if r := execute(t, conn, "fmt.Println(x, m, lo.Max([]float64{m, 1}))"); r.stdout != "41 2.5 2.5\n" {
		t.Errorf("after the generic calls: %+v", r)
	}
}

func TestModuleFailures(t *testing.T) {
	needGo(t)
	t.Setenv("NMFKERNEL_CACHE", moduleCache())
	_, start := moduleServer(t)
	check := func(conn *client.Conn, code, want string) {
		t.Helper()
		execute(t, conn, "y := 7")
		if r := execute(t, conn, code); r.status != "error" || r.ename != "ModuleError" || !strings.Contains(r.evalue, want) {
			t.Errorf("%q: %+v", code, r)
		}
		if r := execute(t, conn, "println(y)"); r.status != "ok" || r.stdout+r.stderr != "7\n" {
			t.Errorf("session harmed: %+v", r)
		}
	}
	// cgo switched off: a package with C code is refused by name.
	check(first(start(map[string]string{"CGO_ENABLED": "0"})), "import \"github.com/mattn/go-sqlite3\"", "needs cgo (github.com/mattn/go-sqlite3 has C code)")
	// No network: nothing in the module cache and a proxy that refuses.
	check(first(start(map[string]string{"GOPROXY": "http://127.0.0.1:9", "GOMODCACHE": t.TempDir(), "GOFLAGS": "-modcacherw"})),
		"import \"github.com/dustin/go-humanize\"", "the Go module proxy cannot be reached")
	// No Go toolchain on the kernel's PATH.
	check(first(start(map[string]string{"PATH": t.TempDir()})),
		"import \"github.com/dustin/go-humanize\"", "there is no `go` command on the PATH")
}

func first[A, B any](a A, _ B) A { return a }

// Kernels importing the same module at the same time take turns with the
// build folder and both get it.
func TestConcurrentImports(t *testing.T) {
	needGo(t)
	t.Setenv("NMFKERNEL_CACHE", moduleCache())
	_, start := moduleServer(t)
	conns := []*client.Conn{first(start(nil)), first(start(nil))}
	var wg sync.WaitGroup
	results := make([]cellRun, len(conns))
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = execute(t, conn, "import (\"fmt\"; \"github.com/dustin/go-humanize\")\nfmt.Println(humanize.Comma(1234567))")
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.status != "ok" || r.stdout != "1,234,567\n" {
			t.Errorf("kernel %d: %+v", i, r)
		}
	}
}

// writeProxy lays out a module in the GOPROXY=file:// format: the module's
// go.mod, source and zip, as the go command reads them.
func writeProxy(t *testing.T, dir, path, version string, files map[string]string) {
	t.Helper()
	src := t.TempDir()
	for name, body := range files {
		os.WriteFile(filepath.Join(src, name), []byte(body), 0o644)
	}
	at := filepath.Join(dir, filepath.FromSlash(path), "@v")
	os.MkdirAll(at, 0o755)
	os.WriteFile(filepath.Join(at, "list"), []byte(version+"\n"), 0o644)
	os.WriteFile(filepath.Join(at, version+".info"), []byte(`{"Version":"`+version+`","Time":"2026-01-01T00:00:00Z"}`), 0o644)
	os.WriteFile(filepath.Join(at, version+".mod"), []byte(files["go.mod"]), 0o644)
	zf, err := os.Create(filepath.Join(at, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	if err := modzip.CreateFromDir(zf, module.Version{Path: path, Version: version}, src); err != nil {
		t.Fatal(err)
	}
}

// A module whose init panics does not take the session with it: the new
// kernel is checked before the old one gives way, the cell gets a
// ModuleError naming the package, the cache entry goes, and no file with
// the session's cells is left behind.
func TestModuleWhoseInitFails(t *testing.T) {
	needGo(t)
	t.Setenv("NMFKERNEL_CACHE", moduleCache())
	proxy := t.TempDir()
	writeProxy(t, proxy, "example.com/badinit", "v1.0.0", map[string]string{
		"go.mod": "module example.com/badinit\n\ngo 1.22\n",
		"bad.go": "package badinit\n\nfunc init() { panic(\"badinit: refusing to start\") }\n\n// Answer is 42.\nfunc Answer() int { return 42 }\n",
	})
	tmp := t.TempDir()
	_, start := moduleServer(t)
	conn, _ := start(map[string]string{
		"GOPROXY": "file://" + filepath.ToSlash(proxy) + ",https://proxy.golang.org", "GONOSUMDB": "example.com", "GOFLAGS": "-modcacherw",
		"GOSUMDB": "off", "TMPDIR": tmp,
	})
	execute(t, conn, "y := 7")
	for try := range 2 {
		r := execute(t, conn, "import \"example.com/badinit\"\nprintln(badinit.Answer())")
		if r.status != "error" || r.ename != "ModuleError" || !strings.Contains(r.evalue, "example.com/badinit") || !strings.Contains(r.evalue, "does not start") {
			t.Errorf("try %d: %+v", try+1, r)
		}
		if r := execute(t, conn, "println(y)"); r.status != "ok" || r.stdout+r.stderr != "7\n" {
			t.Fatalf("try %d: the session is gone: %+v", try+1, r)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "nmfkernel-resume-*")); len(left) > 0 {
		t.Errorf("files with the session's cells left: %v", left)
	}
}
