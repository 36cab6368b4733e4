//go:build linux

// Command soak runs "kernel serve" (in this process, with real kernel
// processes) under clients and faults for a set time on loopback: C
// clients run cells on K kernels — small ones, large outputs, cells they
// walk away from mid-run, readers that stall — while faults strike at
// random: a kernel killed with SIGKILL, restarts fired concurrently,
// interrupts. It checks that every request ends in its reply or a clear
// error (the kernel died, the connection was dropped), never hangs; that
// after shutdown no kernel process or connection file is left; and that
// the server's goroutines and memory return to their baseline.
//
//	go run ./bench/soak -clients 8 -kernels 3 -duration 30m
//
// It reads /proc, so it runs on Linux.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"nmfkernel/bench/internal/kernelbin"
	"nmfkernel/bench/internal/proc"
	"nmfkernel/internal/client"
	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
	"nmfkernel/internal/server"
)

func main() {
	clients := flag.Int("clients", 8, "concurrent clients")
	nkernels := flag.Int("kernels", 3, "kernels")
	duration := flag.Duration("duration", time.Minute, "how long to run")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	res, err := Run(context.Background(), Config{Clients: *clients, Kernels: *nkernels, Duration: *duration, Seed: *seed})
	fmt.Println(res)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// Config sizes a soak run.
type Config struct {
	Clients, Kernels int
	Duration         time.Duration
	Seed             uint64
}

// Result counts what happened.
type Result struct {
	Config
	Elapsed time.Duration
	// Outcomes counts requests by how they ended: "ok", "kernel died",
	// "dropped" (the client walked away or was dropped), "interrupted",
	// "aborted" (queued behind an interrupted cell), "error reply".
	Outcomes map[string]int64
	// Faults counts the faults injected, by kind.
	Faults map[string]int64
	// Goroutines and RSS (KB) of this process: after start-up, and after
	// the clients and kernels are gone.
	GoroutinesBefore, GoroutinesAfter int
	RSSBefore, RSSAfter               int64
	// Leftovers are kernel processes or files that outlived the server.
	Leftovers []string
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soak: %d clients on %d kernels for %v\n", r.Clients, r.Kernels, r.Elapsed.Round(time.Second))
	keys := func(m map[string]int64) []string {
		var k []string
		for x := range m {
			k = append(k, x)
		}
		sort.Strings(k)
		return k
	}
	b.WriteString("requests:")
	for _, k := range keys(r.Outcomes) {
		fmt.Fprintf(&b, " %s %d,", k, r.Outcomes[k])
	}
	b.WriteString("\nfaults:")
	for _, k := range keys(r.Faults) {
		fmt.Fprintf(&b, " %s %d,", k, r.Faults[k])
	}
	fmt.Fprintf(&b, "\ngoroutines %d → %d, RSS %d → %d MB, leftovers %d %v", r.GoroutinesBefore, r.GoroutinesAfter, r.RSSBefore>>10, r.RSSAfter>>10, len(r.Leftovers), r.Leftovers)
	return b.String()
}

// requestLimit is how long any request may take before the run counts it
// as hung.
const requestLimit = 2 * time.Minute

// Run runs the soak test.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Config: cfg, Outcomes: map[string]int64{}, Faults: map[string]int64{}}
	bin, cleanup, err := kernelbin.Build()
	if err != nil {
		return res, err
	}
	defer cleanup()
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Kernels: kernels.Options{Command: []string{bin, "jupyter"}, MaxRestarts: 1 << 20}})
	if err != nil {
		return res, err
	}
	if _, err := srv.Listen(); err != nil {
		return res, err
	}
	go srv.Serve()
	res.GoroutinesBefore, res.RSSBefore = settledGoroutines(0), proc.RSS(os.Getpid())
	c := client.New("http://"+srv.Addr(), srv.Token())
	ids := make([]string, cfg.Kernels)
	for i := range ids {
		k, err := c.StartKernel(ctx, "")
		if err != nil {
			return res, err
		}
		ids[i] = k.ID
	}

	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	count := func(m map[string]int64, k string) {
		mu.Lock()
		m[k]++
		mu.Unlock()
	}
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var stopping atomic.Bool

	// Faults.
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(cfg.Seed, 99))
		for time.Now().Before(deadline) {
			time.Sleep(time.Duration(1000+rng.IntN(3000)) * time.Millisecond)
			id := ids[rng.IntN(len(ids))]
			switch rng.IntN(3) {
			case 0:
				for _, pid := range kernelPIDs(id) {
					syscall.Kill(pid, syscall.SIGKILL)
				}
				count(res.Faults, "kill -9")
			case 1:
				n := 2 + rng.IntN(3)
				var rw sync.WaitGroup
				for range n {
					rw.Add(1)
					go func() {
						defer rw.Done()
						rctx, cancel := context.WithTimeout(ctx, requestLimit)
						defer cancel()
						if err := c.Restart(rctx, id); err != nil {
							fail(fmt.Errorf("restart %s: %w", id, err))
						}
					}()
				}
				rw.Wait()
				count(res.Faults, "concurrent restarts")
			case 2:
				c.Interrupt(ctx, id)
				count(res.Faults, "interrupt")
			}
		}
	}()

	// Clients.
	for i := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
			for j := 0; time.Now().Before(deadline) && !stopping.Load(); j++ {
				id := ids[(i+j)%len(ids)]
				outcome, err := clientStep(ctx, c, id, rng, i, j)
				if err != nil {
					fail(fmt.Errorf("client %d step %d on kernel %s: %w", i, j, id, err))
					stopping.Store(true)
					return
				}
				count(res.Outcomes, outcome)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	sctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	runtimeDirs := map[string]bool{}
	for _, id := range ids {
		_, files := proc.Kernel(id)
		for _, f := range files {
			runtimeDirs[filepath.Dir(f)] = true
		}
	}
	srv.Shutdown(sctx)
	time.Sleep(time.Second)
	for _, id := range ids {
		for _, pid := range kernelPIDs(id) {
			res.Leftovers = append(res.Leftovers, "process "+strconv.Itoa(pid))
		}
	}
	for d := range runtimeDirs {
		if _, err := os.Stat(d); err == nil {
			res.Leftovers = append(res.Leftovers, d)
		}
	}
	runtime.GC()
	res.GoroutinesAfter, res.RSSAfter = settledGoroutines(res.GoroutinesBefore), proc.RSS(os.Getpid())
	switch {
	case firstErr != nil:
		return res, firstErr
	case len(res.Leftovers) > 0:
		return res, fmt.Errorf("left behind: %v", res.Leftovers)
	case res.GoroutinesAfter > res.GoroutinesBefore+2:
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		return res, fmt.Errorf("goroutines did not return to their baseline: %d → %d (stacks above)", res.GoroutinesBefore, res.GoroutinesAfter)
	}
	return res, nil
}

// clientStep connects, runs one kind of request and reports how it ended;
// an error is a request that neither got its reply nor a clear error.
func clientStep(ctx context.Context, c *client.Client, id string, rng *rand.Rand, i, j int) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, requestLimit)
	defer cancel()
	conn, err := c.Connect(cctx, id)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	want := strconv.Itoa(i*1_000_000 + j)
	var code string
	kind := rng.IntN(10)
	switch {
	case kind < 6: // a small cell
		code = fmt.Sprintf("print(%q)\n%s", "c"+want+"\n", want)
	case kind < 8: // a large output
		code = "import (\"fmt\"; \"strings\")\nline := strings.Repeat(\"y\", 999)\nfor range 2000 { fmt.Println(line) }\n" + want
	case kind < 9: // walk away mid-cell
		go conn.Request(cctx, "shell", "execute_request", map[string]any{"code": "import \"time\"\ntime.Sleep(300 * time.Millisecond)"}, nil)
		time.Sleep(50 * time.Millisecond)
		return "dropped", nil
	default: // a stalled reader beside a large output
		stalled, err := c.Connect(cctx, id)
		if err == nil {
			defer stalled.Close()
		}
		code = "import (\"fmt\"; \"strings\")\nline := strings.Repeat(\"z\", 999)\nfor range 5000 { fmt.Println(line) }\n" + want
	}
	var result string
	var seen []string // what the request received, for the report of a hang
	reply, err := conn.Request(cctx, "shell", "execute_request", map[string]any{"code": code}, func(m *jupyter.Message) {
		seen = append(seen, m.Header.MsgType)
		if m.Header.MsgType == "execute_result" {
			var c struct{ Data map[string]any }
			m.DecodeContent(&c)
			result, _ = c.Data["text/plain"].(string)
		}
	})
	switch {
	case errors.Is(err, client.ErrKernelDied):
		return "kernel died", nil
	case err != nil && cctx.Err() != nil:
		if len(seen) > 8 {
			seen = append(seen[:4], append([]string{"…"}, seen[len(seen)-4:]...)...)
		}
		return "", fmt.Errorf("no reply within %v to a cell of kind %d; it received %v", requestLimit, kind, seen)
	case err != nil && strings.Contains(err.Error(), "connection closed"):
		return "dropped", nil
	case err != nil:
		return "", err
	case strings.Contains(string(reply.Content), `"ename":"Interrupt"`), strings.Contains(string(reply.Content), `"ename": "Interrupt"`):
		return "interrupted", nil
	case strings.Contains(string(reply.Content), `"status":"ok"`) && result == want:
		return "ok", nil
	case strings.Contains(string(reply.Content), `"status":"aborted"`):
		// Queued behind a cell that failed (an interrupt): the kernel
		// aborts it, as ipykernel does.
		return "aborted", nil
	case strings.Contains(string(reply.Content), `"status":"error"`):
		// A kernel restarted between cells has lost its state: an error
		// reply is a reply.
		return "error reply", nil
	}
	return "", fmt.Errorf("reply %s with result %q, want %s: lost or misrouted", reply.Content, result, want)
}

// settledGoroutines waits for this process's goroutine count to stop
// falling (at most ten seconds) and returns it.
func settledGoroutines(target int) int {
	n := runtime.NumGoroutine()
	for range 100 {
		if target > 0 && n <= target {
			return n
		}
		time.Sleep(100 * time.Millisecond)
		m := runtime.NumGoroutine()
		if target == 0 && m == n {
			return n
		}
		n = m
	}
	return n
}

// kernelPIDs lists the running processes of a kernel.
func kernelPIDs(id string) []int {
	pids, _ := proc.Kernel(id)
	return pids
}
