package engine

import (
	"context"
	"fmt"
	"html"
	"maps"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"nmfkernel/lib/display"
	"nmfkernel/lib/nmf"
	"nmfkernel/symbols"
)

// prelude is evaluated in every session: the min, max and clear builtins
// that yaegi lacks, and the helper that captures all results of a call.
const prelude = `import __nmfkernel "nmfkernel/engine/builtin"
import __nmfkernelGeneric "nmfkernel/engine/generic"
import __nmfkernelFmt "fmt"
import __nmfkernelOS "os"
import __nmfkernelTesting "testing"

func min[T int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64 | uintptr | float32 | float64 | string](x T, y ...T) T {
	m := x
	for _, v := range y {
		if v != v {
			return v
		}
		if v < m {
			m = v
		}
	}
	return m
}

func max[T int | int8 | int16 | int32 | int64 | uint | uint8 | uint16 | uint32 | uint64 | uintptr | float32 | float64 | string](x T, y ...T) T {
	m := x
	for _, v := range y {
		if v != v {
			return v
		}
		if v > m {
			m = v
		}
	}
	return m
}

func clear(x any) { __nmfkernel.Clear(x) }

var __nmfkAt, __nmfkTop int

// The value of a cell's last expression goes to the session through these
// (a call of a compiled function at the top level would grow yaegi's
// global frame with every cell).
func __nmfkernelValue(v any)      { __nmfkernel.Value(v) }
func __nmfkernelResult(v ...any) { __nmfkernel.Result(v...) }

// A value of a cell type with methods reaches compiled code as itself
// only from a variable of its own type (from an any, yaegi hands over its
// internal wrapper), hence a generic function.
// print and println (see lowerPrint); an interpreted function, as a
// compiled one called at the top level would grow yaegi's global frame.
func __nmfkernelPrint(newline bool, args ...any) { __nmfkernel.Print(newline, args...) }

// A function value as a cell's last expression shows as its type.
func __nmfkernelFuncValue(typ string, _ any) { __nmfkernel.Text(typ) }

// fmt.Sprint, interpreted, calls the type's String or Error method.
func __nmfkernelShow[T any](v T) { __nmfkernel.ValueText(v, __nmfkernelFmt.Sprint(v)) }

// A value converted to an interface through an argument keeps its type
// for a type switch (see keepTypeInInterface); for the two commonest
// interfaces a named function, cheaper than a literal at each use.
func __nmfkernelKeepAny(v any) any       { return v }
func __nmfkernelKeepError(v error) error { return v }
`

// Progress of nmf fits run from cells is shown once a fit has taken
// progressAfter, then refreshed every progressEvery (variables for tests).
var (
	progressAfter = time.Second
	progressEvery = 250 * time.Millisecond
)

// overrides are the symbols a session replaces with its own: display
// functions publish to this session, nmf fits and scans and time.Sleep
// stop when the running cell is interrupted, and clear is given to the
// prelude.
func (s *Session) overrides() interp.Exports {
	disp := map[string]reflect.Value{}
	dv := reflect.ValueOf(s.disp)
	for name := range symbols.Symbols["nmfkernel/lib/display/display"] {
		if m := dv.MethodByName(name); m.IsValid() {
			disp[name] = m
		}
	}
	builtin := map[string]reflect.Value{}
	maps.Copy(builtin, s.testBuiltins())
	exports := interp.Exports{
		"nmfkernel/lib/display/display": disp,
		"nmfkernel/lib/widgets/widgets": s.widgetExports(),
		"nmfkernel/lib/nmf/nmf": {
			"Fit": reflect.ValueOf(func(V *nmf.Matrix, opt nmf.Options) (*nmf.Model, error) {
				return s.fit(context.Background(), V, opt)
			}),
			"FitContext": reflect.ValueOf(s.fit),
			"ScanRanks": reflect.ValueOf(func(V *nmf.Matrix, ks []int, opt nmf.ScanOptions) (*nmf.RankScan, error) {
				ctx, cancel := s.cellContext(context.Background())
				defer cancel()
				return nmf.ScanRanksContext(ctx, V, ks, opt)
			}),
			"ScanRanksContext": reflect.ValueOf(func(ctx context.Context, V *nmf.Matrix, ks []int, opt nmf.ScanOptions) (*nmf.RankScan, error) {
				ctx, cancel := s.cellContext(ctx)
				defer cancel()
				return nmf.ScanRanksContext(ctx, V, ks, opt)
			}),
		},
		"time/time": {
			"Sleep": reflect.ValueOf(func(d time.Duration) {
				t := time.NewTimer(d)
				defer t.Stop()
				// Woken by the interpreter's stop, not the cell's context:
				// a goroutine's panic ends the context first, and the
				// cell must not take another step after its sleep.
				select {
				case <-t.C:
				case <-s.ctl.stopped():
				}
			}),
		},
		"nmfkernel/engine/builtin/builtin": {
			"Clear": reflect.ValueOf(func(x any) {
				v := reflect.ValueOf(x)
				if v.Kind() == reflect.Map || v.Kind() == reflect.Slice {
					v.Clear()
				}
			}),
			// Result receives the values of the cell's last expression.
			"Result": reflect.ValueOf(func(v ...any) { s.result, s.resultIsCall = v, true }),
			"Value":  reflect.ValueOf(func(v any) { s.result, s.resultIsCall = []any{v}, false }),
			// Text shows text as the cell's value.
			"Text": reflect.ValueOf(func(text string) {
				s.result, s.resultIsCall = []any{display.Bundle{display.MIMEText: text}}, false
			}),
			// ValueText receives a value of a cell type with methods and its
			// text as fmt prints it in the cell.
			"ValueText": reflect.ValueOf(func(v any, text string) {
				b, err := display.Render(v)
				if err != nil || b == nil {
					b = display.Bundle{}
				}
				b[display.MIMEText] = text
				s.result, s.resultIsCall = []any{b}, false
			}),
			// Unread reports an error variable the cell assigned and never read.
			"Unread": reflect.ValueOf(s.unreadError),
			// MarkAt records a statement's position (race-detector builds).
			"MarkAt": reflect.ValueOf(func(at int) { s.markAt.Store(int64(at)) }),
			// Print is the print and println builtins, on the cell's stderr.
			"Print": reflect.ValueOf(func(newline bool, args ...any) { runtimePrint(s.stderr, newline, args) }),
			// TypeName is %T's text for an argument (see lowerFormat).
			"TypeName": reflect.ValueOf(func(name string, _ any) string { return name }),
			// Recovered unwraps recover's value (see lowerRecover).
			"Recovered": reflect.ValueOf(recovered),
			// ErrorText and StringText give fmt a cell value's Error or
			// String method (see printInterfaceWithMethods).
			"ErrorText":  reflect.ValueOf(func(f func() string) any { return errorText(f) }),
			"StringText": reflect.ValueOf(func(f func() string) any { return stringText(f) }),
			"Printable":  reflect.ValueOf(printable),
			"PlainValue": reflect.ValueOf(func(v any) any { return plainValue{v} }),
			// Select, Recv and Send run a select statement (see
			// lowerSelect).
			"Select": reflect.ValueOf(func(hasDefault bool, cases ...selectCase) int { return s.ctl.selectOne(hasDefault, cases...) }),
			"Recv":   reflect.ValueOf(selectRecv),
			"Send":   reflect.ValueOf(selectSend),
			// Shaped wraps a value printed with %+v or %#v (fmtshape.go).
			"Shaped": reflect.ValueOf(shaped),
			// AssertionFailed is the run-time error of a failed type
			// assertion, in Go's words (see lowerTypeAssert).
			"AssertionFailed": reflect.ValueOf(assertionFailed),
			// CannotTell stops a cell whose value's type the
			// interpreter cannot tell from another's (see typeNameBy).
			"CannotTell": reflect.ValueOf(cannotTell),
			// NilInInterface stops a cell that puts a nil pointer of
			// a cell type in a non-empty interface (see
			// guardNilPointer).
			"NilInInterface": reflect.ValueOf(nilInInterface),
			// CheckOpaqueErrors stops a cell whose errors.As found
			// nothing where a cell value's type was lost (see
			// lowerErrorsAs).
			"CheckOpaqueErrors": reflect.ValueOf(checkOpaqueErrors),
			// ErrorTree lists an error's tree in the order errors.As
			// visits it (see lowerErrorsAs).
			"ErrorTree": reflect.ValueOf(errorTree),
			// GoPanic receives a panic recovered in a goroutine a cell started.
			"GoPanic": reflect.ValueOf(s.goroutinePanic),
		},
		"nmfkernel/engine/generic/generic": genericLib,
		"log/slog/slog":                    s.slog.exports(),
	}
	maps.Copy(exports["nmfkernel/engine/builtin/builtin"], builtin)
	return exports
}

// errorText and stringText are a cell value's Error or String method as
// compiled values fmt calls.
type errorText func() string

func (e errorText) Error() string { return e() }

type stringText func() string

func (s stringText) String() string { return s() }

// printable is what fmt gets for an interface value a cell prints (see
// printInterfaceWithMethods): the cell's answer for the value (its String
// or Error method, or the value as the cell sees it) when the value is
// the interpreter's (its record of a value with methods, or a value of a
// type it built), else the value itself. method learns which of the two
// it was given.
func printable(method func(any, bool) any, v ...any) any {
	if len(v) != 1 || v[0] == nil {
		return nil
	}
	t := reflect.TypeOf(v[0])
	record := t.PkgPath() == "github.com/traefik/yaegi/interp"
	if record || t.Name() == "" && t.Kind() == reflect.Struct {
		if m := method(v[0], record); m != nil {
			return m
		}
	}
	return v[0]
}

// errorTree lists err and the errors it wraps, depth first, in the order
// errors.As and errors.Is visit them: through Unwrap() error and through
// each of Unwrap() []error (errors.Join, fmt.Errorf with several %w).
func errorTree(err error) []error {
	var out []error
	var walk func(error)
	walk = func(e error) {
		for e != nil {
			out = append(out, e)
			switch x := e.(type) {
			case interface{ Unwrap() error }:
				e = x.Unwrap()
			case interface{ Unwrap() []error }:
				for _, c := range x.Unwrap() {
					walk(c)
				}
				return
			default:
				return
			}
		}
	}
	walk(err)
	return out
}

// plainValue is a cell value printed by fmt as a compiled value would
// be: the value as the cell handed it over, formatted with the verb fmt
// was given (returned to the interpreter, yaegi would turn it back into
// its record of the value).
type plainValue struct{ v any }

func (p plainValue) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), p.v)
}

// recovered unwraps a value recover returned that the interpreter wrapped
// in a reflect.Value (a compiled panic value); its own values stay.
func recovered(v any) any {
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() && !strings.HasPrefix(rv.Type().PkgPath(), "github.com/traefik/yaegi") {
		v = rv.Interface()
	}
	// A run-time error the interpreter raised through reflect (an index
	// out of range, a nil dereference) is recovered as Go's runtime
	// error, as the program would see it compiled (without the index and
	// length, which reflect's message lacks).
	var msg string
	switch e := v.(type) {
	case string:
		msg = e
	case error:
		if _, isRuntime := e.(runtime.Error); isRuntime {
			return v
		}
		msg = e.Error()
	default:
		return v
	}
	if strings.HasPrefix(msg, "reflect") || strings.Contains(msg, "slice index out of bounds") {
		if goMsg := goPanicMessage(msg); goMsg != msg {
			return runtimeError(goMsg)
		}
	}
	return v
}

// assertionFailed returns the run-time error of x.(asserted) failing, x
// an interface of type iface holding a value of type concrete ("" for
// nil), in runtime.TypeAssertionError's words.
func assertionFailed(iface, concrete, asserted string) error {
	if concrete == "" {
		return runtimeError("interface conversion: " + iface + " is nil, not " + asserted)
	}
	return runtimeError("interface conversion: " + iface + " is " + concrete + ", not " + asserted)
}

// checkOpaqueErrors panics, with a message interpreterFailure reports as
// an InterpreterError, when one of tree's errors is yaegi's wrapper of a
// cell value whose type is lost (interp's _error holding a value, not a
// pointer: it keeps only the struct's first field), so that errors.As
// for target cannot be answered.
func checkOpaqueErrors(tree []error, target string) {
	for _, e := range tree {
		v := reflect.ValueOf(e)
		if v.Kind() != reflect.Struct || v.Type().PkgPath() != "github.com/traefik/yaegi/interp" {
			continue
		}
		if f := v.FieldByName("IValue"); f.IsValid() && !f.IsNil() && f.Elem().Kind() != reflect.Pointer {
			panic(interpreterLimitPrefix + "look inside " + e.Error() + ", a value of a cell error type wrapped by compiled code (fmt.Errorf's %w, errors.Join): its type is lost, so errors.As for " + target + " cannot be answered; give the error type pointer receivers and wrap a pointer (&E{…})")
		}
	}
}

// nilInInterface is the panic value that stops a cell putting a nil
// pointer (of type ptr) in an interface of type iface; interpreterFailure
// reports it as an InterpreterError.
func nilInInterface(ptr, iface string) string {
	return interpreterLimitPrefix + "keep a nil " + ptr + " in an interface of type " + iface + " (it would hold nil itself, and compare equal to nil, where Go's holds a typed nil); check the pointer for nil before converting it"
}

// cannotTell is the panic value that stops a cell when the interpreter
// cannot tell a value's type (named like) from another of its shape;
// interpreterFailure reports it as an InterpreterError.
func cannotTell(like string) string {
	return interpreterLimitPrefix + "tell " + like + " from another type of its shape inside an interface"
}

// interpreterLimitPrefix starts the panics the lowered code raises
// where the interpreter cannot do what Go does.
const interpreterLimitPrefix = "nmfkernel: the interpreter cannot "

// runtimeError is a run-time error the interpreter raised, as Go's
// runtime.Error.
type runtimeError string

func (e runtimeError) Error() string { return string(e) }
func (runtimeError) RuntimeError()   {}

// cellContext returns a context that ends when ctx or the running cell's
// context does.
func (s *Session) cellContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.runContext(), cancel)
	return ctx, func() { stop(); cancel() }
}

// fit runs nmf.FitContext under the cell's context and, for fits that take
// a while, shows live progress in a display that updates in place.
func (s *Session) fit(ctx context.Context, V *nmf.Matrix, opt nmf.Options) (*nmf.Model, error) {
	ctx, cancel := s.cellContext(ctx)
	defer cancel()
	h := s.disp.NewHandle()
	h.SetMetadata(map[string]any{display.ProgressMetadataKey: true})
	var shown bool
	var last time.Time
	user := opt.Progress
	opt.Progress = func(p nmf.Progress) {
		if user != nil {
			user(p)
		}
		if p.Elapsed >= progressAfter && time.Since(last) >= progressEvery {
			last = time.Now()
			shown = true
			h.Show(progressBundle(p))
		}
	}
	m, err := nmf.FitContext(ctx, V, opt)
	if shown {
		if err != nil {
			h.Text("NMF fit stopped: " + err.Error())
		} else {
			h.Text(fmt.Sprintf("NMF fit: %d iterations, relative error %s", m.Iterations, nmf.FormatValue(m.RelErr)))
		}
	}
	return m, err
}

func progressBundle(p nmf.Progress) display.Bundle {
	text := fmt.Sprintf("NMF fit: iteration %d of at most %d, loss %.6g, %.1f s", p.Iteration, p.MaxIter, p.Loss, p.Elapsed.Seconds())
	return display.Bundle{
		display.MIMEText: text,
		display.MIMEHTML: fmt.Sprintf(`<progress value="%d" max="%d"></progress> %s`, p.Iteration, p.MaxIter, html.EscapeString(text)),
	}
}
