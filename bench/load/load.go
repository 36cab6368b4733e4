// Command load is a bounded load test of "kernel serve" on loopback: C
// clients, each with its own websocket, run N cells apiece on K kernels
// (client i on kernel i mod K). Every cell prints a line and returns a
// value unique to its client and cell, so a lost or misrouted message
// fails the run. It reports throughput, latency percentiles and the
// resident memory of the server and of the kernel processes.
//
//	go run ./bench/load -clients 20 -cells 200 -kernels 4
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"nmfkernel/bench/internal/kernelbin"
	"nmfkernel/bench/internal/proc"
	"nmfkernel/internal/client"
	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
	"nmfkernel/internal/server"
)

func main() {
	clients := flag.Int("clients", 20, "concurrent clients")
	cells := flag.Int("cells", 200, "cells per client")
	nkernels := flag.Int("kernels", 4, "kernels")
	kernelBin := flag.String("kernel", "", "kernel binary (default: build ./cmd/kernel)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of this process (server and clients) to `file`")
	flag.Parse()
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		defer stop()
	}
	res, err := Run(context.Background(), Config{Clients: *clients, Cells: *cells, Kernels: *nkernels, KernelBin: *kernelBin})
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	fmt.Println(res)
}

// startCPUProfile starts profiling into path and returns the function that
// stops it.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// Config sizes a load run.
type Config struct {
	Clients, Cells, Kernels int
	KernelBin               string
}

// Result is what a run measured.
type Result struct {
	Config
	Elapsed               time.Duration
	P50, P99, Max         time.Duration
	ServerRSS, KernelsRSS int64 // kilobytes
	// Start is, for each kernel, the time from the start request to the
	// kernel's first reply (kernel_info) over a websocket.
	Start []time.Duration
}

func (r Result) String() string {
	n := r.Clients * r.Cells
	return fmt.Sprintf("%d clients × %d cells on %d kernels: %d cells in %.2f s (%.0f cells/s), all replies received and correctly routed\n"+
		"cell round trip: p50 %.2f ms, p99 %.2f ms, max %.2f ms\nresident memory: server %.1f MiB, kernels %.1f MiB in all\n"+
		"kernel start to first reply: %s",
		r.Clients, r.Cells, r.Kernels, n, r.Elapsed.Seconds(), float64(n)/r.Elapsed.Seconds(),
		ms(r.P50), ms(r.P99), ms(r.Max), float64(r.ServerRSS)/1024, float64(r.KernelsRSS)/1024, startTimes(r.Start))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func startTimes(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%.0f ms", ms(d))
	}
	return strings.Join(parts, ", ")
}

// Run starts a server, runs the load and shuts everything down.
func Run(ctx context.Context, cfg Config) (Result, error) {
	res := Result{Config: cfg}
	bin := cfg.KernelBin
	if bin == "" {
		built, cleanup, err := kernelbin.Build()
		if err != nil {
			return res, err
		}
		defer cleanup()
		bin = built
	}
	srv, err := server.New(server.Options{Addr: "127.0.0.1:0", Kernels: kernels.Options{Command: []string{bin, "jupyter"}}})
	if err != nil {
		return res, err
	}
	if _, err := srv.Listen(); err != nil {
		return res, err
	}
	go srv.Serve()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	c := client.New("http://"+srv.Addr(), srv.Token())
	ids := make([]string, cfg.Kernels)
	for i := range ids {
		t0 := time.Now()
		k, err := c.StartKernel(ctx, "")
		if err != nil {
			return res, err
		}
		ids[i] = k.ID
		conn, err := c.Connect(ctx, k.ID)
		if err != nil {
			return res, err
		}
		_, err = conn.Request(ctx, "shell", "kernel_info_request", map[string]any{}, nil)
		conn.Close()
		if err != nil {
			return res, fmt.Errorf("kernel_info: %w", err)
		}
		res.Start = append(res.Start, time.Since(t0))
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		firstErr  error
		wg        sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	start := time.Now()
	for i := 0; i < cfg.Clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := c.Connect(ctx, ids[i%cfg.Kernels])
			if err != nil {
				fail(err)
				return
			}
			defer conn.Close()
			for j := 0; j < cfg.Cells; j++ {
				want := strconv.Itoa(i*1_000_000 + j)
				code := fmt.Sprintf("print(%q)\n%s", "c"+want+"\n", want)
				var stream, result string
				t0 := time.Now()
				reply, err := conn.Request(ctx, "shell", "execute_request", map[string]any{"code": code}, func(m *jupyter.Message) {
					var c struct {
						Text string
						Data map[string]any
					}
					m.DecodeContent(&c)
					switch m.Header.MsgType {
					case "stream":
						stream += c.Text
					case "execute_result":
						result, _ = c.Data["text/plain"].(string)
					}
				})
				d := time.Since(t0)
				if err != nil {
					fail(fmt.Errorf("client %d cell %d: %w", i, j, err))
					return
				}
				if !strings.Contains(string(reply.Content), `"status":"ok"`) || result != want || stream != "c"+want+"\n" {
					fail(fmt.Errorf("client %d cell %d: reply %s, result %q, stream %q: lost or misrouted", i, j, reply.Content, result, stream))
					return
				}
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if firstErr != nil {
		return res, firstErr
	}
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	res.P50 = latencies[len(latencies)/2]
	res.P99 = latencies[len(latencies)*99/100]
	res.Max = latencies[len(latencies)-1]
	res.ServerRSS = proc.RSS(os.Getpid())
	for _, pid := range proc.Children(os.Getpid()) {
		res.KernelsRSS += proc.RSS(pid)
	}
	return res, nil
}
