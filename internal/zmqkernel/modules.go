package zmqkernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/gomod"
	"nmfkernel/internal/jupyter"
	"nmfkernel/symbols"
)

// ResumeEnv names the environment variable through which a kernel that
// replaced itself with a binary having more packages compiled in tells its
// successor (the same process) where the session's state is.
const ResumeEnv = "NMFKERNEL_RESUME"

// compiledIn is what this binary has compiled in beyond the kernel's own
// packages.
func compiledIn() gomod.Kernel {
	return gomod.Kernel{Packages: slices.Clone(symbols.ModulePackages), Modules: gomod.ParseModules(symbols.Modules), Instances: gomod.ParseInstances(symbols.ModuleInstances)}
}

// moduleRequest is what a cell needs that this binary lacks, or nil.
func (k *Kernel) moduleRequest(dirs gomod.Directives, code string) *gomod.Request {
	var req gomod.Request
	req.Packages = k.eng.Missing(append(engine.Imports(code), dirs.Packages...))
	for _, p := range dirs.Pins {
		i := slices.IndexFunc(k.have.Modules, func(m gomod.Module) bool { return m.Path == p.Path })
		if i < 0 || p.Version != "latest" && p.Version != k.have.Modules[i].Version {
			req.Pins = append(req.Pins, p)
		}
	}
	if len(req.Packages) == 0 && len(req.Pins) == 0 {
		return nil
	}
	return &req
}

// directiveOutput is what %go lines print: the modules a %go get made
// available, and for %go list everything compiled in. It is the same
// whether or not the kernel had to be built, so that notebooks re-run
// to the same outputs.
func (k *Kernel) directiveOutput(dirs gomod.Directives) string {
	var b strings.Builder
	for _, p := range dirs.Pins {
		for _, m := range k.have.Modules {
			if m.Path == p.Path {
				fmt.Fprintf(&b, "%s %s\n", m.Path, m.Version)
			}
		}
	}
	if dirs.List {
		if len(k.have.Packages) == 0 {
			b.WriteString("no packages compiled in beyond the kernel's own\n")
		}
		for _, p := range k.have.Packages {
			mod, _ := gomod.ModuleOf(p, k.have.Modules)
			fmt.Fprintf(&b, "%s\t%s %s\n", p, mod.Path, mod.Version)
		}
	}
	return b.String()
}

// withModules adds to an execute_reply the modules this kernel has compiled
// in at the notebook's request, in the message metadata
// ({"nmfkernel": {"modules": [{path, version, sum}]}}), for front ends
// that record them in the notebook (kernel run, the app).
func (k *Kernel) withModules(content map[string]any) any {
	if len(k.have.Modules) == 0 {
		return content
	}
	return withMetadata{content, map[string]any{"nmfkernel": map[string]any{"modules": k.have.Modules}}}
}

// cellError is a cell's error named name (ModuleError for a failed
// build, DirectiveError for a malformed %go line): the message's first
// line, then the rest (what to do, the go command's words).
func cellError(name string, err error) *engine.CellError {
	lines := strings.Split(err.Error(), "\n")
	tb := append([]string{name + ": " + lines[0]}, lines[1:]...)
	return &engine.CellError{Name: name, Value: err.Error(), Traceback: tb, Err: err}
}

// resumeState is what a kernel hands to the binary that replaces it.
type resumeState struct {
	Replay []string // the session's cells that ran to the end, oldest first
	// ReplayCounts are their execution counts, to name them.
	ReplayCounts []int
	Count        int            // the execution count
	Pending      []savedMessage // the request that asked for the build, then those queued behind it
	// Subscribers is how many iopub subscribers there were: the successor
	// waits for them to reconnect before it speaks.
	Subscribers int
}

type savedMessage struct {
	Identities   [][]byte
	Header       jupyter.Header
	ParentHeader *jupyter.Header
	Metadata     map[string]any
	Content      json.RawMessage
	Buffers      [][]byte
}

// buildAndReplace builds a kernel binary that has what req asks for and
// replaces this process with it, handing over the session (its cells are
// re-run there) and the pending requests. It returns only on failure,
// with the sockets still open.
func (k *Kernel) buildAndReplace(ctx context.Context, m *jupyter.Message, req *gomod.Request) error {
	if k.opt.Modules == nil {
		return &gomod.Error{Package: strings.Join(append(req.Packages, pinStrings(req.Pins)...), ", "),
			Problem: "is not compiled into this kernel, and this kernel cannot build one that has it",
			Hint:    "Run the notebook in a kernel process (kernel run without --in-process, kernel serve, or Jupyter)."}
	}
	// The build's steps are progress, not errors: they go to stdout, each
	// with the time since the build started, and a long step says it is
	// still going every 10 s.
	start := time.Now()
	var sayMu sync.Mutex
	lastSaid := start
	say := func(format string, args ...any) {
		sayMu.Lock()
		defer sayMu.Unlock()
		lastSaid = time.Now()
		k.publish("stream", &m.Header, map[string]string{"name": "stdout", "text": fmt.Sprintf(format, args...) + "\n"})
	}
	what := append(slices.Clone(req.Packages), pinStrings(req.Pins)...)
	for _, in := range req.Instances {
		what = append(what, in.Expr(func(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }))
	}
	say("nmfkernel: %s: not compiled into this kernel; building a kernel that has it (the first build of a module takes a minute or two).", strings.Join(what, ", "))
	b := *k.opt.Modules
	b.Progress = func(line string) { say("  %5.1f s  %s", time.Since(start).Seconds(), line) }
	ticker := time.NewTicker(time.Second)
	tickDone := make(chan struct{})
	go func() {
		defer ticker.Stop()
		for {
			select {
			case <-tickDone:
				return
			case <-ticker.C:
				sayMu.Lock()
				quiet := time.Since(lastSaid)
				sayMu.Unlock()
				if quiet >= buildHeartbeat {
					say("  %5.1f s  still building…", time.Since(start).Seconds())
				}
			}
		}
	}()
	build, err := b.Build(ctx, k.have, *req)
	close(tickDone)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return &gomod.Error{Package: strings.Join(what, ", "), Problem: "the build was interrupted; nothing changed"}
		}
		return err
	}
	for _, mod := range build.Kernel.Modules {
		say("  %5.1f s  has %s %s", time.Since(start).Seconds(), mod.Path, mod.Version)
	}
	if !canReplaceProcess {
		return &gomod.Error{Package: strings.Join(what, ", "), Problem: "a kernel that has it was built, but this system cannot replace a running kernel process",
			Hint: "Start the kernel from " + build.Binary + " instead (kernel install there), and run the notebook again."}
	}
	if st, err := os.Stat(build.Binary); err != nil || st.Mode()&0o111 == 0 {
		return fmt.Errorf("the built kernel %s cannot be run: %v", build.Binary, err)
	}
	// The new kernel must start before this one gives way: a package whose
	// init panics or exits would otherwise take the session with it, on
	// every retry (the binary is cached). Its cache entry goes, so that a
	// fixed version is built afresh.
	if err := checkKernelStarts(ctx, build.Binary); err != nil {
		os.RemoveAll(filepath.Dir(build.Binary))
		return &gomod.Error{Package: strings.Join(what, ", "), Problem: "the kernel built with it does not start, so this kernel and its session stay as they were: " + err.Error(),
			Hint: "A package's init function fails (a panic, or os.Exit). Try another version (%go get MODULE@VERSION), or leave the package out."}
	}
	if build.Cached {
		say("  (built before; ready in %.1f s)", time.Since(start).Seconds())
	} else {
		say("  (built in %.0f s)", time.Since(start).Seconds())
	}
	if n := len(k.replay); n > 0 {
		say("nmfkernel: the session moves to the new kernel, which re-runs the %d cells that ran before (without their output) to restore their variables.", n)
	}
	state := resumeState{Replay: k.replay, ReplayCounts: k.replayCounts, Subscribers: k.iopub.Subscribers()}

	count := k.eng.ExecutionCount()
	if req.Instances != nil && count > 0 {
		count-- // the cell's check counted it; it runs again in the new kernel
	}
	state.Count = count
	pending := []*jupyter.Message{m}
	for queued := true; queued; {
		select {
		case q := <-k.shellQueue:
			pending = append(pending, q)
		default:
			queued = false
		}
	}
	for _, p := range pending {
		state.Pending = append(state.Pending, savedMessage{p.Identities, p.Header, p.ParentHeader, p.Metadata, p.Content, p.Buffers})
	}
	f, err := os.CreateTemp("", "nmfkernel-resume-*.json")
	if err != nil {
		return fmt.Errorf("save the session for the new kernel: %w", err)
	}
	if err := json.NewEncoder(f).Encode(state); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("save the session for the new kernel: %w", err)
	}
	f.Close()

	// From here there is no way back: the sockets close and the process
	// becomes the new kernel.
	k.closeSockets()
	env := append(os.Environ(), ResumeEnv+"="+f.Name())
	err = replaceProcess(build.Binary, os.Args[1:], env)
	k.log.Printf("could not start the built kernel %s: %v", build.Binary, err)
	os.Remove(f.Name()) // it holds the session's cells
	os.Exit(70)
	return nil
}

// checkKernelStarts runs bin's version command, which starts the program
// (every package's init runs) and exits; it reports what it printed when
// it fails.
func checkKernelStarts(ctx context.Context, bin string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, lastLines(string(out), 6))
	}
	return nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func pinStrings(ms []gomod.Module) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.String())
	}
	return s
}

// loadResume reads and removes the state file a previous kernel left.
func loadResume(path string) (*resumeState, error) {
	data, err := os.ReadFile(path)
	os.Remove(path)
	if err != nil {
		return nil, fmt.Errorf("read the session the previous kernel left: %w", err)
	}
	var st resumeState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("read the session the previous kernel left: %w", err)
	}
	return &st, nil
}

// resume carries on the session of the kernel this process replaced: once
// the clients are back, it re-runs the session's cells without output,
// clears the build messages of the request that asked for this kernel and
// queues that request and the ones behind it. Cells that fail now are
// reported: their variables are not restored.
func (k *Kernel) resume(st *resumeState) {
	start := time.Now()
	for deadline := start.Add(resumeWait); k.iopub.Subscribers() < st.Subscribers && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	k.log.Printf("resumed a session of %d cells with %d requests pending; %d of %d iopub subscribers back after %v",
		len(st.Replay), len(st.Pending), k.iopub.Subscribers(), st.Subscribers, time.Since(start).Round(time.Millisecond))
	time.Sleep(reconnectGrace)
	var pending []*jupyter.Message
	for _, p := range st.Pending {
		pending = append(pending, &jupyter.Message{Identities: p.Identities, Header: p.Header, ParentHeader: p.ParentHeader,
			Metadata: p.Metadata, Content: p.Content, Buffers: p.Buffers, Channel: "shell"})
	}
	var first *jupyter.Header
	if len(pending) > 0 {
		first = &pending[0].Header
	}
	k.publish("status", first, map[string]string{"execution_state": "busy"})
	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	k.cancelRun = cancel
	k.mu.Unlock()
	var failed []string
	for i, code := range st.Replay {
		if ctx.Err() != nil {
			failed = append(failed, fmt.Sprintf("cells %d to %d were not re-run (interrupted)", i+1, len(st.Replay)))
			break
		}
		_, code, _ := gomod.ParseDirectives(code)
		res := k.eng.Execute(ctx, code, engine.ExecOptions{NoHistory: true}, func(engine.Event) {})
		if res.Err != nil {
			failed = append(failed, fmt.Sprintf("cell %d of %d: %s: %s", i+1, len(st.Replay), res.Err.Name, firstLine(res.Err.Value)))
		}
	}
	k.mu.Lock()
	k.cancelRun = nil
	k.mu.Unlock()
	cancel()
	k.replay, k.replayCounts = st.Replay, st.ReplayCounts
	k.eng.SetExecutionCount(st.Count)
	if first != nil {
		k.publish("clear_output", first, map[string]bool{"wait": false})
		if note := replayNote(st.Replay, st.ReplayCounts); note != "" {
			k.publish("stream", first, map[string]string{"name": "stdout", "text": note})
		}
		if len(failed) > 0 {
			k.publish("stream", first, map[string]string{"name": "stderr", "text": "nmfkernel: the session moved to a kernel with the new packages, but re-running its cells failed here, so what they define is missing:\n  " +
				strings.Join(failed, "\n  ") + "\n"})
		}
	}
	if first == nil {
		k.publish("status", nil, map[string]string{"execution_state": "idle"})
	}
	// The first pending request is still busy: handling it again sends
	// its idle.
	for _, p := range pending {
		k.shellQueue <- p
	}
}

// buildHeartbeat is how long a module build may be silent before it says
// it is still going.
const buildHeartbeat = 10 * time.Second

// replayNote names the cells a kernel that replaced itself re-ran, and
// warns where their values may differ from the first run's: cells that
// read the clock, random numbers, files or the network.
func replayNote(cells []string, counts []int) string {
	if len(cells) == 0 {
		return ""
	}
	name := func(i int) string {
		if i < len(counts) && counts[i] > 0 {
			return fmt.Sprintf("[%d]", counts[i])
		}
		return fmt.Sprintf("#%d", i+1)
	}
	var names []string
	for i := range cells {
		names = append(names, name(i))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "nmfkernel: this kernel has the new packages; it re-ran cells %s to restore the session's variables.\n", strings.Join(names, ", "))
	for i, code := range cells {
		var kinds []string
		for _, v := range volatile {
			if v.re.MatchString(code) {
				kinds = append(kinds, v.what)
			}
		}
		if len(kinds) > 0 {
			fmt.Fprintf(&b, "  cell %s %s: its values may differ from the first run's.\n", name(i), strings.Join(kinds, ", "))
		}
	}
	return b.String()
}

// volatile are the things a re-run cell may get differently.
var volatile = []struct {
	what string
	re   *regexp.Regexp
}{
	{"reads the clock", regexp.MustCompile(`\btime\.(Now|Since|Until|Tick|After)\b`)},
	{"draws random numbers", regexp.MustCompile(`\brand\.\w+|nmf\.InitRandom\b`)},
	{"reads files", regexp.MustCompile(`\bos\.(ReadFile|Open|OpenFile|ReadDir|Stat)\b|\bnmf\.Read\w*|\bcsv\.NewReader\b`)},
	{"uses the network", regexp.MustCompile(`\bhttp\.\w+|\bnet\.\w+`)},
}

// resumeWait bounds the wait for the clients to reconnect to a kernel
// that replaced itself; reconnectGrace lets their other sockets follow.
const (
	resumeWait     = 5 * time.Second
	reconnectGrace = 300 * time.Millisecond
)

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
