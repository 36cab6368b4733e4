package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"nmfkernel/lib/display"
)

func newSession(t testing.TB) *Session {
	t.Helper()
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recorder collects events with the time they arrived.
type recorder struct {
	mu     sync.Mutex
	events []Event
	times  []time.Time
}

func (r *recorder) sink(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.times = append(r.times, time.Now())
}

func (r *recorder) stdout() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		if s, ok := e.(Stream); ok && s.Name == "stdout" {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func mustRun(t testing.TB, s *Session, code string) *recorder {
	t.Helper()
	var r recorder
	if res := s.Execute(context.Background(), code, ExecOptions{}, r.sink); res.Err != nil {
		t.Fatalf("cell %q: %v\n%s", code, res.Err, strings.Join(res.Err.Traceback, "\n"))
	}
	return &r
}

func TestStreamingWhileRunning(t *testing.T) {
	s := newSession(t)
	start := time.Now()
	r := mustRun(t, s, `import ("fmt"; "time")
for i := 0; i < 3; i++ {
	fmt.Println("tick", i)
	time.Sleep(150 * time.Millisecond)
}`)
	if got := r.stdout(); got != "tick 0\ntick 1\ntick 2\n" {
		t.Fatalf("stdout %q", got)
	}
	// The first line arrives long before the cell ends.
	if first := r.times[0].Sub(start); first > 120*time.Millisecond {
		t.Errorf("first line arrived after %v: output is not streamed", first)
	}
	if len(r.events) != 3 {
		t.Errorf("%d stream messages for 3 lines printed 150 ms apart, want 3", len(r.events))
	}
}

func TestInterrupt(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import ("fmt"; "time"; "nmfkernel/lib/nmf"; "math/rand")
kept := 42`)
	for _, tc := range []struct{ name, code string }{
		{"busy loop", "n := 0\nfor { n++ }"},
		{"channel wait", "ch := make(chan int)\n<-ch"},
		{"select wait", "ch, out := make(chan int), make(chan int)\nselect {\ncase <-ch:\ncase out <- 1:\n}\nfmt.Println(\"not reached\")"},
		{"sleep", "time.Sleep(time.Hour)"},
		{"nmf fit", `data := make([]float64, 300*200)
for i := range data { data[i] = rand.Float64() }
V, _ := nmf.NewMatrix(nil, make([]string, 200), data)
nmf.Fit(V, nmf.Options{Components: 10, Tol: -1, MaxIter: 1000000})`},
		{"printing loop", "for i := 0; ; i++ {\n\tfmt.Println(\"spam\", i)\n\ttime.Sleep(5 * time.Millisecond)\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "nmf fit" {
				tc.code = strings.Replace(tc.code, "make([]string, 200)", `func() []string { l := make([]string, 200); for i := range l { l[i] = fmt.Sprint("c", i) }; return l }()`, 1)
			}
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			start := time.Now()
			res := s.Execute(ctx, tc.code, ExecOptions{}, func(Event) {})
			if res.Err == nil || res.Err.Name != "Interrupt" || !errors.Is(res.Err, context.Canceled) {
				t.Fatalf("got %v, want an Interrupt", res.Err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("interrupt took %v", d)
			}
			// The session is usable, with its state, and nothing of the
			// interrupted cell leaks into the next one.
			r := mustRun(t, s, `time.Sleep(50 * time.Millisecond)
fmt.Println("next", kept)`)
			if got := r.stdout(); got != "next 42\n" {
				t.Errorf("next cell printed %q", got)
			}
		})
	}
}

func TestGoroutineOutput(t *testing.T) {
	s := newSession(t)
	// The goroutines end within the cell's one statement: yaegi's next
	// evaluation resizes its global frame without synchronization, which
	// the race detector flags when goroutines of an earlier one still run.
	r := mustRun(t, s, `import ("fmt"; "sync")
func fanOut() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); fmt.Println("from goroutine") }()
	}
	wg.Wait()
}
fanOut()`)
	if got := r.stdout(); got != strings.Repeat("from goroutine\n", 3) {
		t.Errorf("stdout %q", got)
	}
}

func TestStdin(t *testing.T) {
	s := newSession(t)
	var prompts int
	input := func(prompt string, password bool) (string, error) {
		prompts++
		return []string{"Ada", "42"}[prompts-1], nil
	}
	var r recorder
	res := s.Execute(context.Background(), `import ("bufio"; "fmt"; "os"; "strings")
name, _ := bufio.NewReader(os.Stdin).ReadString('\n')
var age int
fmt.Scanln(&age)
fmt.Println("hello", strings.TrimSpace(name), age)`, ExecOptions{Input: input}, r.sink)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := r.stdout(); got != "hello Ada 42\n" || prompts != 2 {
		t.Errorf("stdout %q after %d input requests", got, prompts)
	}
	res = s.Execute(context.Background(), `_, err := bufio.NewReader(os.Stdin).ReadString('\n')
err`, ExecOptions{}, r.sink)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	last := r.events[len(r.events)-1].(ExecuteResult)
	if !strings.Contains(last.Bundle[display.MIMEText].(string), "standard input is not available") {
		t.Errorf("reading stdin without input: %v", last.Bundle)
	}
}

func TestRichDisplay(t *testing.T) {
	s := newSession(t)
	r := mustRun(t, s, `import ("nmfkernel/lib/display"; "gonum.org/v1/plot"; "gonum.org/v1/plot/plotter")
display.HTML("<b>bold</b>")
display.Markdown("# title")
h := display.NewHandle()
h.Text("50%")
h.Text("100%")
p := plot.New()
pts := plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 3}}
line, _ := plotter.NewLine(pts)
p.Add(line)
display.Plot(p)
p`)
	var got []string
	for _, e := range r.events {
		switch e := e.(type) {
		case Display:
			kind := "display"
			if e.Update {
				kind = "update"
			}
			for _, m := range []string{display.MIMEHTML, display.MIMEMarkdown, display.MIMEPNG} {
				if e.Bundle[m] != nil {
					kind += " " + m
				}
			}
			if e.DisplayID != "" {
				kind += " id"
			}
			got = append(got, kind)
		case ExecuteResult:
			if _, ok := e.Bundle[display.MIMEPNG].([]byte); ok {
				got = append(got, "result image/png")
			}
		}
	}
	want := []string{"display text/html", "display text/markdown", "display id", "update id", "display image/png", "result image/png"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("events:\n%v\nwant\n%v", got, want)
	}
	r = mustRun(t, s, `import "nmfkernel/lib/nmf"
V, err := nmf.NewMatrix([]string{"apples", "pears"}, []string{"Ann", "Bob"}, []float64{1, 2, 3, 4})
V`)
	res := r.events[len(r.events)-1].(ExecuteResult)
	if h, _ := res.Bundle[display.MIMEHTML].(string); !strings.Contains(h, "<th>apples</th>") {
		t.Errorf("matrix HTML %q", h)
	}
}

func TestNMFProgress(t *testing.T) {
	defer func(a, e time.Duration) { progressAfter, progressEvery = a, e }(progressAfter, progressEvery)
	progressAfter, progressEvery = 0, 0
	s := newSession(t)
	r := mustRun(t, s, `import "nmfkernel/lib/nmf"
V, _ := nmf.NewMatrix([]string{"a", "b", "c"}, []string{"x", "y"}, []float64{1, 2, 3, 4, 5, 6})
m, err := nmf.Fit(V, nmf.Options{Components: 1, Tol: -1, MaxIter: 5})`)
	var texts []string
	for _, e := range r.events {
		if d, ok := e.(Display); ok {
			texts = append(texts, d.Bundle[display.MIMEText].(string))
		}
	}
	if len(texts) != 6 || !strings.HasPrefix(texts[0], "NMF fit: iteration 1 of at most 5") || !strings.HasPrefix(texts[5], "NMF fit: 5 iterations") {
		t.Errorf("progress displays %q", texts)
	}
}

func TestHistory(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, "1")
	if res := s.Execute(context.Background(), "2", ExecOptions{NoHistory: true}, func(Event) {}); res.Count != 0 || res.Err != nil {
		t.Errorf("silent cell: %+v", res)
	}
	mustRun(t, s, "3")
	h := s.History()
	if len(h) != 2 || h[0] != (HistoryEntry{1, "1"}) || h[1] != (HistoryEntry{2, "3"}) || s.ExecutionCount() != 2 {
		t.Errorf("history %+v, count %d", h, s.ExecutionCount())
	}
}

func FuzzExecute(f *testing.F) {
	for _, seed := range []string{"1+1", "import \"fmt\"\nfmt.Println(1)", "func f() {", "x := []int{}; x[3]", "type T struct{}; T{}", "panic(nil)", "\"\\", "var x = y; var y = x", "for {}", "go func() {}()", "func(){}()",
		"type L[T any] struct{ n *L[T]; v T }\nfunc (l *L[T]) Get() T { return l.v }\n(&L[int]{v: 1}).Get()",
		"func F[T any](x T) T { return x }\nF(1)", "func G[T any](v any) bool { _, ok := v.(T); return ok }\nG[string](1)"} {
		f.Add(seed)
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code string) {
		if strings.Contains(code, "AfterFunc") || strings.Contains(code, "os.") {
			t.Skip("a panic on a goroutine compiled code starts ends the process, by design; os calls touch the machine")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		res := s.Execute(ctx, code, ExecOptions{}, func(Event) {})
		if res.Err != nil && (res.Err.Name == "" || len(res.Err.Traceback) == 0) {
			t.Fatalf("error without name or traceback: %#v", res.Err)
		}
	})
}

func BenchmarkTrivialCell(b *testing.B) {
	s := newSession(b)
	for b.Loop() {
		s.Execute(context.Background(), "1+1", ExecOptions{}, func(Event) {})
	}
}

func BenchmarkPrint1000Lines(b *testing.B) {
	s := newSession(b)
	s.Execute(context.Background(), `import "fmt"`, ExecOptions{}, func(Event) {})
	for b.Loop() {
		s.Execute(context.Background(), "for i := 0; i < 1000; i++ { fmt.Println(\"line\", i) }", ExecOptions{}, func(Event) {})
	}
}

func BenchmarkNewSession(b *testing.B) {
	for b.Loop() {
		s, err := New(Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkPrintAndValueCell is the cell bench/load sends: one print and a
// value, so a stream event and a result.
func BenchmarkPrintAndValueCell(b *testing.B) {
	s := newSession(b)
	for b.Loop() {
		s.Execute(context.Background(), "print(\"c1\\n\")\n1", ExecOptions{}, func(Event) {})
	}
}

func TestSlogDefaultWritesToTheCell(t *testing.T) {
	s := newSession(t)
	var r recorder
	res := s.Execute(context.Background(), "import \"log/slog\"\nslog.Info(\"hello\", \"n\", 1)\nslog.Debug(\"hidden\")\nslog.With(\"run\", 2).Warn(\"careful\")", ExecOptions{}, r.sink)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var stderr string
	for _, e := range r.events {
		if st, ok := e.(Stream); ok && st.Name == "stderr" {
			stderr += st.Text
		}
	}
	want := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d INFO hello n=1\n\d{4}/\d\d/\d\d \d\d:\d\d:\d\d WARN careful run=2\n$`)
	if !want.MatchString(stderr) {
		t.Errorf("stderr %q", stderr)
	}
}

// BenchmarkVariableCell shows a variable: a cell that is not a constant,
// so it runs in the interpreter.
func BenchmarkVariableCell(b *testing.B) {
	s := newSession(b)
	s.Execute(context.Background(), "x := 41", ExecOptions{}, func(Event) {})
	for b.Loop() {
		s.Execute(context.Background(), "x", ExecOptions{}, func(Event) {})
	}
}

// BenchmarkDeclaringCell declares a variable and shows it: a cell that
// runs as a function of its own.
func BenchmarkDeclaringCell(b *testing.B) {
	s := newSession(b)
	for b.Loop() {
		s.Execute(context.Background(), "y := 41\ny + 1", ExecOptions{}, func(Event) {})
	}
}

// BenchmarkLoopCell sums a million ints in a function declared in a cell:
// the interpreter's speed on a tight loop, with the statement markers
// that give runtime errors their line.
func BenchmarkLoopCell(b *testing.B) {
	s := newSession(b)
	mustRun(b, s, "xs := make([]int, 1000000)\nfor i := range xs { xs[i] = i }\nfunc sum(xs []int) int { s := 0; for i := 0; i < len(xs); i++ { s += xs[i] }; return s }")
	for b.Loop() {
		s.Execute(context.Background(), "sum(xs)", ExecOptions{}, func(Event) {})
	}
}

// TestBlankImport: a blank import binds no name and leaves the package's
// later named imports working (yaegi failed to compile a cell naming a
// type of a package a cell had imported blank).
func TestBlankImport(t *testing.T) {
	s := newSession(t)
	mustRun(t, s, `import _ "gonum.org/v1/gonum/mat"`)
	mustRun(t, s, "import \"gonum.org/v1/gonum/mat\"\nx := 2")
	r := mustRun(t, s, `import "fmt"
var svd mat.SVD
ok := svd.Factorize(mat.NewDense(2, 2, []float64{1, 0, 0, float64(x)}), mat.SVDThin)
fmt.Println(ok, svd.Values(nil))`)
	if got := r.stdout(); got != "true [2 1]\n" {
		t.Errorf("stdout %q", got)
	}
	// A session variable's type is written with the package's name (the
	// blank import once gave "_" half the time).
	for i := range 8 {
		mustRun(t, s, fmt.Sprintf("var d%d mat.Dense\n_ = d%d", i, i))
	}
}
