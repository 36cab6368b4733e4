package engine

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"nmfkernel/internal/fastblas"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"
	"nmfkernel/symbols/stdlib"

	"nmfkernel/lib/display"
	"nmfkernel/lib/widgets"
	"nmfkernel/symbols"
)

// Event is something a running cell produces: Stream, Display or
// ExecuteResult.
type Event interface{ isEvent() }

// Stream is text the cell wrote to standard output or error.
type Stream struct {
	Name string // "stdout" or "stderr"
	Text string
}

// Display is a rich display the cell published (display_data, or
// update_display_data when Update is set).
type Display struct{ display.Data }

// ExecuteResult is the displayed value of the cell's last expression.
type ExecuteResult struct {
	Count  int
	Bundle display.Bundle
}

// ClearOutput is a kernel's request that the front end clear the cell's
// output (when the next output arrives, with Wait). Sessions do not send
// it; executors that talk to a kernel process pass it on.
type ClearOutput struct{ Wait bool }

func (ClearOutput) isEvent()   {}
func (Stream) isEvent()        {}
func (Display) isEvent()       {}
func (ExecuteResult) isEvent() {}

// Options configures a Session. The zero value is ready to use.
type Options struct {
	// Env is the environment cells see through os.Getenv; nil means the
	// process environment.
	Env []string
}

// ExecOptions configures one Execute call. The zero value records the cell
// in the history and gives it no standard input.
type ExecOptions struct {
	// NoHistory runs the cell without an execution count or a history
	// entry (Jupyter's silent or store_history=false).
	NoHistory bool
	// Input, if not nil, is asked for a line each time the cell reads
	// standard input with nothing buffered. With a nil Input, reads fail
	// with ErrNoStdin.
	Input func(prompt string, password bool) (string, error)
}

// Result is how a cell ended.
type Result struct {
	// Count is the cell's execution count (0 with NoHistory).
	Count int
	// Err is the cell's error, nil when it ran to the end.
	Err *CellError
}

// HistoryEntry is one executed cell.
type HistoryEntry struct {
	Count int
	Code  string
}

// ErrClosed is returned for a Session used after Close.
var ErrClosed = errors.New("engine: session closed")

// Session is one notebook's interpreter. Its methods are safe for
// concurrent use; cells run one at a time.
type Session struct {
	opt Options

	run sync.Mutex // held while a cell runs

	i      *interp.Interpreter
	ctl    *runControl
	stdout *streamWriter
	stderr *streamWriter
	stdin  *stdinReader
	disp   *display.Displayer

	// Guarded by mu: what the current (or last) cell sends to and reads from.
	mu      sync.Mutex
	sink    func(Event)
	input   func(string, bool) (string, error)
	ctx     context.Context
	emitMu  sync.Mutex
	closed  bool
	count   int
	seq     int
	history []HistoryEntry
	// seqCount maps a run's sequence number to its execution count, and
	// seqCode to its code, for tracebacks.
	seqCount map[int]int
	seqCode  map[int]string
	// zombie, when not nil, is closed when a stopped run has ended.
	zombie chan struct{}
	// decls are the session's declarations, in order (see sessionDecl).
	decls []*sessionDecl
	// monoDisplay maps the copies of cells' generics (monomorph.go) to
	// the names Go gives the instances they stand for.
	monoDisplay map[string]string
	// copies are the copies of generics cells have made (monomorph.go).
	copies map[string]monoCopy
	// impossibleAsserts are the type assertions in copies of generic
	// code that can never hold, by position (file:line:col), with the
	// name of the asserted value's interface (see lowerTypeAssert).
	impossibleAsserts map[string]string
	// generics names the generic functions and types among decls.
	generics map[string]bool
	// deferredGenerics are the cells' generics whose own code the
	// lowering refused (lowerGenericDecl), with the refusal.
	deferredGenerics map[string]error
	// imports maps the import names cells made to import paths;
	// interpImports those the interpreter has (with the hidden ones).
	imports       map[string]string
	interpImports map[string]string
	// fset positions every cell's file; checked is the session's package
	// as the type checker sees it; importer gives it the importable
	// packages.
	fset     *token.FileSet
	checked  checkState
	importer *symbolImporter
	// simpleTop is the position of the statement running in a cell of
	// simple statements, which carry no markers.
	simpleTop int
	// markAt is the last statement marker in race-detector builds.
	markAt atomic.Int64
	// slog is the cells' default structured logger.
	slog *sessionLog
	// result is what the running cell's last expression gave.
	result       []any
	resultIsCall bool
	// cancelCell, while a cell runs, ends it with a cause (guarded by mu);
	// goPanics are goroutine panics that came when no cell was running.
	cancelCell context.CancelCauseFunc
	goPanics   []*goroutinePanicError
	// widgets are the session's widgets; controlComms the front ends'
	// widget control comms.
	widgets      *widgets.Manager
	controlComms map[string]bool
	// testFailed is what the last %test found; tests are the functions
	// the running %test has handed over.
	testFailed bool
	tests      testSet
}

var specialStdio sync.Once

// New starts a session with the standard library, gonum, gonum/plot and
// the project's libraries importable.
func New(opt Options) (*Session, error) {
	fastblas.Init() // cells' gonum products use OpenBLAS when the machine has it
	// Let os.Stdin/Stdout/Stderr in cells be the session's streams rather
	// than the process's files (yaegi reads this when an interpreter is made).
	specialStdio.Do(func() { os.Setenv("YAEGI_SPECIAL_STDIO", "1") })
	s := &Session{
		opt:               opt,
		ctx:               context.Background(),
		seqCount:          map[int]int{},
		seqCode:           map[int]string{},
		imports:           map[string]string{},
		monoDisplay:       map[string]string{},
		impossibleAsserts: map[string]string{},
		deferredGenerics:  map[string]error{},
		copies:            map[string]monoCopy{},
		fset:              token.NewFileSet(),
		checked:           checkState{pkg: types.NewPackage("main", "main")},
	}
	s.stdout = &streamWriter{s: s, name: "stdout"}
	s.stderr = &streamWriter{s: s, name: "stderr"}
	s.stdin = &stdinReader{s: s}
	s.slog = newSessionLog(s)
	s.disp = display.NewDisplayer(s.publish)
	s.widgets = s.newWidgets()
	s.controlComms = map[string]bool{}
	if err := s.newInterpreter(); err != nil {
		return nil, err
	}
	return s, nil
}

// newInterpreter makes a fresh interpreter with the session's symbols and
// prelude.
func (s *Session) newInterpreter() error {
	env := s.opt.Env
	if env == nil {
		env = os.Environ()
	}
	i := interp.New(interp.Options{Stdin: s.stdin, Stdout: s.stdout, Stderr: s.stderr, Env: env})
	for _, exports := range []interp.Exports{standardLibrary(), symbols.Symbols, s.overrides()} {
		if err := i.Use(exports); err != nil {
			return fmt.Errorf("engine: load symbols: %w", err)
		}
	}
	ctl, err := newRunControl(i)
	if err != nil {
		return err
	}
	s.importer = cellImporter(standardLibrary(), symbols.Symbols)
	s.i, s.ctl = i, ctl
	s.interpImports = map[string]string{"__nmfkernel": "nmfkernel/engine/builtin", "__nmfkernelGeneric": "nmfkernel/engine/generic", "__nmfkernelOS": "os", "__nmfkernelTesting": "testing"}
	if _, err := s.eval(context.Background(), lineDirective(0, 1, 1)+prelude); err != nil {
		return fmt.Errorf("engine: prelude: %w", err)
	}
	return nil
}

// Close stops any running code. The session cannot be used afterwards.
func (s *Session) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ctl.stop()
	return nil
}

// ExecutionCount returns the count of the last cell recorded in history.
func (s *Session) ExecutionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// History returns the executed cells, oldest first.
func (s *Session) History() []HistoryEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]HistoryEntry(nil), s.history...)
}

// Execute runs one cell, sending its output, displays and result to sink
// as they happen (from several goroutines, one call at a time). It returns
// when the cell has finished, failed or been stopped by ctx.
func (s *Session) Execute(ctx context.Context, code string, opt ExecOptions, sink func(Event)) Result {
	s.run.Lock()
	defer s.run.Unlock()

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Result{Err: &CellError{Name: "SessionClosed", Value: ErrClosed.Error(), Err: ErrClosed}}
	}
	s.seq++
	seq := s.seq
	res := Result{}
	if !opt.NoHistory {
		s.count++
		res.Count = s.count
		s.history = append(s.history, HistoryEntry{Count: s.count, Code: code})
	}
	s.seqCount[seq] = res.Count
	s.seqCode[seq] = code
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.sink, s.input, s.ctx, s.cancelCell = sink, opt.Input, ctx, cancel
	s.mu.Unlock()
	defer func() {
		s.flushOutput()
		s.mu.Lock()
		s.input, s.ctx, s.cancelCell = nil, context.Background(), nil
		s.mu.Unlock()
	}()
	s.reportGoPanics()
	s.markAt.Store(0)
	s.simpleTop = 0

	if err := s.waitZombie(ctx); err != nil {
		res.Err = s.cellError(seq, err)
		return res
	}
	err := s.runCode(ctx, seq, res.Count, code)
	var gp *goroutinePanicError
	if cause := context.Cause(ctx); errors.As(cause, &gp) {
		err = gp // the cell was stopped by a panic in one of its goroutines
	}
	if err != nil {
		res.Err = s.cellError(seq, err)
		return res
	}
	show := s.showResults
	if !s.resultIsCall {
		show = func(count int, r []any) error {
			if len(r) == 1 {
				return s.show(count, r[0])
			}
			return nil
		}
	}
	if err := show(res.Count, s.result); err != nil {
		res.Err = s.cellError(seq, err)
	}
	return res
}

// eval compiles and runs src, stopping it when ctx ends. It waits for
// stopped code to end, up to stopGrace; code still running then (inside a
// long call into compiled code) is left as the session's zombie, which the
// next cell waits for.
func (s *Session) eval(ctx context.Context, src string) (reflect.Value, error) {
	prog, err := s.compile(src)
	if err != nil {
		return reflect.Value{}, err
	}
	type result struct {
		v   reflect.Value
		err error
	}
	done := make(chan result, 1)
	ended := make(chan struct{})
	s.ctl.arm()
	go func() {
		defer close(ended)
		v, err := s.i.Execute(prog)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
	}
	s.ctl.stop()
	select {
	case <-ended:
	case <-time.After(stopGrace):
		s.mu.Lock()
		s.zombie = ended
		s.mu.Unlock()
	}
	return reflect.Value{}, cellCause(ctx)
}

// stopGrace is how long an interrupt waits for the stopped code to end
// before reporting back; code still inside a long compiled call keeps the
// next cell waiting until it returns.
const stopGrace = 2 * time.Second

// compile compiles src, turning a panic inside yaegi's compiler (it has
// some on unusual input) into an error. The type checker has accepted the
// code by then, so a failure here is the interpreter's limit.
func (s *Session) compile(src string) (prog *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("%s: not supported by the interpreter: %v (rewrite this construct, or move it into a function)", firstPos(src), r)
		}
	}()
	prog, err = s.i.Compile(src)
	if err != nil {
		// go/types accepted the cell: what yaegi refuses is its limit.
		msg := err.Error()
		if m := cellPos.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
			return nil, fmt.Errorf("%s: not supported by the interpreter: %s", msg[:m[1]], strings.TrimPrefix(msg[m[1]:], ": "))
		}
		return nil, fmt.Errorf("not supported by the interpreter: %w", err)
	}
	return prog, nil
}

// firstPos returns the position a //line-prefixed source starts at.
func firstPos(src string) string {
	if i := strings.Index(src, "//line "); i >= 0 {
		rest := src[i+len("//line "):]
		if j := strings.IndexByte(rest, '\n'); j >= 0 {
			return rest[:j]
		}
	}
	return "cell"
}

func (s *Session) waitZombie(ctx context.Context) error {
	s.mu.Lock()
	z := s.zombie
	s.mu.Unlock()
	if z == nil {
		return nil
	}
	select {
	case <-z:
		s.mu.Lock()
		s.zombie = nil
		s.mu.Unlock()
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the previous, interrupted cell is still finishing a call into compiled code: %w", ctx.Err())
	}
}

// showResults displays the results of a call: (value, error) shows the
// value or fails with the error, a lone error fails when not nil, other
// results show as a tuple.
func (s *Session) showResults(count int, r []any) error {
	if len(r) == 0 {
		return nil
	}
	last := r[len(r)-1]
	if err, ok := last.(error); ok && err != nil {
		return valueError{err}
	}
	switch {
	case len(r) == 1:
		if last == nil {
			return nil
		}
		return s.show(count, last)
	case len(r) == 2 && last == nil:
		return s.show(count, r[0])
	}
	parts := make([]string, len(r))
	for i, x := range r {
		parts[i] = fmt.Sprintf("%v", x)
	}
	return s.show(count, "("+strings.Join(parts, ", ")+")")
}

// valueError is an error value returned by the cell's last call.
type valueError struct{ err error }

func (e valueError) Error() string { return e.err.Error() }
func (e valueError) Unwrap() error { return e.err }

func (s *Session) show(count int, v any) error {
	if v == nil {
		return nil
	}
	b, err := display.Render(v)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return nil
	}
	s.flushOutput()
	s.emit(ExecuteResult{Count: count, Bundle: b})
	return nil
}

// emit sends an event to the current cell's sink. Output from goroutines
// that outlive their cell goes to the last cell's sink, as in IPython.
func (s *Session) emit(ev Event) {
	s.mu.Lock()
	sink := s.sink
	s.mu.Unlock()
	if sink == nil {
		return
	}
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	sink(ev)
}

func (s *Session) publish(d display.Data) {
	s.flushOutput()
	s.emit(Display{d})
}

func (s *Session) flushOutput() {
	s.stdout.flush()
	s.stderr.flush()
}

func (s *Session) currentInput() func(string, bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.input
}

// runContext is the context of the running cell (Background between cells).
func (s *Session) runContext() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctx
}

// globals returns the interpreter's global variables and constants; yaegi
// can panic listing them after a failed compile, which gives none.
func (s *Session) globals() (g map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			g = nil
		}
	}()
	return s.i.Globals()
}

// universe holds Go's predeclared names.
var universe = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64
		rune string uint uint8 uint16 uint32 uint64 uintptr any comparable true false iota nil append cap clear close
		complex copy delete imag len make max min new panic print println real recover _`) {
		universe[n] = true
	}
}

// ownWrapper are the packages whose symbols this module's tables give
// rather than yaegi's (see standardLibrary).
var ownWrapper = map[string]bool{"log/log": true}

// standardLibrary is yaegi's standard library tables, whose interface
// wrappers its interpreter relies on (fmt using a cell's String method),
// with what later Go releases added (strings.Lines, slices of iterators'
// companions, …) from the tables extracted with this module's Go release.
//
// Packages in ownWrapper take this module's tables over yaegi's: yaegi's
// log.Logger wrapper lacks SetPrefix (cells found it undefined).
var standardLibrary = sync.OnceValue(func() interp.Exports {
	merged := interp.Exports{}
	for path, syms := range yaegistdlib.Symbols {
		merged[path] = maps.Clone(syms)
	}
	for path, syms := range stdlib.Symbols {
		if merged[path] == nil {
			merged[path] = map[string]reflect.Value{}
		}
		for name, v := range syms {
			if _, ok := merged[path][name]; (!ok || ownWrapper[path]) && !strings.HasPrefix(name, "_") {
				merged[path][name] = v
			}
		}
	}
	return merged
})
