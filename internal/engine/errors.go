package engine

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// CellError is a cell's failure, in the shape of a Jupyter error message:
// a name, a value and a traceback. Like encoding/csv's ParseError it
// carries the position (in the failing cell, when known) and wraps the
// cause.
type CellError struct {
	// Name is the kind of failure: CompileError, panic, Exit, error
	// (a non-nil error returned by the cell's last call) or Interrupt.
	Name string
	// Value is the message.
	Value string
	// Line and Column locate the failure in the cell (1-based; 0 unknown).
	Line, Column int
	// Traceback is the text shown to the user, one line per entry.
	Traceback []string
	// Err is the underlying error.
	Err error
}

// Error formats the failure with its position in the cell.
func (e *CellError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s at line %d:%d: %s", e.Name, e.Line, e.Column, e.Value)
	}
	return e.Name + ": " + e.Value
}

// Unwrap returns the underlying error.
func (e *CellError) Unwrap() error { return e.Err }

// cellPos matches a position yaegi reports (see withLine).
var cellPos = regexp.MustCompile(`^(?:_\.go:)?(\d+):(\d+)`)

// decodePos splits a reported line into the run and the line in its cell.
func decodePos(line int) (seq, cellLine int) { return line / lineBase, line % lineBase }

// interpreterFailure reports whether a panic comes from the
// interpreter's own use of reflect (reflect.Set of a value of the wrong
// type, reflect.MakeChan of a one-way channel type, …) rather than from
// anything Go would raise running the cell. msg is the panic's message
// as Go would word it (goPanicMessage turns reflect's index and nil
// errors into Go's runtime errors, which are the program's own).
func interpreterFailure(msg string) bool {
	if strings.HasPrefix(msg, "reflect.") || strings.HasPrefix(msg, "reflect:") || strings.HasPrefix(msg, interpreterLimitPrefix) {
		return true
	}
	// yaegi's own run-time checks, raised with a position of its own
	// ("100064:24: invalid interface value {…}"), which Go never raises.
	return yaegiRunError.MatchString(msg)
}

// yaegiRunError matches the panics yaegi raises itself while it runs a
// cell (interp/run.go's cfgErrorf at run time).
var yaegiRunError = regexp.MustCompile(`^(\d+:\d+: )?invalid interface value `)

// cellError turns what evaluating a cell returned into a CellError with
// positions translated to cells.
func (s *Session) cellError(seq int, err error) *CellError {
	ce := &CellError{Err: err}
	var p interp.Panic
	var list scanner.ErrorList
	var ve valueError
	var gp *goroutinePanicError
	switch {
	case errors.As(err, &gp):
		ce.Name, ce.Value = "panic", goPanicMessage(gp.value)
		if interpreterFailure(ce.Value) {
			ce.Name = "InterpreterError"
			ce.Value = "the interpreter failed on this code, which Go runs (a limit of yaegi, not your program's answer; docs/engine.md): " + ce.Value
		}
		ce.Traceback = []string{ce.Name + ": " + ce.Value + " [in a goroutine]"}
		for _, frame := range gp.frames {
			ce.Traceback = append(ce.Traceback, "  at "+s.frameLabel(frame))
		}
		fseq, line := decodePos(gp.line)
		ce.Traceback = append(ce.Traceback, "  in the goroutine started at "+s.cellLabel(fseq)+fmt.Sprintf(", line %d:%d", line, gp.col))
		if fseq == seq {
			ce.Line, ce.Column = line, gp.col
			ce.Traceback = append(ce.Traceback, s.excerpt(seq, line, gp.col)...)
		}
		return ce
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		ce.Name, ce.Value = "Interrupt", "execution interrupted"
		if errors.Is(err, context.DeadlineExceeded) {
			ce.Value = "execution stopped: deadline exceeded"
		}
		if msg := err.Error(); strings.Contains(msg, "previous, interrupted cell") {
			ce.Value = msg
		}
		ce.Traceback = []string{ce.Name + ": " + ce.Value}
		return ce
	case errors.As(err, &p):
		ce.Name, ce.Value = "panic", fmt.Sprint(p.Value)
		if v, ok := p.Value.(string); ok && strings.HasPrefix(v, "os.Exit(") {
			ce.Name = "Exit"
			ce.Value = v + " was called: the cell stopped there; the session and its variables are still here"
		}
		if ce.Name == "panic" {
			ce.Value = goPanicMessage(p.Value)
			if interpreterFailure(ce.Value) {
				ce.Name = "InterpreterError"
				ce.Value = "the interpreter failed on this code, which Go runs (a limit of yaegi, not your program's answer; docs/engine.md): " + ce.Value
			}
		}
		trace := s.panicTrace(seq, s.stderr.takePanicFrames(), &ce.Line, &ce.Column)
		if ce.Value == "runtime error: index out of range" && len(trace) > 0 && !strings.Contains(trace[0], " in ") && ce.Line > 0 {
			// A statement at the cell's top level: its operands are the
			// session's variables, still there to be read.
			ce.Value += s.indexDetail(seq, ce.Line, ce.Column)
		}
		ce.Traceback = []string{ce.Name + ": " + ce.Value}
		ce.Traceback = append(ce.Traceback, trace...)
		if ce.Line > 0 {
			ce.Traceback = append(ce.Traceback, s.excerpt(seq, ce.Line, ce.Column)...)
		}
		return ce
	case errors.As(err, &ve):
		ce.Name, ce.Value = "error", ve.Error()
		ce.Traceback = []string{"error: " + ce.Value}
		return ce
	case errors.As(err, &list) && len(list) > 0:
		err = list[0]
	}
	var de *directiveError
	if errors.As(err, &de) {
		ce.Name, ce.Value, ce.Line, ce.Column = de.name, de.msg, de.line, 1
		ce.Traceback = []string{fmt.Sprintf("%s, line %d: %s: %s", s.cellLabel(seq), de.line, de.name, de.msg)}
		ce.Traceback = append(ce.Traceback, s.excerpt(seq, de.line, 1)...)
		return ce
	}
	// A compile error: "cellN:L:C: message" (possibly with more after).
	ce.Name = "CompileError"
	msg := err.Error()
	if m := cellPos.FindStringSubmatchIndex(msg); m != nil && m[0] == 0 {
		l, _ := strconv.Atoi(msg[m[2]:m[3]])
		ce.Column, _ = strconv.Atoi(msg[m[4]:m[5]])
		var fseq int
		fseq, ce.Line = decodePos(l)
		ce.Value = strings.TrimPrefix(msg[m[1]:], ": ")
		ce.Traceback = []string{fmt.Sprintf("%s, line %d:%d: %s", s.cellLabel(fseq), ce.Line, ce.Column, ce.Value)}
		if fseq == seq {
			ce.Traceback = append(ce.Traceback, s.excerpt(seq, ce.Line, ce.Column)...)
		} else {
			ce.Line, ce.Column = 0, 0
		}
		return ce
	}
	if pos, rest, ok := scannerPos(msg); ok {
		// splitCell's own scanner errors are positioned in the cell itself.
		ce.Line, ce.Column, ce.Value = pos[0], pos[1], rest
		ce.Traceback = append([]string{fmt.Sprintf("%s, line %d:%d: %s", s.cellLabel(seq), pos[0], pos[1], rest)}, s.excerpt(seq, pos[0], pos[1])...)
		return ce
	}
	ce.Value = msg
	ce.Traceback = []string{ce.Name + ": " + msg}
	return ce
}

// panicTrace describes where a panic happened: the statement that failed
// (from the markers lowering puts before statements), the cell functions
// it went through (from yaegi's frame lines, innermost first) and the
// cell's statement that led there. It sets line and col to the failing
// position in cell seq.
func (s *Session) panicTrace(seq int, frames []string, line, col *int) []string {
	g := s.globals()
	read := func(name string) (fseq, l, c int) {
		v, ok := g[name]
		if !ok || !v.CanInt() || v.Int() == 0 {
			return 0, 0, 0
		}
		fseq, l = decodePos(int(v.Int() / 1000))
		return fseq, l, int(v.Int() % 1000)
	}
	var fns []string
	for _, f := range frames {
		_, _, _, fn := parseFrame(f)
		switch {
		case fn == mainName:
			fns = append(fns, "main")
		case fn != "" && fn != "main" && !strings.HasPrefix(fn, "func") && !strings.HasPrefix(fn, "__nmfk"):
			fns = append(fns, fn)
		}
	}
	var out []string
	aSeq, aLine, aCol := read("__nmfkAt")
	if raceBuild {
		if v := s.markAt.Load(); v != 0 {
			aSeq, aLine = decodePos(int(v / 1000))
			aCol = int(v % 1000)
		}
	}
	tSeq, tLine, tCol := read("__nmfkTop")
	if tLine == 0 && s.simpleTop != 0 {
		// A cell of simple statements runs them one by one, without markers.
		tSeq, tLine = decodePos(s.simpleTop / 1000)
		tCol = s.simpleTop % 1000
	}
	if aLine > 0 && len(fns) > 0 {
		out = append(out, fmt.Sprintf("  at %s, line %d:%d in %s", s.cellLabel(aSeq), aLine, aCol, fns[0]))
		for _, fn := range fns[1:] {
			out = append(out, "  called from "+fn)
		}
		if aSeq == seq {
			*line, *col = aLine, aCol
		}
	}
	if tLine > 0 {
		out = append(out, fmt.Sprintf("  at %s, line %d:%d", s.cellLabel(tSeq), tLine, tCol))
		if *line == 0 && tSeq == seq {
			*line, *col = tLine, tCol
		}
	}
	return out
}

// goPanicMessage words a panic value as Go's runtime would where yaegi's
// differs (yaegi runs indexing and field access through reflect).
func goPanicMessage(v any) string {
	if rv, ok := v.(reflect.Value); ok && rv.IsValid() && rv.CanInterface() {
		v = rv.Interface() // yaegi re-panics some values as reflect.Values
	}
	msg := fmt.Sprint(v)
	if err, ok := v.(error); ok {
		msg = err.Error()
	}
	for _, r := range runtimeMessages {
		if strings.Contains(msg, r[0]) {
			return r[1]
		}
	}
	return msg
}

var runtimeMessages = [][2]string{
	{"reflect: slice index out of range", "runtime error: index out of range"},
	{"reflect: array index out of range", "runtime error: index out of range"},
	{"reflect: string index out of range", "runtime error: index out of range"},
	{"slice index out of bounds", "runtime error: slice bounds out of range"},
	{"on zero Value", "runtime error: invalid memory address or nil pointer dereference"},
	{"reflect: call of reflect.Value.Elem on ptr Value", "runtime error: invalid memory address or nil pointer dereference"},
	{"invalid memory address or nil pointer dereference", "runtime error: invalid memory address or nil pointer dereference"},
}

// parseFrame splits a frame line yaegi printed while a panic unwound.
func parseFrame(frame string) (seq, line, col int, fn string) {
	m := yaegiPanicLine.FindStringSubmatch(frame)
	if m == nil {
		return 0, 0, 0, ""
	}
	l, _ := strconv.Atoi(m[1])
	col, _ = strconv.Atoi(m[2])
	seq, line = decodePos(l)
	fn = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m[3]), "main."), "(...)")
	return seq, line, col, fn
}

// frameLabel describes a frame line: the cell, the line and the function.
func (s *Session) frameLabel(frame string) string {
	seq, line, col, fn := parseFrame(frame)
	where := s.cellLabel(seq) + fmt.Sprintf(", line %d:%d", line, col)
	switch {
	case fn == mainName:
		where += " in main"
	case fn != "" && fn != "main" && !strings.HasPrefix(fn, "func") && !strings.HasPrefix(fn, "__nmfk"):
		where += " in " + fn
	}
	return where
}

// scannerPos parses "cell:L:C: message" from splitCell's scanner.
func scannerPos(msg string) (pos [2]int, rest string, ok bool) {
	m := regexp.MustCompile(`^cell:(\d+):(\d+): (.*)`).FindStringSubmatch(msg)
	if m == nil {
		return pos, "", false
	}
	pos[0], _ = strconv.Atoi(m[1])
	pos[1], _ = strconv.Atoi(m[2])
	return pos, m[3], true
}

// cellLabel names run seq the way the notebook shows it.
func (s *Session) cellLabel(seq int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.seqCount[seq]; c > 0 {
		return fmt.Sprintf("cell [%d]", c)
	}
	if seq == 0 {
		return "prelude"
	}
	return "cell (not in history)"
}

// excerpt shows a cell's line with a caret under the column.
func (s *Session) excerpt(seq, line, col int) []string {
	s.mu.Lock()
	code := s.seqCode[seq]
	s.mu.Unlock()
	lines := strings.Split(code, "\n")
	if line < 1 || line > len(lines) {
		return nil
	}
	prefix := fmt.Sprintf("%4d | ", line)
	text := strings.ReplaceAll(lines[line-1], "\t", "    ")
	caret := strings.Repeat(" ", len(prefix)+max(col-1+3*strings.Count(lines[line-1][:min(col-1, len(lines[line-1]))], "\t"), 0)) + "^"
	return []string{prefix + text, caret}
}
