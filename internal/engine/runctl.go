package engine

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// runControl starts and stops interpreted code the way yaegi's
// ExecuteWithContext does, without its two flaws for a notebook: that
// function returns as soon as the context ends while the interpreted code
// may still be running (so the next cell could overlap it), and its
// goroutine writes the function's results after it has returned, which the
// race detector reports. The fields it touches are the ones
// ExecuteWithContext and its stop method use; newRunControl checks their
// types so a yaegi upgrade that changes them fails loudly at session start
// instead of misbehaving.
type runControl struct {
	id         *uint64
	cancelChan *bool
	mu         *sync.RWMutex
	done       *chan struct{}
	closed     bool
}

func newRunControl(i *interp.Interpreter) (*runControl, error) {
	v := reflect.ValueOf(i).Elem()
	field := func(name string, want reflect.Type) (unsafe.Pointer, error) {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Type() != want {
			return nil, fmt.Errorf("engine: yaegi Interpreter has no field %s of type %v; this yaegi version is not supported", name, want)
		}
		return unsafe.Pointer(f.UnsafeAddr()), nil
	}
	id, err := field("id", reflect.TypeOf(uint64(0)))
	if err != nil {
		return nil, err
	}
	cc, err := field("cancelChan", reflect.TypeOf(false))
	if err != nil {
		return nil, err
	}
	mu, err := field("mutex", reflect.TypeOf(sync.RWMutex{}))
	if err != nil {
		return nil, err
	}
	done, err := field("done", reflect.TypeOf(make(chan struct{})))
	if err != nil {
		return nil, err
	}
	return &runControl{id: (*uint64)(id), cancelChan: (*bool)(cc), mu: (*sync.RWMutex)(mu), done: (*chan struct{})(done)}, nil
}

// arm prepares a run: a fresh cancellation channel and cancellable channel
// operations, as ExecuteWithContext does before it runs code.
func (c *runControl) arm() {
	c.mu.Lock()
	*c.done = make(chan struct{})
	*c.cancelChan = true
	c.closed = false
	c.mu.Unlock()
}

// stopped returns a channel that stop closes: the one interpreted code
// blocked in a channel operation or a sleep watches.
func (c *runControl) stopped() <-chan struct{} {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return *c.done
}

// stop makes every running interpreted frame, in any goroutine, stop at its
// next step, and wakes those blocked on channel operations: yaegi's stop.
func (c *runControl) stop() {
	atomic.AddUint64(c.id, 1)
	c.mu.Lock()
	if !c.closed {
		close(*c.done)
		c.closed = true
	}
	c.mu.Unlock()
}
