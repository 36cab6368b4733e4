//go:build linux

// Command hub measures kernel serve as JupyterHub's single-user server
// beside Jupyter's own (jupyterhub-singleuser, with the nmfkernel
// kernelspec), started by one JupyterHub in one run: alice's server is
// `kernel serve --hub`, carol's is jupyterhub-singleuser. For each, in
// alternating rounds, it times "start my server" (the hub's API) until a
// cell's output arrives over a websocket through the hub's proxy, and
// reads the server process's resident memory after it has sat idle,
// before any kernel starts.
//
//	go run ./bench/hub -rounds 5
//
// It needs Debian's jupyterhub, node-configurable-http-proxy and
// jupyter-notebook (which jupyterhub-singleuser 3.0 runs), and reads
// /proc, so it runs on Linux.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"nmfkernel/bench/internal/kernelbin"
	"nmfkernel/bench/internal/proc"
	"nmfkernel/internal/hubtest"
)

func main() {
	rounds := flag.Int("rounds", 5, "starts of each server")
	idle := flag.Duration("idle", 5*time.Second, "how long a server sits idle before its memory is read")
	flag.Parse()
	if err := run(*rounds, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "hub:", err)
		os.Exit(1)
	}
}

// sample is one start of a user's server.
type sample struct {
	toOutput time.Duration // "start my server" until the cell's output
	ready    time.Duration // "start my server" until the hub calls it ready
	rss      int64         // the idle server's resident memory, kB
}

func run(rounds int, idle time.Duration) error {
	if m := hubtest.Missing(); m != "" {
		return fmt.Errorf("%s", m)
	}
	if _, err := exec.LookPath("jupyterhub-singleuser"); err != nil {
		return fmt.Errorf("needs jupyterhub-singleuser (apt-get install jupyterhub jupyter-notebook): %w", err)
	}
	bin, cleanup, err := kernelbin.Build()
	if err != nil {
		return err
	}
	defer cleanup()
	dir, err := os.MkdirTemp("", "bench-hub-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Jupyter's server finds the nmfkernel kernelspec in JUPYTER_PATH.
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		return fmt.Errorf("kernel install: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rounds)*5*time.Minute)
	defer cancel()
	jupyter := []string{"jupyterhub-singleuser"}
	if os.Getuid() == 0 {
		jupyter = append(jupyter, "--allow-root") // Notebook refuses root without it
	}
	h, err := hubtest.Start(ctx, hubtest.Options{
		Kernel: bin, Dir: dir,
		Commands: map[string][]string{"carol": jupyter},
		Env:      map[string]string{"JUPYTER_PATH": filepath.Join(prefix, "share", "jupyter"), "XDG_DATA_HOME": filepath.Join(dir, "share")},
	})
	if err != nil {
		return err
	}
	defer h.Close()
	users := []string{"alice", "carol"}
	names := map[string]string{"alice": "kernel serve --hub", "carol": "jupyterhub-singleuser (Notebook 6.4) + nmfkernel kernelspec"}
	tokens := map[string]string{}
	for _, u := range users {
		if err := h.AddUser(ctx, u); err != nil {
			return err
		}
		if tokens[u], err = h.Token(ctx, u, 0); err != nil {
			return err
		}
	}
	results := map[string][]sample{}
	for r := range rounds {
		for _, u := range users {
			s, err := startOnce(ctx, h, u, tokens[u], idle)
			if err != nil {
				return fmt.Errorf("round %d, %s: %w\nhub log:\n%s", r+1, names[u], err, h.Log())
			}
			fmt.Printf("round %d  %-62s  ready %7.0f ms  to output %7.0f ms  idle RSS %5.1f MB\n", r+1, names[u],
				ms(s.ready), ms(s.toOutput), float64(s.rss)/1024)
			results[u] = append(results[u], s)
		}
	}
	fmt.Printf("\nmedians of %d starts each (server idle %v before its memory is read):\n", rounds, idle)
	fmt.Printf("%-62s  %10s  %16s  %13s\n", "single-user server", "ready", "start → output", "idle RSS")
	for _, u := range users {
		fmt.Printf("%-62s  %7.0f ms  %13.0f ms  %10.1f MB\n", names[u],
			ms(median(results[u], func(s sample) float64 { return float64(s.ready) })),
			ms(median(results[u], func(s sample) float64 { return float64(s.toOutput) })),
			median(results[u], func(s sample) float64 { return float64(s.rss) })/1024)
	}
	return nil
}

func ms[T float64 | time.Duration](d T) float64 { return float64(d) / float64(time.Millisecond) }

func median(s []sample, f func(sample) float64) float64 {
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = f(x)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

// startOnce starts user's server, waits for a cell's output, stops it,
// and then starts it again to read its idle memory before any kernel.
func startOnce(ctx context.Context, h *hubtest.Hub, user, token string, idle time.Duration) (sample, error) {
	var s sample
	t0 := time.Now()
	srv, err := h.StartServer(ctx, user)
	if err != nil {
		return s, err
	}
	s.ready = time.Since(t0)
	out, err := hubtest.RunCell(ctx, h.URL+srv.URL, token, `import "fmt"`+"\n"+`fmt.Println(6 * 7)`)
	if err != nil {
		return s, err
	}
	s.toOutput = time.Since(t0)
	if out != "42\n" {
		return s, fmt.Errorf("the cell printed %q", out)
	}
	if err := h.StopServer(ctx, user); err != nil {
		return s, err
	}
	// The idle server: started, nothing run.
	if srv, err = h.StartServer(ctx, user); err != nil {
		return s, err
	}
	time.Sleep(idle)
	if srv.State.PID == 0 {
		return s, fmt.Errorf("the hub does not report %s's server's process", user)
	}
	s.rss = proc.RSS(srv.State.PID)
	return s, h.StopServer(ctx, user)
}
