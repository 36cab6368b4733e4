package engine

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
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

// cellError turns what evaluating a cell returned into a CellError with
// positions translated to cells.
func (s *Session) cellError(seq int, err error) *CellError {
	ce := &CellError{Err: err}
	var p interp.Panic
	var list scanner.ErrorList
	var ve valueError
	switch {
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
		ce.Traceback = []string{ce.Name + ": " + ce.Value}
		for _, frame := range s.stderr.takePanicFrames() {
			m := yaegiPanicLine.FindStringSubmatch(frame)
			l, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			fseq, line := decodePos(l)
			fn := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m[3]), "main."), "(...)")
			where := s.cellLabel(fseq) + fmt.Sprintf(", line %d:%d", line, col)
			if fn != "" && fn != "main" {
				where += " in " + fn
			}
			ce.Traceback = append(ce.Traceback, "  at "+where)
			if fseq == seq && ce.Line == 0 {
				ce.Line, ce.Column = line, col
			}
		}
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
