package kernels

import (
	"bytes"
	"log"
	"strings"
	"sync"
)

// stderrTail is a kernel process's standard error: each line goes to the
// manager's log, prefixed with the kernel's id, and the last tailSize bytes
// are kept, so that when the process dies its last panic can be shown to
// the clients (deathReport).
type stderrTail struct {
	mu   sync.Mutex
	log  *log.Logger
	id   string
	line []byte // an incomplete last line
	tail []byte
}

const tailSize = 64 << 10

// maxLine is how much of one line is logged.
const maxLine = 4 << 10

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tail = append(t.tail, p...)
	if len(t.tail) > tailSize {
		t.tail = append(t.tail[:0], t.tail[len(t.tail)-tailSize:]...)
	}
	t.line = append(t.line, p...)
	for {
		i := bytes.IndexByte(t.line, '\n')
		if i < 0 {
			break
		}
		t.logLine(t.line[:i])
		t.line = t.line[i+1:]
	}
	if len(t.line) > maxLine {
		t.logLine(t.line)
		t.line = t.line[:0]
	}
	return len(p), nil
}

func (t *stderrTail) logLine(b []byte) {
	if len(b) > maxLine {
		b = append(b[:maxLine:maxLine], "…"...)
	}
	if t.log != nil {
		t.log.Printf("kernel %s: %s", t.id, b)
	}
}

// String returns the kept tail.
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.tail)
}

// deathReport returns the last panic or fatal error the process printed,
// with the stack of the goroutine that raised it, or "".
func (t *stderrTail) deathReport() string {
	s := t.String()
	start := -1
	for _, marker := range []string{"\npanic: ", "\nfatal error: "} {
		if i := strings.LastIndex("\n"+s, marker); i > start {
			start = i
		}
	}
	if start < 0 {
		return ""
	}
	report := s[start:]
	// The first goroutine's stack is the one that panicked; the rest of the
	// goroutines' stacks would bury it.
	if i := strings.Index(report, "\n\ngoroutine "); i >= 0 {
		if j := strings.Index(report[i+2:], "\n\n"); j >= 0 {
			report = report[:i+2+j]
		}
	}
	lines := strings.Split(strings.TrimRight(report, "\n"), "\n")
	if len(lines) > 60 {
		lines = append(lines[:60], "…")
	}
	return strings.Join(lines, "\n")
}
