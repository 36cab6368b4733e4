package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/kernels"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/server"
)

// TestMain lets the test binary serve as the kernel process that "kernel
// run" starts (it runs os.Executable() jupyter -f FILE).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "jupyter" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "nmfkernel "+version) {
		t.Errorf("version: %d %q", code, out.String())
	}
	if code := run(nil, &out, &errb); code != 2 {
		t.Errorf("no command: exit %d", code)
	}
	errb.Reset()
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errb.String())
	}
}

const failing = `{"cells":[{"cell_type":"code","metadata":{},"source":"x := 1","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"var m map[string]int\nm[\"k\"] = 1","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"x + 1","outputs":[],"execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":5}`

func TestRunNotebook(t *testing.T) {
	wd, _ := os.Getwd()
	t.Chdir(wd) // run changes into the notebook's directory; restore it
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	os.WriteFile(in, []byte(failing), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"run", in, "-o", filepath.Join(dir, "out.ipynb")}, &out, &errb); code != 1 {
		t.Errorf("failing notebook: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "cell 2 failed: panic: assignment to entry in nil map") {
		t.Errorf("stderr:\n%s", errb.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "out.ipynb"))
	if err != nil || !strings.Contains(string(b), `"ename": "panic"`) {
		t.Errorf("outputs so far not written: %v", err)
	}
	errb.Reset()
	if code := run([]string{"run", "--allow-errors", in}, &out, &errb); code != 0 {
		t.Errorf("--allow-errors: exit %d\n%s", code, errb.String())
	}
	b, _ = os.ReadFile(in)
	if !strings.Contains(string(b), `"2"`) {
		t.Errorf("cell 3 did not run in place: %s", b)
	}
	if code := run([]string{"run", filepath.Join(dir, "absent.ipynb")}, &out, &errb); code != 1 {
		t.Errorf("missing notebook: exit %d", code)
	}
	if code := run([]string{"run"}, &out, &errb); code != 2 {
		t.Errorf("no notebook: exit %d", code)
	}
}

func TestRunCheck(t *testing.T) {
	wd, _ := os.Getwd()
	t.Chdir(wd)
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	src := `{"cells":[{"cell_type":"code","metadata":{},"source":"import \"fmt\"\nfmt.Println(\"k =\", 3)","outputs":[],"execution_count":null}],"metadata":%s,"nbformat":4,"nbformat_minor":5}`
	os.WriteFile(in, []byte(fmt.Sprintf(src, "{}")), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--in-process", in}, &out, &errb); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
	recorded, _ := os.ReadFile(in)
	errb.Reset()
	if code := run([]string{"run", "--check", "--in-process", in}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "outputs as committed") {
		t.Errorf("unchanged notebook: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
	// A committed output that a fresh run does not reproduce.
	os.WriteFile(in, bytes.Replace(recorded, []byte("k = 3"), []byte("k = 4"), 1), 0o644)
	before, _ := os.ReadFile(in)
	errb.Reset()
	if code := run([]string{"run", "--check", "--in-process", in}, &out, &errb); code != 1 || !strings.Contains(errb.String(), `want "k = 4\n"`) {
		t.Errorf("drifted notebook: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
	if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
		t.Error("--check rewrote the notebook")
	}
	// Outputs recorded with another Go release are not compared.
	nb, err := notebook.Parse(before)
	if err != nil {
		t.Fatal(err)
	}
	nb.Metadata["nmfkernel"] = map[string]any{notebook.GoVersionKey: "go1.0"}
	if err := nb.Write(in); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run([]string{"run", "--check", "--in-process", in}, &out, &errb); code != 0 || !strings.Contains(errb.String(), "recorded with go1.0") {
		t.Errorf("other Go release: exit %d\n%s", code, errb.String())
	}
	t.Chdir(wd)
}

func TestInstall(t *testing.T) {
	var out, errb bytes.Buffer
	prefix := t.TempDir()
	if code := run([]string{"install", "--prefix", prefix, "--print"}, &out, &errb); code != 0 ||
		strings.TrimSpace(out.String()) != filepath.Join(prefix, "share", "jupyter", "kernels", "nmfkernel") {
		t.Errorf("--print: %d %q %q", code, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(prefix, "share")); !os.IsNotExist(err) {
		t.Error("--print installed something")
	}
	if code := run([]string{"install", "--user", "--sys-prefix"}, &out, &errb); code != 2 {
		t.Errorf("two locations: exit %d", code)
	}
	// The test binary lives in the go-build cache, like a "go run" binary:
	// installing it would leave a kernelspec pointing at a file that goes away.
	errb.Reset()
	if code := run([]string{"install", "--prefix", prefix}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "go build -o kernel") {
		t.Errorf("temporary binary: %d %q", code, errb.String())
	}
	dir := t.TempDir()
	if err := writeKernelspec(dir, "/opt/kernel"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "kernel.json"))
	for _, want := range []string{`"/opt/kernel"`, `"jupyter"`, `"{connection_file}"`, `"interrupt_mode": "message"`, `"language": "go"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("kernel.json lacks %s:\n%s", want, b)
		}
	}
	for _, size := range []string{"32x32", "64x64"} {
		f, err := os.Open(filepath.Join(dir, "logo-"+size+".png"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || fmt.Sprintf("%dx%d", cfg.Width, cfg.Height) != size {
			t.Errorf("logo %s: %v %v", size, cfg, err)
		}
	}
}

func TestRunSurvivesKernelDeath(t *testing.T) {
	wd, _ := os.Getwd()
	t.Chdir(wd)
	dir := t.TempDir()
	in := filepath.Join(dir, "crash.ipynb")
	os.WriteFile(in, []byte(`{"cells":[{"cell_type":"code","metadata":{},"source":"import \"time\"\ntime.AfterFunc(0, func() { panic(\"boom\") })\ntime.Sleep(2 * time.Second)","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"1 + 1","outputs":[],"execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":5}`), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--allow-errors", in}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	b, _ := os.ReadFile(in)
	if !strings.Contains(string(b), `"ename": "KernelDied"`) || !strings.Contains(string(b), `"2"`) {
		t.Errorf("the crash is not reported, or the next cell did not run on the restarted kernel:\n%s", b)
	}
	// The panic the process printed reaches the notebook.
	if !strings.Contains(string(b), "panic: boom") || !strings.Contains(string(b), "goroutine ") {
		t.Errorf("the kernel's panic message and stack are not in the notebook:\n%s", b)
	}
}

func TestRunOnExistingServer(t *testing.T) {
	wd, _ := os.Getwd()
	t.Chdir(wd)
	exe, _ := os.Executable()
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Kernels: kernels.Options{Command: []string{exe, "jupyter"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Shutdown(context.Background())
	dir := t.TempDir()
	in := filepath.Join(dir, "nb.ipynb")
	os.WriteFile(in, []byte(`{"cells":[{"cell_type":"code","metadata":{},"source":"20 + 22","outputs":[],"execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":5}`), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"run", in, "--server", "http://" + srv.Addr(), "--token", "wrong"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "403") {
		t.Errorf("wrong token: exit %d %q", code, errb.String())
	}
	errb.Reset()
	if code := run([]string{"run", in, "--server", "http://" + srv.Addr(), "--token", srv.Token()}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if b, _ := os.ReadFile(in); !strings.Contains(string(b), `"42"`) {
		t.Errorf("result not recorded: %s", b)
	}
}

func TestServeToken(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, tc := range []struct {
		flag, file, env string
		want            string
		given, fails    bool
	}{
		{"", "", "", "", false, false},
		{"from-flag", file, "from-env", "from-flag", true, false},
		{"", file, "from-env", "from-file", true, false},
		{"", "", "from-env", "from-env", true, false},
		{"", filepath.Join(dir, "missing"), "", "", false, true},
		{"", empty, "", "", false, true},
	} {
		got, given, err := serveToken(tc.flag, tc.file, tc.env)
		if got != tc.want || given != tc.given || (err != nil) != tc.fails {
			t.Errorf("serveToken(%q, %q, %q) = %q, %v, %v", tc.flag, tc.file, tc.env, got, given, err)
		}
	}
}

// TestRunDirectives runs a notebook with directives through kernel run
// (a kernel process): the shell in the notebook's folder, %env, %%bash,
// %test, and a failing test stopping the run.
func TestRunDirectives(t *testing.T) {
	wd, _ := os.Getwd()
	t.Chdir(wd)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "data.txt"), []byte("x\n"), 0o644)
	cells := []string{
		"!ls",
		"%env NB_MODE=check\n!echo mode=$NB_MODE",
		"%%bash\necho $((2 + 3))",
		"import \"testing\"\nfunc TestOK(t *testing.T) {}\nfunc TestNo(t *testing.T) { t.Fatal(\"no\") }",
		"%test -run OK",
		"%test",
		"fmt.Println(\"not reached\")",
	}
	var src strings.Builder
	src.WriteString(`{"cells":[`)
	for i, c := range cells {
		if i > 0 {
			src.WriteString(",")
		}
		b, _ := json.Marshal(c)
		fmt.Fprintf(&src, `{"cell_type":"code","metadata":{},"source":%s,"outputs":[],"execution_count":null}`, b)
	}
	src.WriteString(`],"metadata":{},"nbformat":4,"nbformat_minor":5}`)
	in := filepath.Join(dir, "nb.ipynb")
	os.WriteFile(in, []byte(src.String()), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"run", in}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "cell 6 failed: cell [6], line 1: TestFailure") {
		t.Fatalf("exit %d, want 1 at cell 6:\n%s", code, errb.String())
	}
	b, _ := os.ReadFile(in)
	for _, want := range []string{`"data.txt\n"`, `"env: NB_MODE=check\n"`, `"mode=check\n"`, `"5\n"`, `ok  \tnotebook`, `--- FAIL: TestNo`, `cell [4]:3: no`} {
		if !strings.Contains(string(b), strings.ReplaceAll(strings.ReplaceAll(want, "\n", `\n`), "\t", `\t`)) && !strings.Contains(string(b), want) {
			t.Errorf("the notebook's outputs lack %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "not reached") && strings.Contains(string(b), `"text": [`+"\n"+`      "not reached`) {
		t.Errorf("the run went on past the failing %%test")
	}
}
