// Package kernels starts and looks after kernel processes for the server,
// as jupyter_server's kernel manager does: every kernel is its own OS
// process ("kernel jupyter -f FILE") on loopback ports with a random key.
// The manager tracks each kernel's execution state from its iopub
// messages, restarts a kernel whose process dies (telling the connected
// clients "restarting", then "idle" or "dead"), interrupts and restarts
// kernels on request, and culls idle ones when asked to.
package kernels

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/zmqtcp"
)

// Errors returned by the manager; the server maps them to status codes.
var (
	ErrNoKernel      = errors.New("no such kernel")
	ErrUnknownName   = errors.New("no such kernel name")
	ErrStartFailed   = errors.New("kernel failed to start")
	ErrManagerClosed = errors.New("kernel manager is shut down")
)

// Options configures a Manager. The zero value runs this program's own
// "jupyter" subcommand as the kernel.
type Options struct {
	// Command is the kernel command line before "-f FILE"; nil means this
	// executable with the argument "jupyter".
	Command []string
	// Name is the kernel name clients ask for; empty means "nmfkernel".
	Name string
	// Dir is the kernels' working directory; empty means the server's.
	Dir string
	// StartTimeout bounds how long a kernel may take to answer its first
	// kernel_info request; zero means 30 s.
	StartTimeout time.Duration
	// CullIdle, if positive, shuts down kernels that have been idle with no
	// connection for that long.
	CullIdle time.Duration
	// MaxRestarts is how many times in a row a dying kernel is restarted
	// before it is declared dead; zero means 5.
	MaxRestarts int
	// IOPubBacklog is how many bytes of a kernel's output a client (an
	// iopub subscriber) may fall behind before it is dropped; zero means
	// 64 MiB.
	IOPubBacklog int
	// Log receives diagnostics; nil discards them.
	Log *log.Logger
}

// State is a kernel's execution state as Jupyter reports it: the states
// its process sends on iopub (idle, busy, starting) and the manager's own
// (restarting, dead).
type State string

// The states the manager sets itself; the process may report others.
const (
	StateStarting   State = "starting"
	StateIdle       State = "idle"
	StateBusy       State = "busy"
	StateRestarting State = "restarting"
	StateDead       State = "dead"
)

// phase is where a kernel is in its life, as its lifecycle goroutine
// (see own) moves it: running, stopping its process for a restart, or
// gone (shut down: nothing may follow).
type phase int

const (
	phaseRunning phase = iota
	phaseStopping
	phaseGone
)

// Model is a kernel as the REST API shows it.
type Model struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	LastActivity   string `json:"last_activity"`
	ExecutionState string `json:"execution_state"`
	Connections    int    `json:"connections"`
}

// Manager owns the server's kernels.
type Manager struct {
	opt        Options
	runtimeDir string

	mu      sync.Mutex
	kernels map[string]*Kernel
	closed  bool
	stop    chan struct{}
}

// NewManager returns a manager; Close shuts its kernels down.
func NewManager(opt Options) (*Manager, error) {
	if opt.Name == "" {
		opt.Name = "nmfkernel"
	}
	if opt.StartTimeout == 0 {
		opt.StartTimeout = 30 * time.Second
	}
	if opt.MaxRestarts == 0 {
		opt.MaxRestarts = 5
	}
	if opt.Log == nil {
		opt.Log = log.New(io.Discard, "", 0)
	}
	if opt.Command == nil {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("kernels: find this program: %w", err)
		}
		opt.Command = []string{exe, "jupyter"}
	}
	dir, err := os.MkdirTemp("", "nmfkernel-runtime-")
	if err != nil {
		return nil, fmt.Errorf("kernels: runtime directory: %w", err)
	}
	m := &Manager{opt: opt, runtimeDir: dir, kernels: map[string]*Kernel{}, stop: make(chan struct{})}
	if opt.CullIdle > 0 {
		go m.cull()
	}
	return m, nil
}

// Command is the kernel command line (before "-f FILE").
func (m *Manager) Command() []string { return append([]string(nil), m.opt.Command...) }

// KernelName is the one kernel name this manager starts.
func (m *Manager) KernelName() string { return m.opt.Name }

// Start starts a kernel process in the manager's directory and waits until
// it answers.
func (m *Manager) Start(ctx context.Context, name string) (*Kernel, error) {
	return m.StartWith(ctx, StartOptions{Name: name})
}

// StartOptions says how to start one kernel.
type StartOptions struct {
	// Name is the kernel name; empty means the manager's.
	Name string
	// Dir is the kernel's working directory (restarts keep it); empty
	// means the manager's Dir.
	Dir string
	// Env is added to the server's environment ("NAME=value").
	Env []string
}

// StartWith starts a kernel process as opt says and waits until it
// answers.
func (m *Manager) StartWith(ctx context.Context, opt StartOptions) (*Kernel, error) {
	name := opt.Name
	if name != "" && name != m.opt.Name {
		return nil, fmt.Errorf("%w: %q (this server has %q)", ErrUnknownName, name, m.opt.Name)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrManagerClosed
	}
	m.mu.Unlock()
	k, err := m.newKernel()
	if err != nil {
		return nil, err
	}
	k.dir, k.env = opt.Dir, opt.Env
	if k.dir == "" {
		k.dir = m.opt.Dir
	}
	if err := k.launch(ctx); err != nil {
		os.Remove(k.connFile)
		// Gone before it was ever listed: its lifecycle goroutine ends.
		k.do(func() { k.mu.Lock(); k.life = phaseGone; k.mu.Unlock() })
		return nil, err
	}
	m.mu.Lock()
	m.kernels[k.ID] = k
	m.mu.Unlock()
	k.startMonitor()
	return k, nil
}

func (m *Manager) newKernel() (*Kernel, error) {
	ports, err := jupyter.FreePorts("127.0.0.1", 5)
	if err != nil {
		return nil, err
	}
	var key [32]byte
	rand.Read(key[:])
	id := jupyter.NewID()
	conn := &jupyter.ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], IOPubPort: ports[1], StdinPort: ports[2],
		ControlPort: ports[3], HBPort: ports[4], Key: hex.EncodeToString(key[:]), SignatureScheme: "hmac-sha256", KernelName: m.opt.Name,
	}
	file := filepath.Join(m.runtimeDir, "kernel-"+id+".json")
	b, _ := json.MarshalIndent(conn, "", "  ")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		return nil, fmt.Errorf("kernels: write connection file: %w", err)
	}
	k := &Kernel{ID: id, Name: m.opt.Name, Conn: conn, connFile: file, m: m, state: StateStarting,
		lastActivity: time.Now(), listeners: map[Listener]struct{}{}, signer: jupyter.Signer{Key: []byte(conn.Key)},
		lifecycle: make(chan func()), ownerDone: make(chan struct{})}
	go k.own()
	return k, nil
}

// Get returns a running kernel.
func (m *Manager) Get(id string) (*Kernel, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.kernels[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoKernel, id)
	}
	return k, nil
}

// List returns the models of the running kernels, oldest first.
func (m *Manager) List() []Model {
	m.mu.Lock()
	ks := make([]*Kernel, 0, len(m.kernels))
	for _, k := range m.kernels {
		ks = append(ks, k)
	}
	m.mu.Unlock()
	sort.Slice(ks, func(i, j int) bool { return ks[i].started.Before(ks[j].started) })
	out := make([]Model, len(ks))
	for i, k := range ks {
		out[i] = k.Model()
	}
	return out
}

// Interrupt asks a kernel to stop its running cell.
func (m *Manager) Interrupt(id string) error {
	k, err := m.Get(id)
	if err != nil {
		return err
	}
	_, err = k.control(context.Background(), "interrupt_request", map[string]any{})
	return err
}

// Restart replaces a kernel's process with a fresh one on the same id and
// ports, telling its clients "restarting", then "idle" (or "dead").
func (m *Manager) Restart(ctx context.Context, id string) (*Kernel, error) {
	k, err := m.Get(id)
	if err != nil {
		return nil, err
	}
	// One lifecycle change at a time, made by the kernel's lifecycle
	// goroutine: concurrent restarts, a shutdown and the restart after a
	// death queue there, so any interleaving ends with one monitored
	// process or none.
	err = ErrNoKernel
	ran := k.do(func() {
		if k.phase() == phaseGone {
			return
		}
		k.mu.Lock()
		k.life = phaseStopping
		k.death = "" // a requested restart has no death to report
		k.mu.Unlock()
		k.setState(StateRestarting)
		// Every client hears "restarting", not only the one that asked: a
		// request another client has in flight will get no reply from the
		// old process, and must not wait for one.
		k.restarting(false)
		k.terminate(ctx, true)
		k.mu.Lock()
		k.life = phaseRunning
		k.mu.Unlock()
		if err = k.launch(ctx); err != nil {
			k.setState(StateDead)
			k.restarted(false)
			return
		}
		k.startMonitor()
		k.restarted(true)
	})
	if !ran || errors.Is(err, ErrNoKernel) {
		return nil, fmt.Errorf("%w: %s", ErrNoKernel, id)
	}
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Shutdown stops a kernel and forgets it.
func (m *Manager) Shutdown(ctx context.Context, id string) error {
	k, err := m.Get(id)
	if err != nil {
		return err
	}
	done := false
	ran := k.do(func() {
		if k.phase() == phaseGone {
			return
		}
		m.mu.Lock()
		delete(m.kernels, id)
		m.mu.Unlock()
		k.mu.Lock()
		k.life = phaseGone
		k.mu.Unlock()
		k.terminate(ctx, false)
		os.Remove(k.connFile)
		k.setState(StateDead)
		done = true
	})
	if !ran || !done {
		return fmt.Errorf("%w: %s", ErrNoKernel, id)
	}
	return nil
}

// Close shuts every kernel down and removes the connection files.
func (m *Manager) Close(ctx context.Context) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	close(m.stop)
	ids := make([]string, 0, len(m.kernels))
	for id := range m.kernels {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.Shutdown(ctx, id)
		}()
	}
	wg.Wait()
	return os.RemoveAll(m.runtimeDir)
}

// cull shuts down kernels idle with no connections for CullIdle.
func (m *Manager) cull() {
	tick := time.NewTicker(max(m.opt.CullIdle/4, 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
		}
		for _, model := range m.List() {
			k, err := m.Get(model.ID)
			if err != nil {
				continue
			}
			k.mu.Lock()
			idle := k.state == StateIdle && k.connections == 0 && time.Since(k.lastActivity) > m.opt.CullIdle
			k.mu.Unlock()
			if idle {
				m.opt.Log.Printf("culling kernel %s, idle since %s", k.ID, k.lastActivity.Format(time.RFC3339))
				m.Shutdown(context.Background(), k.ID)
			}
		}
	}
}

// Listener is told when a kernel's process is replaced. notify is set for
// restarts the client did not ask for (the process died): then, as
// jupyter_server does, clients are told "restarting" and then "idle" or
// "dead"; a requested restart is announced by the client's own request.
type Listener interface {
	// KernelRestarting: the kernel's process is being replaced; died is
	// set when it died on its own (DeathReport says what it printed).
	KernelRestarting(died bool)
	// KernelRestarted: the new process runs (ok), or the kernel is dead.
	KernelRestarted(ok bool)
}

// Kernel is one kernel process and what the manager knows about it.
type Kernel struct {
	ID, Name string
	Conn     *jupyter.ConnectionInfo
	connFile string
	m        *Manager
	signer   jupyter.Signer
	dir      string   // working directory
	env      []string // added to the environment

	// lifecycle carries each lifecycle change (restart, shutdown, the
	// restart after a death) to the kernel's own goroutine, which makes
	// them one at a time (see own); ownerDone is closed when it has ended,
	// after the shutdown. mu guards the fields below.
	lifecycle    chan func()
	ownerDone    chan struct{}
	mu           sync.Mutex
	cmd          *exec.Cmd
	exited       chan struct{}
	stderr       *stderrTail // the current process's standard error
	life         phase       // changed by the lifecycle goroutine only
	death        string      // the last death report (DeathReport)
	started      time.Time
	state        State
	lastActivity time.Time
	connections  int
	restarts     int
	listeners    map[Listener]struct{}
	monitorStop  context.CancelFunc
	terminated   chan struct{} // the exited channel of the process last asked to stop
	// iopubSubs receive every iopub message the kernel's one SUB socket
	// reads (see SubscribeIOPub).
	iopubSubs map[*iopubSub]struct{}
}

// iopubSub is one SubscribeIOPub subscription.
type iopubSub struct {
	in      chan [][]byte // from the fan-out, drained at once by move
	msgs    chan [][]byte // to the subscriber
	done    chan struct{} // closed by cancel
	dropped chan struct{} // closed when the subscriber fell too far behind
	limit   int           // bytes the subscriber may fall behind
}

// SubscribeIOPub returns the kernel's iopub messages, as wire frames, from
// now until cancel is called: the ones the manager's own SUB socket
// receives to follow the kernel's state, so that the kernel publishes each
// message once to the server however many clients are connected, and the
// server reads it once (jupyter_server opens a SUB socket per websocket
// and one more to watch activity; one socket fewer per message took the
// websocket round trip's p50 from 0.84–0.88 to 0.76–0.86 ms). The
// subscription lasts across restarts. The frames are shared: read only.
//
// A subscriber that falls Options.IOPubBacklog bytes behind is dropped:
// no more messages, and dropped is closed. Waiting for it would stop the
// manager reading the kernel's iopub, and then the kernel would drop the
// manager's subscription, silencing every client of the kernel.
func (k *Kernel) SubscribeIOPub() (msgs <-chan [][]byte, dropped <-chan struct{}, cancel func()) {
	limit := 64 << 20
	if k.m != nil && k.m.opt.IOPubBacklog > 0 {
		limit = k.m.opt.IOPubBacklog
	}
	// msgs holds a few messages (the subscriber looks at its length to
	// tell whether more are waiting); the rest wait in move's queue.
	sub := &iopubSub{in: make(chan [][]byte, 1024), msgs: make(chan [][]byte, 16), done: make(chan struct{}), dropped: make(chan struct{}), limit: limit}
	k.mu.Lock()
	if k.iopubSubs == nil {
		k.iopubSubs = map[*iopubSub]struct{}{}
	}
	k.iopubSubs[sub] = struct{}{}
	k.mu.Unlock()
	go sub.move(k)
	var once sync.Once
	return sub.msgs, sub.dropped, func() {
		once.Do(func() {
			k.mu.Lock()
			delete(k.iopubSubs, sub)
			k.mu.Unlock()
			close(sub.done)
		})
	}
}

// move queues the subscription's messages until the subscriber takes
// them, counting their bytes; past the limit it drops the subscriber.
func (s *iopubSub) move(k *Kernel) {
	var queue [][][]byte
	queued := 0
	size := func(frames [][]byte) int {
		n := 0
		for _, f := range frames {
			n += len(f)
		}
		return n
	}
	for {
		var out chan [][]byte
		var head [][]byte
		if len(queue) > 0 {
			out, head = s.msgs, queue[0]
		}
		select {
		case frames := <-s.in:
			queue = append(queue, frames)
			queued += size(frames)
			if queued > s.limit {
				k.drop(s)
				return
			}
		case out <- head:
			queue[0] = nil
			queue = queue[1:]
			queued -= size(head)
		case <-s.done:
			return
		}
	}
}

// drop removes a subscriber that fell behind and tells it so.
func (k *Kernel) drop(s *iopubSub) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.iopubSubs[s]; ok {
		delete(k.iopubSubs, s)
		close(s.dropped)
	}
}

// fanOut hands an iopub message to every subscriber without waiting.
func (k *Kernel) fanOut(ctx context.Context, frames [][]byte, subs []*iopubSub) []*iopubSub {
	subs = subs[:0]
	k.mu.Lock()
	for s := range k.iopubSubs {
		subs = append(subs, s)
	}
	k.mu.Unlock()
	for _, s := range subs {
		select {
		case s.in <- frames:
		case <-s.done:
		default:
			k.drop(s) // not even its mover keeps up
		}
	}
	return subs
}

// Model returns the kernel's REST model.
func (k *Kernel) Model() Model {
	k.mu.Lock()
	defer k.mu.Unlock()
	return Model{ID: k.ID, Name: k.Name, LastActivity: k.lastActivity.UTC().Format(time.RFC3339Nano),
		ExecutionState: string(k.state), Connections: k.connections}
}

func (k *Kernel) setState(s State) {
	k.mu.Lock()
	k.state = s
	k.lastActivity = time.Now()
	k.mu.Unlock()
}

// phase returns where the kernel is in its life.
func (k *Kernel) phase() phase {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.life
}

// own is the kernel's lifecycle goroutine: it makes the lifecycle changes
// it is handed, one at a time, and ends after the one that shuts the
// kernel down.
func (k *Kernel) own() {
	defer close(k.ownerDone)
	for change := range k.lifecycle {
		change()
		if k.phase() == phaseGone {
			return
		}
	}
}

// do has the lifecycle goroutine make a change and waits for it; it
// reports false when the kernel is gone and the goroutine has ended.
func (k *Kernel) do(change func()) bool {
	done := make(chan struct{})
	select {
	case k.lifecycle <- func() { defer close(done); change() }:
		<-done
		return true
	case <-k.ownerDone:
		return false
	}
}

// Touch records activity (a client message) now.

// DeathReport returns what the kernel's last process printed when it
// died on its own (its panic and that goroutine's stack), or "".
func (k *Kernel) DeathReport() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.death
}

func (k *Kernel) Touch() {
	k.mu.Lock()
	k.lastActivity = time.Now()
	k.mu.Unlock()
}

// AddListener registers a connection for injected status messages and
// counts it; RemoveListener undoes both.
func (k *Kernel) AddListener(l Listener) {
	k.mu.Lock()
	k.listeners[l] = struct{}{}
	k.connections = len(k.listeners)
	k.mu.Unlock()
}

// RemoveListener unregisters a connection.
func (k *Kernel) RemoveListener(l Listener) {
	k.mu.Lock()
	delete(k.listeners, l)
	k.connections = len(k.listeners)
	k.mu.Unlock()
}

func (k *Kernel) listenerList() []Listener {
	k.mu.Lock()
	defer k.mu.Unlock()
	ls := make([]Listener, 0, len(k.listeners))
	for l := range k.listeners {
		ls = append(ls, l)
	}
	return ls
}

func (k *Kernel) restarting(died bool) {
	for _, l := range k.listenerList() {
		l.KernelRestarting(died)
	}
}

func (k *Kernel) restarted(ok bool) {
	for _, l := range k.listenerList() {
		l.KernelRestarted(ok)
	}
}

// launch starts the process and waits for its first kernel_info_reply.
func (k *Kernel) launch(ctx context.Context) error {
	argv := append(append([]string(nil), k.m.opt.Command...), "-f", k.connFile)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = k.dir
	if len(k.env) > 0 {
		cmd.Env = append(os.Environ(), k.env...)
	}
	stderr := &stderrTail{log: k.m.opt.Log, id: k.ID}
	cmd.Stderr = stderr
	cmd.Stdout = io.Discard
	setProcAttr(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%w: %v", ErrStartFailed, err)
	}
	exited := make(chan struct{})
	k.mu.Lock()
	k.cmd, k.exited, k.started, k.stderr = cmd, exited, time.Now(), stderr
	k.state = StateStarting
	k.mu.Unlock()
	go func() {
		cmd.Wait()
		killGroup(cmd.Process.Pid) // what its cells started dies with it
		close(exited)
		k.processExited(exited)
	}()
	ctx, cancel := context.WithTimeout(ctx, k.m.opt.StartTimeout)
	defer cancel()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		_, err := k.request(attempt, k.Conn.ShellPort, "kernel_info_request", map[string]any{})
		cancelAttempt()
		if err == nil {
			k.setState(StateIdle)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%w: the process exited: %s", ErrStartFailed, strings.TrimSpace(stderr.String()))
		case <-ctx.Done():
			cmd.Process.Kill()
			return fmt.Errorf("%w: no answer within %v", ErrStartFailed, k.m.opt.StartTimeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// processExited restarts a kernel whose process died on its own.
func (k *Kernel) processExited(exited chan struct{}) {
	k.mu.Lock()
	current := k.exited == exited
	// terminated is checked as well as stopping: a restart clears stopping
	// as soon as the old process is gone, possibly before this goroutine
	// runs, and the old process's exit must not count as a death then.
	stopping := k.life != phaseRunning || k.terminated == exited
	k.mu.Unlock()
	if !current || stopping {
		return
	}
	k.do(func() {
		k.mu.Lock()
		current := k.exited == exited && k.life == phaseRunning
		k.mu.Unlock()
		if !current {
			return // a restart or shutdown that was queued has dealt with it
		}
		k.mu.Lock()
		k.restarts++
		tooMany := k.restarts > k.m.opt.MaxRestarts
		k.death = ""
		if k.stderr != nil {
			k.death = k.stderr.deathReport()
		}
		k.mu.Unlock()
		k.m.opt.Log.Printf("kernel %s died; restarting", k.ID)
		k.setState(StateRestarting)
		k.restarting(true)
		if tooMany {
			k.setState(StateDead)
			k.restarted(false)
			return
		}
		if err := k.launch(context.Background()); err != nil {
			k.m.opt.Log.Printf("kernel %s: restart failed: %v", k.ID, err)
			k.setState(StateDead)
			k.restarted(false)
			return
		}
		k.startMonitor()
		k.restarted(true)
	})
}

// terminate asks the process to shut down and kills it if it does not.
func (k *Kernel) terminate(ctx context.Context, restart bool) {
	k.mu.Lock()
	cmd, exited := k.cmd, k.exited
	k.terminated = exited
	if k.monitorStop != nil {
		k.monitorStop()
	}
	k.mu.Unlock()
	if cmd == nil {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	k.control(sctx, "shutdown_request", map[string]any{"restart": restart})
	select {
	case <-exited:
	case <-time.After(3 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

// quickDial returns opts with the dial options of the manager's own
// sockets: a starting kernel binds its ports within milliseconds, and
// zmq4's default 250 ms between dial attempts would dominate the start
// time.
func quickDial(opts ...zmq4.Option) []zmq4.Option {
	return append(opts, zmq4.WithDialerRetry(10*time.Millisecond), zmq4.WithDialerMaxRetries(100))
}

// startMonitor replaces the kernel's monitor with one for its current
// process. The replacement happens here, in the caller, so that monitors
// started one after the other (a death and a requested restart close
// together) cannot swap places: the last started is the one that runs.
func (k *Kernel) startMonitor() {
	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	if k.monitorStop != nil {
		k.monitorStop()
	}
	k.monitorStop = cancel
	exited := k.exited
	k.mu.Unlock()
	go k.monitor(ctx, cancel, exited)
}

// monitor follows the kernel's iopub status messages and hands every iopub
// message to the subscriptions (SubscribeIOPub), until the process exits
// or the monitor is replaced.
func (k *Kernel) monitor(ctx context.Context, cancel context.CancelFunc, exited <-chan struct{}) {
	// Reconnect until the process exits: a kernel that replaces its process
	// comes back on the same ports.
	sub := zmq4.NewSub(ctx, zmq4.WithAutomaticReconnect(true), zmq4.WithDialerRetry(10*time.Millisecond), zmq4.WithDialerMaxRetries(-1))
	defer sub.Close()
	go func() {
		select {
		case <-exited:
		case <-ctx.Done():
		}
		cancel()
		sub.Close()
	}()
	if err := sub.Dial(zmqtcp.Endpoint(k.Conn.Endpoint(k.Conn.IOPubPort))); err != nil {
		k.m.opt.Log.Printf("kernel %s: iopub: %v", k.ID, err)
		return
	}
	sub.SetOption(zmq4.OptionSubscribe, "")
	var subs []*iopubSub
	for {
		raw, err := Recv(ctx, sub)
		if err != nil {
			return
		}
		subs = k.fanOut(ctx, raw.Frames, subs)
		// Every message counts as activity; only status messages are
		// decoded (and their signatures checked): three in five of a
		// simple cell's iopub messages are of other types.
		typ, err := jupyter.PeekType(raw.Frames)
		if err != nil {
			continue
		}
		if typ != "status" {
			k.Touch()
			continue
		}
		if m, err := k.signer.Decode(raw.Frames); err == nil {
			var c struct {
				State string `json:"execution_state"`
			}
			if m.DecodeContent(&c) == nil && c.State != "" {
				k.setState(State(c.State))
				if State(c.State) == StateIdle {
					k.mu.Lock()
					k.restarts = 0
					k.mu.Unlock()
				}
			}
		}
	}
}

// Dial connects a client socket to one of the kernel's channels: a DEALER
// with identity id for shell, control and stdin, a SUB for iopub.
func (k *Kernel) Dial(ctx context.Context, channel, id string) (zmq4.Socket, error) {
	var sock zmq4.Socket
	var port int
	opts := []zmq4.Option{zmq4.WithAutomaticReconnect(true), zmq4.WithID(zmq4.SocketIdentity(id))}
	switch channel {
	case "shell":
		sock, port = zmq4.NewDealer(ctx, opts...), k.Conn.ShellPort
	case "control":
		sock, port = zmq4.NewDealer(ctx, opts...), k.Conn.ControlPort
	case "stdin":
		sock, port = zmq4.NewDealer(ctx, opts...), k.Conn.StdinPort
	case "iopub":
		sock, port = zmq4.NewSub(ctx, zmq4.WithAutomaticReconnect(true)), k.Conn.IOPubPort
	default:
		return nil, fmt.Errorf("kernels: unknown channel %q", channel)
	}
	if err := sock.Dial(zmqtcp.Endpoint(k.Conn.Endpoint(port))); err != nil {
		sock.Close()
		return nil, fmt.Errorf("kernels: connect %s: %w", channel, err)
	}
	if channel == "iopub" {
		sock.SetOption(zmq4.OptionSubscribe, "")
	}
	return sock, nil
}

// Recv reads sock's next message, riding out lost connections: zmq4
// returns an error once when a connection drops, then reconnects (a kernel
// that replaced its process with one having more packages compiled in
// comes back on the same ports). It fails only when ctx ends.
func Recv(ctx context.Context, sock zmq4.Socket) (zmq4.Msg, error) {
	for {
		m, err := sock.Recv()
		if err == nil || ctx.Err() != nil {
			return m, err
		}
		select {
		case <-ctx.Done():
			return m, err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Signer returns the kernel's message signer.
func (k *Kernel) Signer() jupyter.Signer { return k.signer }

func (k *Kernel) control(ctx context.Context, msgType string, content any) (*jupyter.Message, error) {
	return k.request(ctx, k.Conn.ControlPort, msgType, content)
}

// request sends one request on a fresh DEALER and waits for its reply.
func (k *Kernel) request(ctx context.Context, port int, msgType string, content any) (*jupyter.Message, error) {
	// The socket's context is cancelled before it is closed: zmq4 reads
	// each connection on a goroutine that, closed first, can block forever
	// handing over its last message.
	sctx, scancel := context.WithCancel(ctx)
	sock := zmq4.NewDealer(sctx, quickDial(zmq4.WithID(zmq4.SocketIdentity("manager-"+jupyter.NewID())))...)
	defer func() { scancel(); sock.Close() }()
	if err := sock.Dial(zmqtcp.Endpoint(k.Conn.Endpoint(port))); err != nil {
		return nil, err
	}
	req, err := jupyter.NewMessage(jupyter.NewID(), msgType, nil, content)
	if err != nil {
		return nil, err
	}
	frames, err := k.signer.Encode(req)
	if err != nil {
		return nil, err
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return nil, err
	}
	type result struct {
		m   *jupyter.Message
		err error
	}
	ch := make(chan result, 1)
	go func() {
		for {
			raw, err := sock.Recv()
			if err != nil {
				ch <- result{nil, err}
				return
			}
			m, err := k.signer.Decode(raw.Frames)
			if err == nil && m.ParentHeader != nil && m.ParentHeader.MsgID == req.Header.MsgID {
				ch <- result{m, nil}
				return
			}
		}
	}()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
