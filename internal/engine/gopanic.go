package engine

import (
	"context"
	"fmt"
	"strings"
)

// goroutinePanicError is a panic in a goroutine that cell code started,
// recovered there (see lowering.goRecover) instead of ending the process.
type goroutinePanicError struct {
	value  any
	line   int // position of the go statement, as the interpreter reports it
	col    int
	frames []string // the interpreter's frame lines, innermost first
}

func (e *goroutinePanicError) Error() string { return fmt.Sprintf("panic in a goroutine: %v", e.value) }

// goroutinePanic receives a recovered goroutine panic. A running cell
// fails with it (Go would end the whole program); when no cell is running
// it is reported at the start of the next one.
func (s *Session) goroutinePanic(r any, line, col int) {
	e := &goroutinePanicError{value: r, line: line, col: col, frames: s.stderr.takePanicFrames()}
	s.mu.Lock()
	cancel := s.cancelCell
	if cancel == nil {
		s.goPanics = append(s.goPanics, e)
	}
	s.mu.Unlock()
	if cancel != nil {
		// The cause first: stopping wakes the cell's code, which may end
		// and be asked why before this goroutine runs again.
		cancel(e)
		s.ctl.stop() // the cell's code stops at its next step, before anything else it would print
	}
}

// reportGoPanics writes the goroutine panics of cells that had already
// ended to the stderr of the cell starting now.
func (s *Session) reportGoPanics() {
	s.mu.Lock()
	pending := s.goPanics
	s.goPanics = nil
	s.mu.Unlock()
	for _, e := range pending {
		ce := s.cellError(0, e)
		fmt.Fprintf(s.stderr, "%s\n", strings.Join(ce.Traceback, "\n"))
	}
}

// cellCause is the error a cell's context ended with: its cause (a
// goroutine's panic) when it has one.
func cellCause(ctx context.Context) error {
	if c := context.Cause(ctx); c != nil {
		return c
	}
	return ctx.Err()
}
