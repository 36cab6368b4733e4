package engine

// %test runs the notebook's Test, Benchmark, Example and Fuzz functions
// with the testing package itself (testing.MainStart, as the test main
// that go test generates does), so the semantics and the report are go
// test's: -run, -skip, -bench, -benchmem, -benchtime, -count, -v, -short,
// -failfast, -cpu, -parallel, -shuffle. Fuzz targets run their seed corpus
// (f.Add); fuzzing itself (-fuzz) needs go test. A test that panics fails
// with the panic's value instead of ending the kernel (go test's binary
// would exit); an interrupt stops the running test and skips the rest.

import (
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// testFlags are the go test flags %test takes (without "test."), and
// whether each is boolean.
var testFlags = map[string]bool{
	"run": false, "skip": false, "bench": false, "benchmem": true, "benchtime": false, "count": false,
	"v": true, "short": true, "failfast": true, "cpu": false, "parallel": false, "shuffle": false,
}

// parseTestFlags reads %test's arguments into test.* flag values.
func parseTestFlags(arg string) (map[string]string, error) {
	words, err := splitWords(arg)
	if err != nil {
		return nil, err
	}
	set := map[string]string{}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			return nil, fmt.Errorf("%%test takes flags only (a package or file has no meaning in a notebook): %q", w)
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(w, "-"), "=")
		name = strings.TrimPrefix(name, "test.")
		isBool, ok := testFlags[name]
		if !ok {
			known := make([]string, 0, len(testFlags))
			for k := range testFlags {
				known = append(known, "-"+k)
			}
			slices.Sort(known)
			return nil, fmt.Errorf("%%test: unknown flag -%s (known: %s)", name, strings.Join(known, " "))
		}
		if !hasValue {
			if isBool {
				value = "true"
			} else if i+1 < len(words) {
				i++
				value = words[i]
			} else {
				return nil, fmt.Errorf("%%test: -%s needs a value", name)
			}
		}
		set[name] = value
	}
	return set, nil
}

// splitWords splits a line as a shell would, with '…' and "…" quotes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case unicode.IsSpace(r):
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("%%test: unclosed %c quote", quote)
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// isTestName reports whether name is prefix followed by nothing or by a
// character that is not a lower-case letter, as go test decides.
func isTestName(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

// testFuncs are the notebook's functions %test runs, by kind.
type testFuncs struct {
	tests, benchmarks, fuzz []string
	examples                []*doc.Example
}

// collectTests finds the session's test functions, with go test's
// signatures, in declaration order.
func (s *Session) collectTests() (testFuncs, error) {
	var tf testFuncs
	if s.checked.pkg == nil {
		return tf, nil
	}
	scope := s.checked.pkg.Scope()
	one := func(fn *types.Func, param string) bool {
		sig := fn.Type().(*types.Signature)
		if sig.Params().Len() != 1 || sig.Results().Len() != 0 || sig.TypeParams().Len() != 0 {
			return false
		}
		return types.TypeString(sig.Params().At(0).Type(), nil) == param
	}
	for _, d := range s.decls {
		if len(d.names) != 1 {
			continue
		}
		fn, ok := scope.Lookup(d.names[0]).(*types.Func)
		if !ok {
			continue
		}
		name := fn.Name()
		switch {
		case isTestName(name, "Test") && name != "TestMain" && one(fn, "*testing.T"):
			tf.tests = append(tf.tests, name)
		case isTestName(name, "Benchmark") && one(fn, "*testing.B"):
			tf.benchmarks = append(tf.benchmarks, name)
		case isTestName(name, "Fuzz") && one(fn, "*testing.F"):
			tf.fuzz = append(tf.fuzz, name)
		case isTestName(name, "Example") && fn.Type().(*types.Signature).Params().Len() == 0:
			// The example's output comment, read as go test reads it.
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "cell.go", "package p\n"+d.text, parser.ParseComments)
			if err != nil {
				continue
			}
			for _, ex := range doc.Examples(f) {
				if "Example"+ex.Name == name && (ex.Output != "" || ex.EmptyOutput) {
					ex.Name = name
					tf.examples = append(tf.examples, ex)
				}
			}
		}
	}
	return tf, nil
}

// runTests is %test: it runs the notebook's tests as a cell that hands
// them to goTest.
func (s *Session) runTests(ctx context.Context, seq, count int, code string, d *directive) error {
	set, err := parseTestFlags(d.arg)
	if err != nil {
		return &directiveError{"DirectiveError", d.line, err.Error()}
	}
	tf, err := s.collectTests()
	if err != nil {
		return err
	}
	// The functions are handed over one call each: yaegi converts an
	// interpreted function to a compiled func type at a call's argument,
	// not inside a composite literal of a compiled struct.
	var b strings.Builder
	for _, n := range tf.tests {
		fmt.Fprintf(&b, "__nmfkernel.AddTest(%q, %s)\n", n, n)
	}
	for _, n := range tf.benchmarks {
		fmt.Fprintf(&b, "__nmfkernel.AddBenchmark(%q, %s)\n", n, n)
	}
	for _, n := range tf.fuzz {
		fmt.Fprintf(&b, "__nmfkernel.AddFuzz(%q, %s)\n", n, n)
	}
	for _, e := range tf.examples {
		fmt.Fprintf(&b, "__nmfkernel.AddExample(%q, %s, %q, %v)\n", e.Name, e.Name, e.Output, e.Unordered)
	}
	b.WriteString("__nmfkernel.RunTests(map[string]string{")
	for k, v := range set {
		fmt.Fprintf(&b, "%q: %q, ", k, v)
	}
	b.WriteString("})")
	call := b.String()
	s.tests = testSet{}
	s.testFailed = false
	s.flushOutput()
	if _, err := s.eval(ctx, call); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.testFailed {
		return &directiveError{"TestFailure", d.line, "tests failed (the report is above)"}
	}
	return nil
}

// testMu serializes %test runs: the testing package's flags and the
// process's os.Stdout are global.
var testMu sync.Mutex

// testSet collects the functions of a %test run.
type testSet struct {
	tests      []testing.InternalTest
	benchmarks []testing.InternalBenchmark
	fuzz       []testing.InternalFuzzTarget
	examples   []testing.InternalExample
}

// testBuiltins are the calls a %test run makes to hand its functions over.
func (s *Session) testBuiltins() map[string]reflect.Value {
	return map[string]reflect.Value{
		"AddTest": reflect.ValueOf(func(name string, f func(*testing.T)) {
			s.tests.tests = append(s.tests.tests, testing.InternalTest{Name: name, F: f})
		}),
		"AddBenchmark": reflect.ValueOf(func(name string, f func(*testing.B)) {
			s.tests.benchmarks = append(s.tests.benchmarks, testing.InternalBenchmark{Name: name, F: f})
		}),
		"AddFuzz": reflect.ValueOf(func(name string, f func(*testing.F)) {
			s.tests.fuzz = append(s.tests.fuzz, testing.InternalFuzzTarget{Name: name, Fn: f})
		}),
		"AddExample": reflect.ValueOf(func(name string, f func(), output string, unordered bool) {
			s.tests.examples = append(s.tests.examples, testing.InternalExample{Name: name, F: f, Output: output, Unordered: unordered})
		}),
		"TBAt": reflect.ValueOf(func(tb testing.TB, at string) tbAt { return tbAt{tb, at} }),
		"RunTests": reflect.ValueOf(func(set map[string]string) {
			t := s.tests
			s.tests = testSet{}
			s.goTest(set, t.tests, t.benchmarks, t.fuzz, t.examples)
		}),
	}
}

// goTest runs tests with testing.MainStart under the cell's context and
// reports what go test prints to the cell's streams.
func (s *Session) goTest(set map[string]string, tests []testing.InternalTest, benchmarks []testing.InternalBenchmark, fuzz []testing.InternalFuzzTarget, examples []testing.InternalExample) {
	testMu.Lock()
	defer testMu.Unlock()
	ctx := s.runContext()
	testing.Init()
	if !flag.Parsed() {
		flag.CommandLine.Parse(nil)
	}
	// Every test.* flag starts from its default (a test binary running
	// this keeps its own values, put back at the end).
	saved := map[string]string{}
	flag.CommandLine.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "test.") {
			saved[f.Name] = f.Value.String()
			f.Value.Set(f.DefValue)
		}
	})
	defer func() {
		for name, v := range saved {
			flag.CommandLine.Set(name, v)
		}
	}()
	flag.CommandLine.Set("test.timeout", "0") // interrupts stop tests; no alarm ends the kernel
	flag.CommandLine.Set("test.paniconexit0", "false")
	for k, v := range set {
		if err := flag.CommandLine.Set("test."+k, v); err != nil {
			fmt.Fprintf(s.stderr, "%%test: -%s %s: %v\n", k, v, err)
			s.testFailed = true
			return
		}
	}
	// What the testing package prints goes to the process's stdout and
	// stderr: for now those are pipes into the cell's streams, and cells'
	// own output goes there too (so an example's output is what it
	// checks).
	restore, err := s.processStreamsToCell()
	if err != nil {
		fmt.Fprintf(s.stderr, "%%test: %v\n", err)
		s.testFailed = true
		return
	}
	start := time.Now()
	m := testing.MainStart(testDeps{}, s.wrapTests(ctx, tests), s.wrapBenchmarks(ctx, benchmarks), s.wrapFuzz(ctx, fuzz), examples)
	code := m.Run()
	elapsed := time.Since(start)
	restore()
	if code != 0 || ctx.Err() != nil {
		s.testFailed = true
		fmt.Fprintf(s.stdout, "FAIL\tnotebook\t%.3fs\n", elapsed.Seconds())
	} else {
		fmt.Fprintf(s.stdout, "ok  \tnotebook\t%.3fs\n", elapsed.Seconds())
	}
}

// processStreamsToCell points os.Stdout and os.Stderr at pipes whose
// reads go to the cell's streams, and the cell's writes at os.Stdout and
// os.Stderr; restore undoes both, once everything written has arrived.
func (s *Session) processStreamsToCell() (restore func(), err error) {
	oldOut, oldErr := os.Stdout, os.Stderr
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	var wg sync.WaitGroup
	copyTo := func(r *os.File, w *streamWriter) {
		defer wg.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				w.writeStream(buf[:n])
			}
			if err != nil {
				r.Close()
				return
			}
		}
	}
	wg.Add(2)
	go copyTo(outR, s.stdout)
	go copyTo(errR, s.stderr)
	os.Stdout, os.Stderr = outW, errW
	s.stdout.toProcess.Store(true)
	s.stderr.toProcess.Store(true)
	return func() {
		s.stdout.toProcess.Store(false)
		s.stderr.toProcess.Store(false)
		os.Stdout, os.Stderr = oldOut, oldErr
		outW.Close()
		errW.Close()
		wg.Wait()
		s.flushOutput()
	}, nil
}

// guard runs a test function: skipped once the cell is interrupted,
// failed (not ending the kernel) when it panics, and failed when an
// interrupt stopped it midway.
func (s *Session) guard(ctx context.Context, tb testing.TB, f func()) {
	if ctx.Err() != nil {
		tb.SkipNow()
	}
	defer func() {
		if r := recover(); r != nil {
			var line, col int
			trace := s.panicTrace(-1, s.stderr.takePanicFrames(), &line, &col)
			fmt.Fprintf(tb.Output(), "panic: %v [recovered]\n", goPanicMessage(recovered(r)))
			for _, t := range trace {
				fmt.Fprintf(tb.Output(), "%s\n", t)
			}
			tb.Fail()
		}
		if ctx.Err() != nil {
			fmt.Fprintln(tb.Output(), "interrupted")
			tb.Fail()
		}
	}()
	f()
}

// guarded is f run by guard.
func guarded[T testing.TB](s *Session, ctx context.Context, f func(T)) func(T) {
	return func(tb T) { s.guard(ctx, tb, func() { f(tb) }) }
}

func (s *Session) wrapTests(ctx context.Context, in []testing.InternalTest) []testing.InternalTest {
	out := make([]testing.InternalTest, len(in))
	for i, t := range in {
		out[i] = testing.InternalTest{Name: t.Name, F: guarded(s, ctx, t.F)}
	}
	return out
}

func (s *Session) wrapBenchmarks(ctx context.Context, in []testing.InternalBenchmark) []testing.InternalBenchmark {
	out := make([]testing.InternalBenchmark, len(in))
	for i, b := range in {
		out[i] = testing.InternalBenchmark{Name: b.Name, F: guarded(s, ctx, b.F)}
	}
	return out
}

func (s *Session) wrapFuzz(ctx context.Context, in []testing.InternalFuzzTarget) []testing.InternalFuzzTarget {
	out := make([]testing.InternalFuzzTarget, len(in))
	for i, f := range in {
		out[i] = testing.InternalFuzzTarget{Name: f.Name, Fn: guarded(s, ctx, f.Fn)}
	}
	return out
}

// testDeps is what testing.MainStart asks of the go command's test main
// (testing/internal/testdeps), for a notebook: matching with regexp,
// seeds from f.Add only, and no profiles, coverage or fuzzing engine.
type testDeps struct{}

var matchCache sync.Map // pattern → *regexp.Regexp

func (testDeps) MatchString(pat, str string) (bool, error) {
	if re, ok := matchCache.Load(pat); ok {
		return re.(*regexp.Regexp).MatchString(str), nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return false, err
	}
	matchCache.Store(pat, re)
	return re.MatchString(str), nil
}

func (testDeps) ImportPath() string                                       { return "notebook" }
func (testDeps) ModulePath() string                                       { return "" }
func (testDeps) SetPanicOnExit0(bool)                                     {}
func (testDeps) StartCPUProfile(io.Writer) error                          { return errNoProfiles }
func (testDeps) StopCPUProfile()                                          {}
func (testDeps) StartTestLog(io.Writer)                                   {}
func (testDeps) StopTestLog() error                                       { return nil }
func (testDeps) WriteProfileTo(string, io.Writer, int) error              { return errNoProfiles }
func (testDeps) ResetCoverage()                                           {}
func (testDeps) SnapshotCoverage()                                        {}
func (testDeps) RunFuzzWorker(func(corpusEntry) error) error              { return errNoFuzzing }
func (testDeps) ReadCorpus(string, []reflect.Type) ([]corpusEntry, error) { return nil, nil }

func (testDeps) CoordinateFuzzing(time.Duration, int64, time.Duration, int64, int, []corpusEntry, []reflect.Type, string, string) error {
	return errNoFuzzing
}

func (testDeps) CheckCorpus(vals []any, types []reflect.Type) error {
	if len(vals) != len(types) {
		return fmt.Errorf("wrong number of values in call to (*testing.F).Add: %d, fuzz target takes %d", len(vals), len(types))
	}
	for i, v := range vals {
		if reflect.TypeOf(v) != types[i] {
			return fmt.Errorf("mismatched types in call to (*testing.F).Add: %v, fuzz target takes %v", reflect.TypeOf(v), types[i])
		}
	}
	return nil
}

func (testDeps) InitRuntimeCoverage() (string, func(string, string) (string, error), func() float64) {
	return "", nil, nil
}

// corpusEntry is the testing package's (an alias of this struct there).
type corpusEntry = struct {
	Parent     string
	Path       string
	Data       []byte
	Values     []any
	Generation int
	IsSeed     bool
}

var (
	errNoProfiles = fmt.Errorf("profiles are not written from a notebook's %%test")
	errNoFuzzing  = fmt.Errorf("fuzzing (-fuzz) is not run from a notebook; %%test runs each fuzz target's seed corpus")
)

// testLogMethods are the testing.TB methods that report a source
// location, which lowerTestLog gives the cell's.
var testLogMethods = map[string]bool{
	"Error": true, "Errorf": true, "Fatal": true, "Fatalf": true,
	"Log": true, "Logf": true, "Skip": true, "Skipf": true,
}

// tbAt is a testing.TB whose reports carry a cell position instead of
// the interpreter's (see lowerTestLog); the testing package's own
// location would be a file of yaegi's.
type tbAt struct {
	tb testing.TB
	at string
}

func (w tbAt) report(msg string) {
	msg = strings.TrimSuffix(msg, "\n")
	fmt.Fprintf(w.tb.Output(), "%s: %s\n", w.at, strings.ReplaceAll(msg, "\n", "\n    "))
}

func (w tbAt) Log(args ...any)                 { w.report(fmt.Sprintln(args...)) }
func (w tbAt) Logf(format string, args ...any) { w.report(fmt.Sprintf(format, args...)) }
func (w tbAt) Error(args ...any)               { w.report(fmt.Sprintln(args...)); w.tb.Fail() }
func (w tbAt) Errorf(format string, args ...any) {
	w.report(fmt.Sprintf(format, args...))
	w.tb.Fail()
}
func (w tbAt) Fatal(args ...any) { w.report(fmt.Sprintln(args...)); w.tb.FailNow() }
func (w tbAt) Fatalf(format string, args ...any) {
	w.report(fmt.Sprintf(format, args...))
	w.tb.FailNow()
}
func (w tbAt) Skip(args ...any) { w.report(fmt.Sprintln(args...)); w.tb.SkipNow() }
func (w tbAt) Skipf(format string, args ...any) {
	w.report(fmt.Sprintf(format, args...))
	w.tb.SkipNow()
}

// lowerTestLog rewrites t.Errorf(…) and the other reporting methods of
// the testing package into __nmfkernel.TBAt(t, "cell [3]:5").Errorf(…),
// so that go test's report names the cell and line.
func (l *lowering) lowerTestLog(call *ast.CallExpr, fn *types.Func) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != "testing" || !testLogMethods[fn.Name()] {
		return
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() == nil {
		return
	}
	seq, line := decodePos(l.s.fset.Position(sel.Sel.Pos()).Line)
	label := fmt.Sprintf("%s:%d", l.s.cellLabel(seq), line)
	text := l.render(l.off(sel.X.Pos()), l.off(sel.X.End()))
	l.replace(sel.X.Pos(), sel.X.End(), fmt.Sprintf("__nmfkernel.TBAt(%s, %q)", text, label))
}
