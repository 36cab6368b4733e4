// Package zmqkernel serves an engine session over Jupyter's messaging
// protocol on ZMQ sockets: the process that "kernel jupyter -f FILE" runs
// and that JupyterLab, VS Code, nbconvert and this project's server start.
//
// Shell requests are handled one at a time, in order; control requests
// (interrupt, shutdown, kernel_info) are handled at once, even while a cell
// runs. Every request is wrapped in busy and idle status messages on iopub,
// the reply sent in between, all with one kernel session id.
package zmqkernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/gomod"
	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/zmqpub"
	"nmfkernel/internal/zmqtcp"
)

// MaxMessageSize bounds a request's total frame size; larger requests get
// an error reply instead of being handled.
const MaxMessageSize = 64 << 20

// Options configures a kernel.
type Options struct {
	// Version is the implementation version reported in kernel_info.
	Version string
	// Banner is the text kernel_info shows first.
	Banner string
	// Log receives the kernel's own diagnostics (bad messages and the
	// like); nil discards them.
	Log io.Writer
	// Engine configures the session that runs cells.
	Engine engine.Options
	// Modules, if not nil, builds kernels with the packages cells import
	// that this binary lacks; the kernel then replaces its process with
	// the new binary, carrying the session over. Nil: such imports fail.
	Modules *gomod.Builder
	// Resume is the state file a kernel that replaced itself with this
	// process left (see ResumeEnv); empty for a new kernel.
	Resume string
}

// Kernel is a running kernel.
type Kernel struct {
	opt     Options
	conn    *jupyter.ConnectionInfo
	signer  jupyter.Signer
	replays jupyter.ReplayGuard // signatures of accepted requests, shell and control
	session string
	log     *log.Logger

	shell, control, stdin, hb zmq4.Socket
	// iopub is zmqpub's PUB socket, which writes each message from the
	// publishing goroutine instead of handing it to one of zmq4's.
	iopub  *zmqpub.Pub
	sendMu sync.Mutex // one message at a time on the zmq4 sockets (iopub has its own lock)

	eng *engine.Session

	have   gomod.Kernel // what this binary has compiled in (modules)
	replay []string     // the cells that ran to the end, for a successor to re-run
	// replayCounts are their execution counts.
	replayCounts []int
	resumeSt     *resumeState // the session to carry on, in a kernel that replaced itself

	shellQueue chan *jupyter.Message
	stdinReply chan *jupyter.Message

	// After a failed cell (stop_on_error), execute requests dated, by the
	// client's clock, before abortBefore, and arriving before abortUntil,
	// were sent before the client could know of the failure: they are
	// aborted (see abortLater). Used by the shell goroutine only.
	abortBefore, abortUntil time.Time

	mu        sync.Mutex
	cancelRun context.CancelFunc // cancels the running execute request
	shutdown  chan bool          // receives restart when a shutdown is requested
	done      chan struct{}
}

// New binds the kernel's sockets as the connection file says.
func New(ctx context.Context, conn *jupyter.ConnectionInfo, opt Options) (*Kernel, error) {
	eng, err := engine.New(opt.Engine)
	if err != nil {
		return nil, err
	}
	logw := opt.Log
	if logw == nil {
		logw = io.Discard
	}
	k := &Kernel{
		opt: opt, conn: conn, signer: jupyter.Signer{Key: []byte(conn.Key)},
		session: jupyter.NewID(), log: log.New(logw, "kernel: ", log.LstdFlags),
		eng: eng, shellQueue: make(chan *jupyter.Message, 256), stdinReply: make(chan *jupyter.Message, 1),
		shutdown: make(chan bool, 1), done: make(chan struct{}),
		have: compiledIn(),
	}
	if opt.Resume != "" {
		if k.resumeSt, err = loadResume(opt.Resume); err != nil {
			k.log.Print(err)
		}
	}
	k.shell = zmq4.NewRouter(ctx, zmq4.WithID(zmq4.SocketIdentity(k.session+"-shell")))
	k.control = zmq4.NewRouter(ctx, zmq4.WithID(zmq4.SocketIdentity(k.session+"-control")))
	k.stdin = zmq4.NewRouter(ctx, zmq4.WithID(zmq4.SocketIdentity(k.session+"-stdin")))
	k.hb = zmq4.NewRep(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
		name string
	}{{k.shell, conn.ShellPort, "shell"}, {k.control, conn.ControlPort, "control"}, {k.stdin, conn.StdinPort, "stdin"}, {k.hb, conn.HBPort, "heartbeat"}} {
		if err := s.sock.Listen(zmqtcp.Endpoint(conn.Endpoint(s.port))); err != nil {
			k.closeSockets()
			return nil, fmt.Errorf("kernel: listen %s on %s: %w", s.name, conn.Endpoint(s.port), err)
		}
	}
	// Connection files name TCP endpoints only (jupyter.ReadConnectionFile).
	if k.iopub, err = zmqpub.Listen(net.JoinHostPort(conn.IP, strconv.Itoa(conn.IOPubPort))); err != nil {
		k.closeSockets()
		return nil, fmt.Errorf("kernel: listen iopub on %s: %w", conn.Endpoint(conn.IOPubPort), err)
	}
	return k, nil
}

// Interrupt stops the running cell, as an interrupt_request does.
func (k *Kernel) Interrupt() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cancelRun != nil {
		k.cancelRun()
	}
}

func (k *Kernel) closeSockets() {
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.hb} {
		if s != nil {
			s.Close()
		}
	}
	if k.iopub != nil {
		k.iopub.Close()
	}
}

// Run serves until a shutdown request or ctx's end. It returns whether the
// shutdown asked for a restart (the process that started the kernel
// restarts it).
func (k *Kernel) Run(ctx context.Context) (restart bool, err error) {
	defer k.closeSockets()
	defer k.eng.Close()
	if k.resumeSt == nil {
		k.publish("status", nil, map[string]string{"execution_state": "starting"})
	}
	go k.heartbeat()
	go k.receive(k.control, "control", k.handleControl)
	go k.receive(k.stdin, "stdin", func(m *jupyter.Message) {
		if m.Header.MsgType == "input_reply" {
			select {
			case k.stdinReply <- m:
			default:
				k.log.Printf("input_reply nobody asked for, ignored")
			}
		}
	})
	if k.resumeSt != nil {
		k.resume(k.resumeSt)
		k.resumeSt = nil
	}
	go k.receive(k.shell, "shell", func(m *jupyter.Message) { k.shellQueue <- m })
	go k.serveShell()
	select {
	case restart = <-k.shutdown:
		// Like ZMQ's linger: let the reply and the last status messages,
		// queued in the sockets, reach the client before they close.
		time.Sleep(linger)
		return restart, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// linger is how long a shutting-down kernel keeps its sockets open for
// messages already sent.
const linger = 200 * time.Millisecond

func (k *Kernel) heartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil {
			return
		}
	}
}

// receive reads one socket and hands each well-formed, correctly signed
// message to handle. Bad messages are logged and dropped.
func (k *Kernel) receive(sock zmq4.Socket, name string, handle func(*jupyter.Message)) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return
		}
		size := 0
		for _, f := range raw.Frames {
			size += len(f)
		}
		m, err := k.signer.Decode(raw.Frames)
		if err != nil {
			k.log.Printf("%s: dropped a message: %v", name, err)
			continue
		}
		if len(k.signer.Key) > 0 && k.replays.Seen(jupyter.Signature(raw.Frames)) {
			k.log.Printf("%s: dropped a replayed %s (its signature was seen before)", name, m.Header.MsgType)
			continue
		}
		m.Channel = name
		if size > MaxMessageSize {
			k.log.Printf("%s: %s request of %d bytes is over the %d-byte limit", name, m.Header.MsgType, size, MaxMessageSize)
			k.request(m, sock, func() (string, any) {
				return replyType(m.Header.MsgType), errorReply("MessageTooLarge", fmt.Sprintf("the request is %d bytes, over the kernel's limit of %d", size, MaxMessageSize))
			})
			continue
		}
		handle(m)
	}
}

func (k *Kernel) serveShell() {
	for m := range k.shellQueue {
		k.handleShell(m)
	}
}

// send sends a message on a socket.
func (k *Kernel) send(sock zmq4.Socket, m *jupyter.Message) {
	frames, ok := k.encode(m)
	if !ok {
		return
	}
	k.sendMu.Lock()
	defer k.sendMu.Unlock()
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		k.log.Printf("send %s: %v", m.Header.MsgType, err)
	}
}

// encode returns m's signed wire frames, logging a failure.
func (k *Kernel) encode(m *jupyter.Message) ([][]byte, bool) {
	frames, err := k.signer.Encode(m)
	if err != nil {
		k.log.Printf("encode %s: %v", m.Header.MsgType, err)
		return nil, false
	}
	return frames, true
}

// publish sends a message on iopub.
func (k *Kernel) publish(msgType string, parent *jupyter.Header, content any) {
	k.publishMeta(msgType, parent, content, nil)
}

// publishMeta is publish with the message's metadata (a widget comm's
// protocol version).
func (k *Kernel) publishMeta(msgType string, parent *jupyter.Header, content any, metadata map[string]any) {
	m, err := jupyter.NewMessage(k.session, msgType, parent, content)
	if err != nil {
		k.log.Print(err)
		return
	}
	if metadata != nil {
		m.Metadata = metadata
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	frames, ok := k.encode(m)
	if !ok {
		return
	}
	// Not under sendMu: a subscriber slow to read holds up output only,
	// not the shell's replies.
	if err := k.iopub.Send(frames); err != nil {
		k.log.Printf("publish %s: %v", msgType, err)
	}
}

// reply sends a reply to req on sock.
func (k *Kernel) reply(sock zmq4.Socket, req *jupyter.Message, msgType string, content any) {
	var metadata map[string]any
	if wm, ok := content.(withMetadata); ok {
		content, metadata = wm.content, wm.metadata
	}
	m, err := jupyter.NewMessage(k.session, msgType, &req.Header, content)
	if err != nil {
		k.log.Print(err)
		return
	}
	m.Identities = req.Identities
	if metadata != nil {
		m.Metadata = metadata
	}
	k.send(sock, m)
}

// withMetadata is a reply's content with the message metadata to send it
// with.
type withMetadata struct {
	content  any
	metadata map[string]any
}

// request handles req: busy, the work (which returns the reply type and
// content), the reply, idle.
func (k *Kernel) request(req *jupyter.Message, sock zmq4.Socket, work func() (string, any)) {
	k.requestThen(req, sock, work, nil)
}

// requestThen is request with then, when not nil, called after the reply
// and before the idle status.
func (k *Kernel) requestThen(req *jupyter.Message, sock zmq4.Socket, work func() (string, any), then func()) {
	k.publish("status", &req.Header, map[string]string{"execution_state": "busy"})
	replyType, content := k.guard(req, work)
	if replyType != "" {
		k.reply(sock, req, replyType, content)
	}
	if then != nil {
		then()
	}
	k.publish("status", &req.Header, map[string]string{"execution_state": "idle"})
}

// guard runs a request's work, turning a panic in it into an error reply:
// no request may take the kernel, and the session's state, down with it.
func (k *Kernel) guard(req *jupyter.Message, work func() (string, any)) (rt string, content any) {
	defer func() {
		if r := recover(); r != nil {
			k.log.Printf("%s: recovered from a panic: %v\n%s", req.Header.MsgType, r, debug.Stack())
			rt, content = replyType(req.Header.MsgType), errorReply("InternalError", fmt.Sprintf("the kernel failed to answer %s: %v", req.Header.MsgType, r))
		}
	}()
	return work()
}

func replyType(requestType string) string {
	return strings.TrimSuffix(requestType, "_request") + "_reply"
}

func errorReply(name, value string) map[string]any {
	return map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": []string{name + ": " + value}}
}

func (k *Kernel) handleControl(m *jupyter.Message) {
	switch m.Header.MsgType {
	case "interrupt_request":
		k.request(m, k.control, func() (string, any) {
			k.Interrupt()
			return "interrupt_reply", map[string]any{"status": "ok"}
		})
	case "shutdown_request":
		k.handleShutdown(m, k.control)
	case "kernel_info_request":
		k.request(m, k.control, func() (string, any) { return "kernel_info_reply", k.kernelInfo() })
	default:
		k.log.Printf("control: ignoring unknown message type %q", m.Header.MsgType)
	}
}

func (k *Kernel) handleShutdown(m *jupyter.Message, sock zmq4.Socket) {
	var c struct {
		Restart bool `json:"restart"`
	}
	m.DecodeContent(&c)
	k.request(m, sock, func() (string, any) {
		k.Interrupt()
		return "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart}
	})
	select {
	case k.shutdown <- c.Restart:
	default:
	}
}

func (k *Kernel) kernelInfo() map[string]any {
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       jupyter.ProtocolVersion,
		"implementation":         "nmfkernel",
		"implementation_version": k.opt.Version,
		"language_info": map[string]any{
			"name": "go", "version": strings.TrimPrefix(runtime.Version(), "go"),
			"mimetype": "text/x-go", "file_extension": ".go", "codemirror_mode": "go", "pygments_lexer": "go",
		},
		"banner": k.opt.Banner,
		"help_links": []map[string]string{
			{"text": "Go documentation", "url": "https://go.dev/doc/"},
			{"text": "gonum", "url": "https://pkg.go.dev/gonum.org/v1/gonum"},
		},
		"debugger": false,
	}
}

func (k *Kernel) handleShell(m *jupyter.Message) {
	switch m.Header.MsgType {
	case "execute_request":
		k.execute(m)
	case "kernel_info_request":
		k.request(m, k.shell, func() (string, any) { return "kernel_info_reply", k.kernelInfo() })
	case "complete_request":
		var c struct {
			Code      string `json:"code"`
			CursorPos int    `json:"cursor_pos"`
		}
		k.request(m, k.shell, func() (string, any) {
			if err := m.DecodeContent(&c); err != nil {
				return "complete_reply", errorReply("BadRequest", err.Error())
			}
			r := k.eng.Complete(c.Code, c.CursorPos)
			matches := r.Matches
			if matches == nil {
				matches = []string{}
			}
			// ipykernel's experimental types, which JupyterLab and the app
			// show as icons in the completion popup.
			types := make([]map[string]any, 0, len(matches))
			for _, m := range matches {
				if kind, ok := r.Kinds[m]; ok {
					types = append(types, map[string]any{"start": r.Start, "end": r.End, "text": m, "type": kind, "signature": ""})
				}
			}
			return "complete_reply", map[string]any{"status": "ok", "matches": matches, "cursor_start": r.Start, "cursor_end": r.End,
				"metadata": map[string]any{"_jupyter_types_experimental": types}}
		})
	case "inspect_request":
		var c struct {
			Code      string `json:"code"`
			CursorPos int    `json:"cursor_pos"`
		}
		k.request(m, k.shell, func() (string, any) {
			if err := m.DecodeContent(&c); err != nil {
				return "inspect_reply", errorReply("BadRequest", err.Error())
			}
			text := k.eng.Inspect(c.Code, c.CursorPos)
			data := map[string]any{}
			if text != "" {
				data["text/plain"] = text
			}
			return "inspect_reply", map[string]any{"status": "ok", "found": text != "", "data": data, "metadata": map[string]any{}}
		})
	case "is_complete_request":
		var c struct {
			Code string `json:"code"`
		}
		k.request(m, k.shell, func() (string, any) {
			if err := m.DecodeContent(&c); err != nil {
				return "is_complete_reply", errorReply("BadRequest", err.Error())
			}
			status := engine.IsComplete(c.Code)
			reply := map[string]any{"status": status}
			if status == "incomplete" {
				reply["indent"] = ""
			}
			return "is_complete_reply", reply
		})
	case "history_request":
		k.request(m, k.shell, func() (string, any) { return "history_reply", k.history(m) })
	case "comm_info_request":
		var c struct {
			Target string `json:"target_name"`
		}
		m.DecodeContent(&c)
		k.request(m, k.shell, func() (string, any) {
			return "comm_info_reply", map[string]any{"status": "ok", "comms": k.eng.CommInfo(c.Target)}
		})
	case "shutdown_request":
		k.handleShutdown(m, k.shell)
	case "comm_open", "comm_msg", "comm_close":
		k.comm(m)
	default:
		k.log.Printf("shell: ignoring unknown message type %q", m.Header.MsgType)
	}
}

// comm hands a comm message to the session's widgets (ipykernel answers
// comm messages with busy and idle, and no reply). An interrupt stops a
// widget callback that runs long.
func (k *Kernel) comm(m *jupyter.Message) {
	var c struct {
		CommID string         `json:"comm_id"`
		Target string         `json:"target_name"`
		Data   map[string]any `json:"data"`
	}
	if err := m.DecodeContent(&c); err != nil {
		k.log.Printf("shell: %s: %v", m.Header.MsgType, err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.mu.Lock()
	k.cancelRun = cancel
	k.mu.Unlock()
	k.requestThen(m, k.shell, func() (string, any) {
		if err := k.eng.HandleComm(ctx, m.Header.MsgType, c.CommID, c.Target, c.Data, func(ev engine.Event) { k.publishEvent(&m.Header, ev) }); err != nil {
			k.log.Printf("shell: %s %s: %v", m.Header.MsgType, c.CommID, err)
		}
		return "", nil
	}, nil)
	k.mu.Lock()
	k.cancelRun = nil
	k.mu.Unlock()
	cancel()
}

func (k *Kernel) history(m *jupyter.Message) map[string]any {
	var c struct {
		Output         bool   `json:"output"`
		HistAccessType string `json:"hist_access_type"`
		N              int    `json:"n"`
		Start          int    `json:"start"`
		Stop           int    `json:"stop"`
		Pattern        string `json:"pattern"`
	}
	m.DecodeContent(&c)
	all := k.eng.History()
	var picked []engine.HistoryEntry
	switch c.HistAccessType {
	case "range":
		for _, h := range all {
			if h.Count >= c.Start && (c.Stop <= 0 || h.Count < c.Stop) {
				picked = append(picked, h)
			}
		}
	case "search":
		pattern := strings.Trim(c.Pattern, "*")
		for _, h := range all {
			if strings.Contains(h.Code, pattern) {
				picked = append(picked, h)
			}
		}
		if c.N > 0 && len(picked) > c.N {
			picked = picked[len(picked)-c.N:]
		}
	default: // tail
		picked = all
		if c.N > 0 && len(picked) > c.N {
			picked = picked[len(picked)-c.N:]
		}
	}
	entries := make([][]any, 0, len(picked))
	for _, h := range picked {
		entries = append(entries, []any{1, h.Count, h.Code})
	}
	return map[string]any{"status": "ok", "history": entries}
}

// executeRequest is an execute_request's content.
type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    *bool             `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     *bool             `json:"stop_on_error"`
}

func (k *Kernel) execute(m *jupyter.Message) {
	if k.sentBeforeFailure(m) {
		k.abortAll([]*jupyter.Message{m})
		return
	}
	arrived := time.Now()
	var req executeRequest
	var aborted []*jupyter.Message
	stopped := false          // failed with stop_on_error
	var handled time.Duration // from arrival to the failed reply
	k.requestThen(m, k.shell, func() (string, any) {
		if err := m.DecodeContent(&req); err != nil {
			return "execute_reply", errorReply("BadRequest", err.Error())
		}
		store := !req.Silent && (req.StoreHistory == nil || *req.StoreHistory)
		dirs, code, derr := gomod.ParseDirectives(req.Code)
		count := k.eng.ExecutionCount()
		if store {
			count++
		}
		if !req.Silent {
			k.publish("execute_input", &m.Header, map[string]any{"code": req.Code, "execution_count": count})
		}
		ctx, cancel := context.WithCancel(context.Background())
		k.mu.Lock()
		k.cancelRun = cancel
		k.mu.Unlock()
		defer func() {
			k.mu.Lock()
			k.cancelRun = nil
			k.mu.Unlock()
			cancel()
		}()
		var failed *engine.CellError
		if derr != nil {
			failed = cellError("DirectiveError", derr)
		} else if need := k.moduleRequest(dirs, code); need != nil {
			failed = cellError("ModuleError", k.buildAndReplace(ctx, m, need)) // returns only on failure
		}
		var res engine.Result
		if failed != nil {
			// Nothing of the cell ran; it still takes its execution count.
			if store {
				k.eng.SetExecutionCount(count)
			}
			res = engine.Result{Count: count, Err: failed}
		} else {
			if out := k.directiveOutput(dirs); out != "" && !req.Silent {
				k.publish("stream", &m.Header, map[string]string{"name": "stdout", "text": out})
			}
			opts := engine.ExecOptions{NoHistory: !store}
			if req.AllowStdin {
				opts.Input = func(prompt string, password bool) (string, error) { return k.input(ctx, m, prompt, password) }
			}
			res = k.eng.Execute(ctx, code, opts, func(ev engine.Event) {
				if !req.Silent {
					k.publishEvent(&m.Header, ev)
				}
			})
			var missing *engine.MissingInstancesError
			if res.Err != nil && errors.As(res.Err.Err, &missing) {
				// The cell uses instantiations of a module's generic code
				// that are not compiled in: nothing of it ran.
				res.Err = cellError("ModuleError", k.buildAndReplace(ctx, m, &gomod.Request{Instances: missing.Instances})) // returns only on failure
			}
		}
		if res.Err == nil && store {
			k.replay = append(k.replay, req.Code)
			k.replayCounts = append(k.replayCounts, res.Count)
		}
		if res.Err != nil {
			e := res.Err
			tb := e.Traceback
			if tb == nil {
				tb = []string{}
			}
			if !req.Silent {
				k.publish("error", &m.Header, map[string]any{"ename": e.Name, "evalue": e.Value, "traceback": tb})
			}
			if !req.Silent && (req.StopOnError == nil || *req.StopOnError) {
				stopped = true
				aborted = k.sentBehind()
				// Measured before the reply goes: a client may answer it
				// before this goroutine runs again.
				handled = time.Since(arrived)
			}
			return "execute_reply", map[string]any{"status": "error", "execution_count": res.Count, "ename": e.Name, "evalue": e.Value, "traceback": tb}
		}
		return "execute_reply", k.withModules(map[string]any{
			"status": "ok", "execution_count": res.Count, "payload": []any{},
			"user_expressions": k.userExpressions(ctx, req.UserExpressions),
		})
	}, func() {
		if stopped {
			k.abortLater(m, handled)
		}
		k.abortAll(aborted)
	})
}

// abortQuiet is how long the shell must be quiet after a failed cell
// before its reply is sent: a Run All sends its requests a few milliseconds
// apart, and the ones that arrive before the reply cannot have been sent in
// answer to it.
const abortQuiet = 30 * time.Millisecond

// abortLimit bounds how long a failed cell's reply waits for more requests.
const abortLimit = 2 * time.Second

// sentBehind returns the execute requests that arrive behind a failed cell
// until the shell has been quiet for abortQuiet: the rest of the batch it
// was sent in, which stop_on_error aborts (see abortAll). Other requests are
// handled as they come. Because the failed cell's reply is sent only after
// this, no request sent in answer to the error is ever aborted, however
// quickly the client answers.
func (k *Kernel) sentBehind() []*jupyter.Message {
	var batch []*jupyter.Message
	quiet := time.NewTimer(abortQuiet)
	defer quiet.Stop()
	limit := time.After(abortLimit)
	for {
		select {
		case m := <-k.shellQueue:
			if m.Header.MsgType == "execute_request" {
				batch = append(batch, m)
			} else {
				k.handleShell(m)
			}
			quiet.Reset(abortQuiet)
		case <-quiet.C:
			return batch
		case <-limit:
			return batch
		}
	}
}

// abortWindow is how long after a failed cell's reply requests sent before
// it (by their dates) are still aborted: a Run All's requests can reach the
// kernel slowly through a gateway (Notebook's gateway client relays them
// one by one).
const abortWindow = 5 * time.Second

// abortLater arranges for the execute requests that arrive in the next
// abortWindow and were sent before the client could have received the
// failed request's reply to be aborted. The client's clock need not agree
// with the kernel's: the threshold is the failed request's own date plus
// handled, the time the kernel took from its arrival to just before the
// reply was sent, which is no later, on the client's clock, than the reply
// reached the client.
func (k *Kernel) abortLater(failed *jupyter.Message, handled time.Duration) {
	sent, ok := parseDate(failed.Header.Date)
	if !ok {
		return
	}
	k.abortBefore = sent.Add(handled)
	k.abortUntil = time.Now().Add(abortWindow)
}

// sentBeforeFailure reports whether m is an execute request abortLater
// says to abort; any other execute request ends the aborting.
func (k *Kernel) sentBeforeFailure(m *jupyter.Message) bool {
	if k.abortUntil.IsZero() {
		return false
	}
	if sent, ok := parseDate(m.Header.Date); ok && time.Now().Before(k.abortUntil) && sent.Before(k.abortBefore) {
		return true
	}
	k.abortUntil = time.Time{}
	return false
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// abortAll answers each request with status "aborted", as ipykernel does.
func (k *Kernel) abortAll(batch []*jupyter.Message) {
	for _, m := range batch {
		k.request(m, k.shell, func() (string, any) {
			return "execute_reply", map[string]any{"status": "aborted", "execution_count": k.eng.ExecutionCount()}
		})
	}
}

func (k *Kernel) userExpressions(ctx context.Context, exprs map[string]string) map[string]any {
	out := map[string]any{}
	for name, expr := range exprs {
		var bundle map[string]any
		res := k.eng.Execute(ctx, expr, engine.ExecOptions{NoHistory: true}, func(ev engine.Event) {
			if r, ok := ev.(engine.ExecuteResult); ok {
				bundle = r.Bundle
			}
		})
		if res.Err != nil {
			out[name] = map[string]any{"status": "error", "ename": res.Err.Name, "evalue": res.Err.Value, "traceback": res.Err.Traceback}
			continue
		}
		if bundle == nil {
			bundle = map[string]any{}
		}
		out[name] = map[string]any{"status": "ok", "data": bundle, "metadata": map[string]any{}}
	}
	return out
}

// publishEvent turns an engine event into its iopub message.
func (k *Kernel) publishEvent(parent *jupyter.Header, ev engine.Event) {
	switch ev := ev.(type) {
	case engine.Stream:
		k.publish("stream", parent, map[string]any{"name": ev.Name, "text": ev.Text})
	case engine.Display:
		content := map[string]any{"data": ev.Bundle, "metadata": orEmpty(ev.Metadata), "transient": map[string]any{}}
		if ev.DisplayID != "" {
			content["transient"] = map[string]any{"display_id": ev.DisplayID}
		}
		msgType := "display_data"
		if ev.Update {
			msgType = "update_display_data"
		}
		k.publish(msgType, parent, content)
	case engine.ExecuteResult:
		k.publish("execute_result", parent, map[string]any{"execution_count": ev.Count, "data": ev.Bundle, "metadata": map[string]any{}})
	case engine.Comm:
		content := map[string]any{"comm_id": ev.CommID, "data": orEmpty(ev.Data)}
		if ev.Type == "comm_open" {
			content["target_name"] = ev.Target
		}
		k.publishMeta(ev.Type, parent, content, ev.Metadata)
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// input asks the front end for a line on stdin and waits for the answer.
func (k *Kernel) input(ctx context.Context, parent *jupyter.Message, prompt string, password bool) (string, error) {
	select { // drop a stale reply
	case <-k.stdinReply:
	default:
	}
	m, err := jupyter.NewMessage(k.session, "input_request", &parent.Header, map[string]any{"prompt": prompt, "password": password})
	if err != nil {
		return "", err
	}
	m.Identities = parent.Identities
	k.send(k.stdin, m)
	select {
	case r := <-k.stdinReply:
		var c struct {
			Value string `json:"value"`
		}
		if err := r.DecodeContent(&c); err != nil {
			return "", err
		}
		return c.Value, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
