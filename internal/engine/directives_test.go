package engine

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPlanCell(t *testing.T) {
	for _, tc := range []struct {
		name, code string
		directives []string // name:arg of each directive line, in order
		goParts    int
	}{
		{"plain Go", "x := 1\nfmt.Println(x)", nil, 1},
		{"a shell line and Go", "!ls -l\nx := 1", []string{"!:ls -l"}, 1},
		{"Go between directives", "%env A=1\nx := 1\n!echo $A\ny := 2", []string{"env:A=1", "!:echo $A"}, 2},
		{"an operator continues the line", "ok := true &&\n!false", nil, 1},
		{"a comma continues the line", "xs := []bool{\ntrue,\n!true}", nil, 1},
		{"increment ends the line", "i++\n!echo hi", []string{"!:echo hi"}, 1},
		{"in a raw string", "s := `\n!not a command\n%neither`", nil, 1},
		{"in a block comment", "/*\n!no\n*/\nx := 1", nil, 1},
		{"indented is Go", "if x {\n  !y\n}", nil, 1},
		{"after a line comment", "x := 1 // &&\n!echo", []string{"!:echo"}, 1},
		{"only directives", "%cd /tmp\n%env", []string{"cd:/tmp", "env:"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planCell(tc.code)
			var got []string
			goParts := 0
			for _, part := range p.parts {
				if part.directive != nil {
					got = append(got, part.directive.name+":"+part.directive.arg)
				} else {
					goParts++
					if strings.Count(part.code, "\n") != strings.Count(tc.code, "\n") {
						t.Errorf("a Go part does not keep the cell's lines: %q", part.code)
					}
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.directives, "|") || goParts != tc.goParts {
				t.Errorf("directives %q, %d Go parts; want %q, %d", got, goParts, tc.directives, tc.goParts)
			}
		})
	}
	if p := planCell("\n%%bash\necho hi\n"); p.cell == nil || p.cell.name != "bash" || p.cell.rest != "echo hi\n" || p.cell.restLine != 3 {
		t.Errorf("cell directive %+v", p.cell)
	}
}

// runOut runs a cell and returns its stdout, stderr and error name.
func runOut(t *testing.T, s *Session, code string) (stdout, stderr string, res Result) {
	t.Helper()
	var r recorder
	res = s.Execute(context.Background(), code, ExecOptions{}, r.sink)
	var o, e strings.Builder
	for _, ev := range r.events {
		if st, ok := ev.(Stream); ok {
			if st.Name == "stdout" {
				o.WriteString(st.Text)
			} else {
				e.WriteString(st.Text)
			}
		}
	}
	return o.String(), e.String(), res
}

func TestDirectives(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	os.Chdir(dir)
	os.WriteFile(filepath.Join(dir, "data.txt"), []byte("from a file\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	s := newSession(t)
	for _, tc := range []struct {
		name, code     string
		stdout, stderr string // regexps
		err            string // the cell error's name, or ""
		says           string // in its value
	}{
		{"shell output streams, then Go", "!echo hello; echo oops >&2\nx := 3\nx * 2", `^hello\n$`, `^oops\n$`, "", ""},
		{"the shell runs in the notebook's folder", "!cat data.txt", `^from a file\n$`, ``, "", ""},
		{"%%bash", "%%bash\nfor i in 1 2; do echo line $i; done", `^line 1\nline 2\n$`, ``, "", ""},
		{"%%sh", "%%sh\necho \"$0\" | grep -c sh", `^1\n$`, ``, "", ""},
		{"a non-zero exit fails the cell", "!exit 3\nfmt.Println(\"not reached\")", `^$`, ``, "ShellError", "exited with status 3"},
		{"a command that is not there", "!no-such-command-here", `^$`, `not found`, "ShellError", "127: command not found"},
		{"%env sets for cells and the shell", "%env NMF_DIRECTIVE=yes\nimport \"os\"\nfmt.Println(os.Getenv(\"NMF_DIRECTIVE\"))\n!echo shell:$NMF_DIRECTIVE", `^env: NMF_DIRECTIVE=yes\nyes\nshell:yes\n$`, ``, "", ""},
		{"%env NAME shows it", "%env NMF_DIRECTIVE", `^yes\n$`, ``, "", ""},
		{"%env lists", "%env", `(?m)^NMF_DIRECTIVE=yes$`, ``, "", ""},
		{"%env with a bad name", "%env =x", `^$`, ``, "DirectiveError", "not a variable name"},
		{"%cd", "%cd sub\n!pwd\nb, _ := os.ReadFile(\"../data.txt\")\nfmt.Print(string(b))", `sub\n.*sub\nfrom a file\n$`, ``, "", ""},
		{"%cd to a missing folder leaves the folder", "%cd nowhere", `^$`, ``, "DirectiveError", "no such folder; the working folder is still " + regexp.QuoteMeta(filepath.Join(dir, "sub"))},
		{"%cd back", "%cd ..", `^` + regexp.QuoteMeta(dir) + `\n$`, ``, "", ""},
		{"%time a statement", "%time y := 40 + 2\nfmt.Println(y)", `^CPU times: user [0-9.]+ [nµm]?s, sys [0-9.]+ [nµm]?s, total [0-9.]+ [nµm]?s\nWall time: [0-9.]+ [nµm]?s\n42\n$`, ``, "", ""},
		{"%%time a cell", "%%time\nz := 7\nfmt.Println(z * 6)", `^42\nCPU times: .*\nWall time: .*\n$`, ``, "", ""},
		{"%%time keeps error lines", "%%time\nq := 1\nundefinedThing()", ``, ``, "CompileError", "undefined: undefinedThing"},
		{"%help", "%help", `(?s)^Directives.*%test \[flags\].*%help`, ``, "", ""},
		{"an unknown directive", "%bogus 1\nfmt.Println(\"not reached\")", `^$`, ``, "DirectiveError", "unknown directive %bogus"},
		{"an unknown cell directive", "%%python\nprint(1)", `^$`, ``, "DirectiveError", "unknown cell directive %%python"},
		{"Go that looks like a directive", "ok := true &&\n!false\nfmt.Println(ok)", `^true\n$`, ``, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "%env sets for cells and the shell" {
				t.Cleanup(func() { os.Unsetenv("NMF_DIRECTIVE") })
			}
			if strings.HasPrefix(tc.code, "%%time") || strings.Contains(tc.code, "fmt.") {
				runOut(t, s, `import ("fmt"; "os")`)
			}
			out, errOut, res := runOut(t, s, tc.code)
			if !regexp.MustCompile(tc.stdout).MatchString(out) {
				t.Errorf("stdout %q, want /%s/", out, tc.stdout)
			}
			if !regexp.MustCompile(tc.stderr).MatchString(errOut) {
				t.Errorf("stderr %q, want /%s/", errOut, tc.stderr)
			}
			switch {
			case tc.err == "" && res.Err != nil:
				t.Errorf("error %s: %s", res.Err.Name, res.Err.Value)
			case tc.err != "" && (res.Err == nil || res.Err.Name != tc.err || !regexp.MustCompile(tc.says).MatchString(res.Err.Value)):
				t.Errorf("error %v, want %s saying /%s/", res.Err, tc.err, tc.says)
			}
		})
	}
	// The value of the cell's last expression still shows after a directive.
	var r recorder
	if res := s.Execute(context.Background(), "!true\n6 * 7", ExecOptions{}, r.sink); res.Err != nil || !strings.Contains(eventsText(r.events), "42") {
		t.Errorf("last expression after a directive: %v %s", res.Err, eventsText(r.events))
	}
}

func eventsText(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		if r, ok := e.(ExecuteResult); ok {
			b.WriteString(r.Bundle["text/plain"].(string))
		}
	}
	return b.String()
}

func TestShellInterrupt(t *testing.T) {
	s := newSession(t)
	runOut(t, s, "kept := 5")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res := s.Execute(ctx, "!echo started; sleep 30; echo never", ExecOptions{}, func(Event) {})
	if res.Err == nil || res.Err.Name != "Interrupt" {
		t.Fatalf("got %v, want an Interrupt", res.Err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the interrupt took %v", d)
	}
	if out, _, res := runOut(t, s, "kept"); res.Err != nil || out != "" {
		t.Errorf("the session after an interrupted command: %v", res.Err)
	}
}

const testCell = `import ("fmt"; "strings"; "testing")

func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

func TestReverse(t *testing.T) {
	if got := Reverse("abc"); got != "cba" {
		t.Errorf("Reverse(abc) = %q", got)
	}
}

func TestWrong(t *testing.T) {
	t.Errorf("want %d, got %d", 1, 2)
}

func TestPanics(t *testing.T) {
	var m map[string]int
	m["x"] = 1
}

func TestSkipped(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
}

func BenchmarkReverse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Reverse("hello, world")
	}
}

func FuzzReverse(f *testing.F) {
	f.Add("hello")
	f.Add("ab")
	f.Fuzz(func(t *testing.T, s string) {
		if Reverse(Reverse(s)) != s {
			t.Errorf("not an involution for %q", s)
		}
	})
}

func ExampleReverse() {
	fmt.Println(Reverse("olleh"))
	// Output: hello
}

func ExampleWrong() {
	fmt.Println(strings.ToUpper("x"))
	// Output: x
}`

func TestTestDirective(t *testing.T) {
	s := newSession(t)
	if _, _, res := runOut(t, s, testCell); res.Err != nil {
		t.Fatal(res.Err)
	}
	for _, tc := range []struct {
		name, code string
		want       []string // regexps the output must match, in order
		not        []string
		err        string
	}{
		{"passing tests, verbose", "%test -v -run 'Reverse$'",
			[]string{`=== RUN   TestReverse\n--- PASS: TestReverse \(\d+\.\d+s\)`, `=== RUN   FuzzReverse\n=== RUN   FuzzReverse/seed#0`, `=== RUN   ExampleReverse\n--- PASS: ExampleReverse`, `(?m)^PASS$`, `ok  \tnotebook\t\d+\.\d+s`},
			[]string{"TestWrong"}, ""},
		{"a failure names the cell's line", "%test -run Wrong",
			[]string{`--- FAIL: TestWrong \(\d+\.\d+s\)\n    cell \[1\]:18: want 1, got 2`, `--- FAIL: ExampleWrong \(\d+\.\d+s\)\ngot:\nX\nwant:\nx`, `(?m)^FAIL$`, `FAIL\tnotebook`},
			nil, "TestFailure"},
		{"a panicking test fails, the kernel stays", "%test -run Panics",
			[]string{`--- FAIL: TestPanics`, `panic: assignment to entry in nil map \[recovered\]`, `cell \[1\], line 23`},
			nil, "TestFailure"},
		{"-short", "%test -short -v -run Skipped", []string{`--- SKIP: TestSkipped`, `cell \[1\]:28: short mode`}, nil, ""},
		{"benchmarks with -benchmem", "%test -run ^$ -bench Reverse -benchmem -benchtime 200x",
			[]string{`BenchmarkReverse-\d+\s+200\s+\d+(\.\d+)? ns/op\s+\d+ B/op\s+\d+ allocs/op`, `(?m)^PASS$`}, nil, ""},
		{"-count", "%test -v -run TestReverse -count 3", []string{`(?s)(--- PASS: TestReverse.*){3}`}, nil, ""},
		{"an unknown flag", "%test -cover", []string{`^$`}, nil, "DirectiveError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, res := runOut(t, s, tc.code)
			all := out + errOut
			for _, w := range tc.want {
				if !regexp.MustCompile(w).MatchString(all) {
					t.Errorf("output lacks /%s/:\n%s", w, all)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(all, n) {
					t.Errorf("output has %q:\n%s", n, all)
				}
			}
			if (tc.err == "") != (res.Err == nil) || (res.Err != nil && res.Err.Name != tc.err) {
				t.Errorf("error %v, want %q", res.Err, tc.err)
			}
		})
	}
	// A test that never ends stops on an interrupt; the session goes on.
	runOut(t, s, "func TestForever(t *testing.T) { for { } }")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	res := s.Execute(ctx, "%test -run Forever", ExecOptions{}, func(Event) {})
	if res.Err == nil || res.Err.Name != "Interrupt" {
		t.Errorf("interrupting a test that never ends: %v", res.Err)
	}
	if out, _, res := runOut(t, s, `fmt.Println(Reverse("ok"))`); res.Err != nil || out != "ko\n" {
		t.Errorf("the session after the interrupt: %q %v", out, res.Err)
	}
}
