package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// gorootSuites are the directories and patterns of the Go installation's
// own test programs that TestGoroot runs as cells: test/typeparam (the
// generics), the range and iterator programs, and test/ken.
var gorootSuites = []string{"typeparam/*.go", "range*.go", "fixedbugs/*range*.go", "ken/*.go"}

// TestGoroot runs the single-file "// run" programs of the Go
// installation's test directory ($(go env GOROOT)/test, read in place,
// never copied) as one cell each, and compares what the cell writes with
// what the program must write (its .out file, or nothing), as Go's own
// test harness does. Each program ends as identical, refused (a compile
// or "not supported" error before any of it ran), failed (stopped by an
// InterpreterError, having printed only what Go prints up to there),
// crashed (its process ended, as a kernel's would, having printed only
// what Go prints up to there), hung (still running when the cell's
// deadline came, the same) or different: it printed something Go does
// not. The
// programs that are not identical today are listed, with their outcome,
// in testdata/goroot_expected.txt; the test fails when a program's
// outcome is not the listed one (a new difference, or a listed program
// that now passes), so the list and the counts in docs stay true.
// GOROOT_UPDATE=1 rewrites the list.
func TestGoroot(t *testing.T) {
	if raceBuild {
		// Programs that start goroutines race in yaegi's closure frames
		// (see TestConformance); .ci/run runs this suite without -race.
		t.Skip("the GOROOT suite runs without the race detector (.ci/run)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go command is needed to find GOROOT's test programs and is not on PATH")
		}
		t.Skip("the go command is not on PATH: skipping the GOROOT suite")
	}
	out, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	testDir := filepath.Join(strings.TrimSpace(string(out)), "test")
	var programs []string
	for _, pat := range gorootSuites {
		files, _ := filepath.Glob(filepath.Join(testDir, pat))
		for _, f := range files {
			if isSingleFileRun(f) {
				rel, _ := filepath.Rel(testDir, f)
				programs = append(programs, filepath.ToSlash(rel))
			}
		}
	}
	if len(programs) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no // run programs under %s (is the Go installation's test directory there?)", testDir)
		}
		t.Skipf("no // run programs under %s", testDir)
	}
	expected := readExpected(t, "testdata/goroot_expected.txt")
	got := map[string]string{}
	counts := map[string]map[string]int{}
	type run struct{ outcome, detail string }
	runs := make([]run, len(programs))
	jobs := make(chan int)
	done := make(chan bool)
	for range 2 {
		go func() {
			for i := range jobs {
				runs[i].outcome, runs[i].detail = runGorootChild(filepath.Join(testDir, programs[i]))
			}
			done <- true
		}()
	}
	for i := range programs {
		jobs <- i
	}
	close(jobs)
	<-done
	<-done
	for i, p := range programs {
		outcome, detail := runs[i].outcome, runs[i].detail
		suite := strings.SplitN(p, "/", 2)[0]
		if !strings.Contains(p, "/") || strings.HasPrefix(p, "fixedbugs/") {
			suite = "range"
		}
		if counts[suite] == nil {
			counts[suite] = map[string]int{}
		}
		counts[suite][outcome]++
		if outcome != "identical" {
			got[p] = outcome
		}
		if outcome == "different" {
			t.Logf("%s printed something Go does not:\n%s", p, detail)
		}
		want, listed := expected[p]
		switch {
		case outcome == "identical" && listed:
			t.Errorf("%s: now identical to Go's output: remove it from testdata/goroot_expected.txt (listed as %s)", p, want)
		case (ranApart(want) || want == "different") && (ranApart(outcome) || outcome == "different"):
			// Programs with goroutines stop on an interpreter error in one
			// run, end their process or hang in another: listed with the
			// worst outcome seen, each run is counted as it came out.
		case outcome != "identical" && want != outcome:
			t.Errorf("%s: %s, listed as %q\n%s", p, outcome, want, detail)
		}
	}
	var suites []string
	for s := range counts {
		suites = append(suites, s)
	}
	sort.Strings(suites)
	for _, s := range suites {
		c := counts[s]
		t.Logf("GOROOT test/%s: %d programs: %d identical, %d refused before running, %d stopped by an interpreter error, %d ended their process, %d hung, %d different",
			s, c["identical"]+c["refused"]+c["failed"]+c["crashed"]+c["hung"]+c["different"], c["identical"], c["refused"], c["failed"], c["crashed"], c["hung"], c["different"])
	}
	if os.Getenv("GOROOT_UPDATE") == "1" {
		writeExpected(t, "testdata/goroot_expected.txt", got)
	}
}

// ranApart reports whether an outcome is a program that ran and stopped
// short of Go's answer without printing another (an interpreter error,
// the end of its process, a hang).
func ranApart(outcome string) bool {
	return outcome == "failed" || outcome == "crashed" || outcome == "hung"
}

// isSingleFileRun reports whether a test program is a "// run" program
// with no arguments, no build constraint and no companion directory.
func isSingleFileRun(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() || strings.TrimSpace(sc.Text()) != "// run" {
		return false
	}
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "//go:build") || strings.HasPrefix(sc.Text(), "// +build") {
			return false
		}
	}
	dir := strings.TrimSuffix(path, ".go") + ".dir"
	_, err = os.Stat(dir)
	return os.IsNotExist(err)
}

// runGorootChild runs one program in a child process (this test binary,
// TestGorootChild): a panic in a goroutine the interpreter started ends
// its process, as it would end a kernel's, not the test. A child that
// dies or hangs is "different".
func runGorootChild(path string) (outcome, detail string) {
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestGorootChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "NMFKERNEL_GOROOT_PROGRAM="+path)
	cmd.Env = append(cmd.Env, "NMFKERNEL_GOROOT_STDOUT="+stdoutFile(path))
	out, err := cmd.CombinedOutput()
	text := string(out)
	const mark = "\nGOROOT-OUTCOME "
	i := strings.LastIndex(text, mark)
	if i < 0 {
		// The process ended (a panic in a goroutine the interpreter
		// started ends it, as it ends a kernel): crashed if what the
		// cell wrote until then is what Go writes up to there.
		printed, _ := os.ReadFile(stdoutFile(path))
		want, _ := os.ReadFile(strings.TrimSuffix(path, ".go") + ".out")
		os.Remove(stdoutFile(path))
		if strings.HasPrefix(string(want), string(printed)) {
			return "crashed", fmt.Sprintf("the cell's process ended: %v\n%s", err, lastLines(text, 15))
		}
		return "different", fmt.Sprintf("the cell's process ended: %v, having printed\n%s\n%s", err, printed, lastLines(text, 15))
	}
	os.Remove(stdoutFile(path))
	rest := text[i+len(mark):]
	outcome, detail, _ = strings.Cut(rest, "\n")
	return strings.TrimSpace(outcome), strings.TrimSuffix(detail, "\nPASS\n")
}

// stdoutFile is where TestGorootChild copies what the cell prints as it
// prints it, for a process that ends before reporting.
func stdoutFile(program string) string {
	return filepath.Join(os.TempDir(), "nmfkernel-goroot-"+strings.NewReplacer("/", "_", ".", "_").Replace(program)+".out")
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestGorootChild runs the program NMFKERNEL_GOROOT_PROGRAM names as a
// cell and prints its outcome (for TestGoroot).
func TestGorootChild(t *testing.T) {
	path := os.Getenv("NMFKERNEL_GOROOT_PROGRAM")
	if path == "" {
		t.Skip("run by TestGoroot")
	}
	outcome, detail := runGorootProgram(t, path)
	fmt.Printf("\nGOROOT-OUTCOME %s\n%s\n", outcome, detail)
}

// runGorootProgram runs one program as a cell and classifies the result.
func runGorootProgram(t *testing.T, path string) (outcome, detail string) {
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	if b, err := os.ReadFile(strings.TrimSuffix(path, ".go") + ".out"); err == nil {
		want = string(b)
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// ken/divconst and ken/modconst loop for 15 s interpreted on 2 cores.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	var combined strings.Builder
	var res Result
	func() {
		defer func() {
			if r := recover(); r != nil {
				res.Err = &CellError{Name: "panic", Value: fmt.Sprint(r)}
			}
		}()
		var copyTo *os.File
		if name := os.Getenv("NMFKERNEL_GOROOT_STDOUT"); name != "" {
			if f, err := os.Create(name); err == nil {
				copyTo = f
				defer f.Close()
			}
		}
		res = s.Execute(ctx, string(src), ExecOptions{}, func(e Event) {
			if st, ok := e.(Stream); ok {
				combined.WriteString(st.Text)
				if copyTo != nil {
					copyTo.WriteString(st.Text)
				}
			}
		})
	}()
	if res.Err != nil && res.Err.Name == "CompileError" && combined.Len() == 0 {
		return "refused", res.Err.Value
	}
	// os.Exit(0) ends a program as returning from main does; a cell
	// reports it, and that it stopped there.
	exitedZero := res.Err != nil && res.Err.Name == "Exit" && strings.HasPrefix(res.Err.Value, "os.Exit(0) ")
	if (res.Err == nil || exitedZero) && combined.String() == want {
		return "identical", ""
	}
	if res.Err != nil && res.Err.Name == "InterpreterError" && strings.HasPrefix(want, combined.String()) {
		// Stopped with an error that says the interpreter failed, having
		// printed only what Go prints up to there.
		return "failed", res.Err.Value
	}
	if res.Err != nil && res.Err.Name == "Interrupt" && errors.Is(ctx.Err(), context.DeadlineExceeded) && strings.HasPrefix(want, combined.String()) {
		// Still running at the deadline (Go's own run takes well under
		// a second), having printed only what Go prints up to there.
		return "hung", res.Err.Value
	}
	msg := ""
	if res.Err != nil {
		msg = res.Err.Name + ": " + res.Err.Value
	}
	return "different", fmt.Sprintf("cell output:\n%s\nwant:\n%s\n%s", combined.String(), want, msg)
}

// readExpected reads "path outcome" lines (# comments).
func readExpected(t *testing.T, file string) map[string]string {
	b, err := os.ReadFile(file)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 2 {
			m[f[0]] = f[1]
		}
	}
	return m
}

func writeExpected(t *testing.T, file string, got map[string]string) {
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("# Programs of $(go env GOROOT)/test that a cell does not run as go run does, and\n")
	b.WriteString("# how: refused (a compile or \"not supported\" error before anything ran), failed\n")
	b.WriteString("# (an InterpreterError), crashed (the process ended), hung (still running at the\n")
	b.WriteString("# deadline) — each having printed only what Go prints up to there — or different\n")
	b.WriteString("# (it printed something Go does not). TestGoroot fails when a program's outcome\n")
	b.WriteString("# changes; GOROOT_UPDATE=1 rewrites this file.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s\n", k, got[k])
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
