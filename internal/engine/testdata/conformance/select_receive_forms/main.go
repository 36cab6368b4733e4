package main

import (
	"context"
	"fmt"
	"time"
)

// A worker pool's plumbing: channels kept in structs, receives that
// check for closed channels, sends of constants to typed channels.

type pipe struct {
	in   <-chan int
	out  chan<- float64
	done chan struct{}
}

func (p *pipe) next(ctx context.Context) (v int, ok bool) {
	select {
	case <-ctx.Done():
	case v, ok = <-p.in:
	}
	return v, ok
}

func order() []string {
	var log []string
	ch := func(name string, c chan int) chan int { log = append(log, name); return c }
	a, b := make(chan int, 1), make(chan int, 1)
	b <- 7
	select {
	case v, ok := <-ch("a", a):
		log = append(log, fmt.Sprint("a got ", v, ok))
	case v, ok := <-ch("b", b):
		log = append(log, fmt.Sprint("b got ", v, ok))
	}
	return log
}

func main() {
	in := make(chan int, 3)
	out := make(chan float64, 3)
	p := &pipe{in: in, out: out, done: make(chan struct{})}
	in <- 1
	in <- 2
	close(in)
	ctx := context.Background()
	for {
		v, ok := p.next(ctx)
		if !ok {
			break
		}
		select {
		case p.out <- 1:
		case <-p.done:
		}
		fmt.Println("got", v)
	}
	fmt.Println(len(out), <-out)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	fmt.Println(p.next(cctx))
	var last int
	var open bool
	results := make(chan int, 1)
	results <- 42
	timeout := time.After(time.Second)
	select {
	case last, open = <-results:
	case <-timeout:
	}
	fmt.Println(last, open)
	fmt.Println(order())
}
