package engine

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"nmfkernel/internal/fastblas"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"nmfkernel/lib/display"
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
	// decls are the declarations evaluated so far, to rebuild the
	// interpreter when a type is redefined; types names the types among them.
	decls []decl
	types map[string]bool
	// imports maps import names in cells to import paths, for completion.
	imports map[string]string
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
		opt:      opt,
		ctx:      context.Background(),
		seqCount: map[int]int{},
		seqCode:  map[int]string{},
		types:    map[string]bool{},
		imports:  map[string]string{},
	}
	s.stdout = &streamWriter{s: s, name: "stdout"}
	s.stderr = &streamWriter{s: s, name: "stderr"}
	s.stdin = &stdinReader{s: s}
	s.disp = display.NewDisplayer(s.publish)
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
	for _, exports := range []interp.Exports{stdlib.Symbols, symbols.Symbols, s.overrides()} {
		if err := i.Use(exports); err != nil {
			return fmt.Errorf("engine: load symbols: %w", err)
		}
	}
	ctl, err := newRunControl(i)
	if err != nil {
		return err
	}
	s.i, s.ctl = i, ctl
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
	s.sink, s.input, s.ctx = sink, opt.Input, ctx
	s.mu.Unlock()
	defer func() {
		s.flushOutput()
		s.mu.Lock()
		s.input, s.ctx = nil, context.Background()
		s.mu.Unlock()
	}()

	if err := s.waitZombie(ctx); err != nil {
		res.Err = s.cellError(seq, err)
		return res
	}
	chunks, err := splitCell(code)
	if err != nil {
		res.Err = s.cellError(seq, err)
		return res
	}
	for _, c := range chunks {
		var err error
		switch c.kind {
		case declChunk:
			err = s.declare(ctx, seq, c)
		case stmtChunk:
			_, err = s.eval(ctx, withLine(seq, c))
		case exprChunk:
			err = s.evalExpr(ctx, seq, res.Count, c)
		}
		if err != nil {
			res.Err = s.cellError(seq, err)
			return res
		}
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
	return reflect.Value{}, ctx.Err()
}

// stopGrace is how long an interrupt waits for the stopped code to end
// before reporting back; code still inside a long compiled call keeps the
// next cell waiting until it returns.
const stopGrace = 2 * time.Second

// compile compiles src, turning a panic inside yaegi's compiler (it has
// some on unusual input) into an error.
func (s *Session) compile(src string) (prog *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			prog, err = nil, fmt.Errorf("%s: the interpreter cannot compile this code (internal error: %v)", firstPos(src), r)
			if pos, name := s.undefinedName(src); name != "" {
				err = fmt.Errorf("%s: undefined: %s", pos, name)
			}
		}
	}()
	prog, err = s.i.Compile(src)
	if err != nil && strings.Contains(err.Error(), "constant definition loop") {
		// yaegi says this for an undefined name in a top-level statement.
		if pos, name := s.undefinedName(src); name != "" {
			err = fmt.Errorf("%s: undefined: %s", pos, name)
		}
	}
	return prog, err
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

// evalExpr evaluates the cell's last expression and displays its value.
func (s *Session) evalExpr(ctx context.Context, seq, count int, c chunk) error {
	if c.quiet {
		_, err := s.eval(ctx, withLine(seq, c))
		return err
	}
	if c.call {
		// Capture every result of the call: Go passes a multi-valued call
		// on to a variadic function.
		src := "__nmfkernelResults(" + withLine(seq, c) + ",\n)"
		if _, err := s.compile(src); err == nil {
			v, err := s.eval(ctx, src)
			if err != nil {
				return err
			}
			results, _ := v.Interface().([]any)
			return s.showResults(count, results)
		}
	}
	v, err := s.eval(ctx, withLine(seq, c))
	if err != nil || c.call {
		return err // a call with no results shows nothing
	}
	if !v.IsValid() || (v.Kind() == reflect.Interface && v.IsNil()) || !v.CanInterface() || isInterpNode(v) {
		return nil
	}
	return s.show(count, v.Interface())
}

// isInterpNode reports whether v is one of yaegi's internal values (what
// it returns for some statements), which is not the user's to see.
func isInterpNode(v reflect.Value) bool {
	t := v.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == "github.com/traefik/yaegi/interp"
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

// decl is one evaluated top-level declaration.
type decl struct {
	names    []string // what it declares (not methods)
	types    []string // the types among names
	methodOf string   // for a method, its receiver's type
	src      string   // source with its //line position
}

// declare evaluates a declaration chunk. Redefining a type rebuilds the
// interpreter from the session's declarations: yaegi would keep using the
// old type.
func (s *Session) declare(ctx context.Context, seq int, c chunk) error {
	c.src = s.dropRepeatedImports(c.src)
	if strings.TrimSpace(c.src) == "" {
		return nil // only imports the session already has
	}
	parts, imports := splitDecls(seq, c)
	var names []string
	redefined := ""
	for _, p := range parts {
		names = append(names, p.names...)
		for _, t := range p.types {
			if s.types[t] && redefined == "" {
				redefined = t
			}
		}
	}
	if redefined != "" {
		if err := s.rebuild(ctx, redefined, names); err != nil {
			return err
		}
	}
	if _, err := s.eval(ctx, withLine(seq, c)); err != nil {
		return err
	}
	s.decls = append(s.decls, parts...)
	for _, p := range parts {
		for _, t := range p.types {
			s.types[t] = true
		}
	}
	for name, path := range imports {
		s.imports[name] = path
	}
	return nil
}

// dropRepeatedImports blanks out, in a declaration chunk, the imports the
// session already has under the same name (re-running a cell must not
// import twice, which yaegi refuses). Blanking keeps every position.
func (s *Session) dropRepeatedImports(src string) string {
	const head = "package p;"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", head+src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return src
	}
	b := []byte(src)
	blank := func(from, to token.Pos) {
		for i := fset.Position(from).Offset - len(head); i < fset.Position(to).Offset-len(head); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		repeated := 0
		for _, spec := range g.Specs {
			imp := spec.(*ast.ImportSpec)
			path := strings.Trim(imp.Path.Value, "\"`")
			name := pkgName(path)
			if imp.Name != nil {
				name = imp.Name.Name
			}
			if s.imports[name] == path {
				repeated++
				if g.Lparen.IsValid() {
					blank(imp.Pos(), imp.End())
				}
			}
		}
		if repeated == len(g.Specs) && !g.Lparen.IsValid() {
			blank(g.Pos(), g.End())
		}
	}
	return string(b)
}

// splitDecls cuts a declaration chunk into its top-level declarations,
// each with the names it declares and its source positioned in the cell,
// and lists its imports by local name.
func splitDecls(seq int, c chunk) (parts []decl, imports map[string]string) {
	imports = map[string]string{}
	const head = "package p;"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", head+c.src, parser.SkipObjectResolution|parser.ParseComments)
	if err != nil {
		return nil, imports
	}
	for _, imp := range f.Imports {
		path := strings.Trim(imp.Path.Value, "\"`")
		name := pkgName(path)
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = path
	}
	for _, d := range f.Decls {
		var p decl
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				p.names = append(p.names, d.Name.Name)
			} else {
				p.methodOf = receiverType(d.Recv)
			}
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					p.names = append(p.names, sp.Name.Name)
					p.types = append(p.types, sp.Name.Name)
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						p.names = append(p.names, n.Name)
					}
				}
			}
		}
		start, end := fset.Position(d.Pos()).Offset-len(head), fset.Position(d.End()).Offset-len(head)
		line, col := lineCol(c.src, start)
		if line == 1 {
			col += c.col - 1
		}
		p.src = lineDirective(seq, c.line+line-1, col) + c.src[start:end]
		parts = append(parts, p)
	}
	return parts, imports
}

// receiverType names the type a method belongs to.
func receiverType(recv *ast.FieldList) string {
	if recv == nil || len(recv.List) == 0 {
		return ""
	}
	t := recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	switch t := t.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		if id, ok := t.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

// rebuild replaces the interpreter with a fresh one and replays the
// session's declarations, leaving out those that the chunk about to run
// declares again. Values set by statements are lost; the cell's stderr
// says which.
func (s *Session) rebuild(ctx context.Context, typ string, redeclared []string) error {
	before := s.globals()
	again := map[string]bool{}
	for _, n := range redeclared {
		again[n] = true
	}
	var keep []decl
	for _, d := range s.decls {
		overridden := again[d.methodOf]
		for _, n := range d.names {
			if again[n] {
				overridden = true
			}
		}
		if !overridden {
			keep = append(keep, d)
		}
	}
	if err := s.newInterpreter(); err != nil {
		return err
	}
	if len(s.imports) > 0 {
		var b strings.Builder
		for name, path := range s.imports {
			fmt.Fprintf(&b, "import %s %q\n", name, path)
		}
		if _, err := s.eval(ctx, b.String()); err != nil {
			return fmt.Errorf("type %s redefined, and replaying the session's imports failed: %w", typ, err)
		}
	}
	s.decls, s.types = nil, map[string]bool{}
	for _, d := range keep {
		if _, err := s.eval(ctx, d.src); err != nil {
			return fmt.Errorf("type %s redefined, and replaying an earlier declaration failed: %w", typ, err)
		}
		s.decls = append(s.decls, d)
		for _, t := range d.types {
			s.types[t] = true
		}
	}
	after := s.globals()
	var lost []string
	for name := range before {
		if _, ok := after[name]; !ok && !again[name] && !strings.HasPrefix(name, "__nmfkernel") {
			lost = append(lost, name)
		}
	}
	msg := fmt.Sprintf("type %s redefined: the interpreter was rebuilt from this session's declarations.\n", typ)
	if len(lost) > 0 {
		slices.Sort(lost)
		msg += fmt.Sprintf("Variables set by statements were reset (re-run the cells that set them): %s\n", strings.Join(lost, ", "))
	}
	s.stderr.Write([]byte(msg))
	return nil
}

// undefinedName returns a name that src (a statement chunk) uses and that
// is defined neither in the session, by src itself, nor by Go, with its
// position as yaegi would report it.
func (s *Session) undefinedName(src string) (pos, name string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p; func _() {"+src+"\n}", parser.SkipObjectResolution|parser.ParseComments)
	if err != nil {
		return "", ""
	}
	known := map[string]bool{}
	for name := range s.globals() {
		known[name] = true
	}
	for name := range s.imports {
		known[name] = true
	}
	for _, d := range s.decls {
		for _, n := range d.names {
			known[n] = true
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						known[id.Name] = true
					}
				}
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					known[id.Name] = true
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				known[id.Name] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				known[id.Name] = true
			}
		case *ast.LabeledStmt:
			known[n.Label.Name] = true
		}
		return true
	})
	var undefined *ast.Ident
	var walk func(n ast.Node) bool
	walk = func(n ast.Node) bool {
		if undefined != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, walk) // n.Sel is a field or package member
			return false
		case *ast.KeyValueExpr:
			if _, isName := n.Key.(*ast.Ident); !isName {
				ast.Inspect(n.Key, walk) // a name key is a struct field
			}
			ast.Inspect(n.Value, walk)
			return false
		case *ast.BranchStmt:
			return false // labels
		case *ast.Ident:
			if !known[n.Name] && !universe[n.Name] {
				undefined = n
			}
		}
		return true
	}
	ast.Inspect(f.Decls[0].(*ast.FuncDecl).Body, walk)
	if undefined == nil {
		return "", ""
	}
	return fset.Position(undefined.Pos()).String(), undefined.Name
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
