package engine

import (
	"errors"
	"io"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// streamDelay is how long output may wait to be sent with what follows it:
// a cell printing in a loop sends a message every streamDelay, not one per
// line, and still shows output as it happens.
const streamDelay = 20 * time.Millisecond

// maxPending is how much output is held before it is sent regardless.
const maxPending = 64 << 10

// streamWriter is the interpreter's stdout or stderr. It batches writes
// and hands them to the session, which sends them to the current cell.
type streamWriter struct {
	s       *Session
	name    string
	mu      sync.Mutex
	pending []byte
	timer   *time.Timer
	// panicFrames, on stderr, collects the "_.go:L:C: panic: f(...)"
	// lines yaegi prints while a panic unwinds, for the traceback.
	panicFrames []string
	// toProcess, while %test runs, sends what cells write to the process's
	// os.Stdout or os.Stderr of the moment instead, where the testing
	// package reads it (an example's output) or passes it on (see goTest).
	toProcess atomic.Bool
}

// yaegiPanicLine matches a frame line that yaegi writes to stderr while a
// panic unwinds through interpreted code.
var yaegiPanicLine = regexp.MustCompile(`^(?:_\.go:)?(\d+):(\d+): panic: (.*)\n?$`)

func (w *streamWriter) Write(p []byte) (int, error) {
	if w.toProcess.Load() && !(w.name == "stderr" && yaegiPanicLine.Match(p)) {
		if w.name == "stderr" {
			return os.Stderr.Write(p)
		}
		return os.Stdout.Write(p)
	}
	return w.writeStream(p)
}

// writeStream batches p for the cell's stream.
func (w *streamWriter) writeStream(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.name == "stderr" && yaegiPanicLine.Match(p) {
		w.panicFrames = append(w.panicFrames, string(p))
		return len(p), nil
	}
	w.pending = append(w.pending, p...)
	if len(w.pending) >= maxPending {
		w.flushLocked()
	} else if w.timer == nil {
		w.timer = time.AfterFunc(streamDelay, w.flush)
	}
	return len(p), nil
}

func (w *streamWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.flushLocked()
}

// flushLocked sends what is pending, keeping back an incomplete UTF-8
// sequence at the end for the next write.
func (w *streamWriter) flushLocked() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	n := len(w.pending)
	for i := 1; i <= 3 && i <= n; i++ {
		if r := w.pending[n-i]; utf8.RuneStart(r) {
			if !utf8.FullRune(w.pending[n-i:]) {
				n -= i
			}
			break
		}
	}
	if n == 0 {
		return
	}
	text := string(w.pending[:n])
	w.pending = append(w.pending[:0], w.pending[n:]...)
	w.s.emit(Stream{Name: w.name, Text: text})
}

// takePanicFrames returns and clears the collected panic frame lines.
func (w *streamWriter) takePanicFrames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := w.panicFrames
	w.panicFrames = nil
	return f
}

// ErrNoStdin is what reading standard input returns when the front end
// does not accept input requests.
var ErrNoStdin = errors.New("standard input is not available: the front end does not accept input requests")

// stdinReader is the interpreter's stdin: each read that finds nothing
// buffered asks the running cell's input function for a line.
type stdinReader struct {
	s   *Session
	mu  sync.Mutex
	buf []byte
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		input := r.s.currentInput()
		if input == nil {
			return 0, ErrNoStdin
		}
		r.s.flushOutput()
		line, err := input("", false)
		if err != nil {
			return 0, err
		}
		r.buf = append(r.buf, line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

var _ io.Reader = (*stdinReader)(nil)
