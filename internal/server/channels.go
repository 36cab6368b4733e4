package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/gorilla/websocket"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
)

// channels upgrades to a websocket and bridges it to the kernel: messages
// from the client go, signed, to the ZMQ socket of their channel; messages
// from the kernel's sockets go to the client in the format it chose (the
// v1 binary subprotocol when offered, legacy JSON otherwise).
func (s *Server) channels(w http.ResponseWriter, r *http.Request) {
	k, err := s.mgr.Get(r.PathValue("id"))
	if err != nil {
		s.kernelError(w, err)
		return
	}
	up := websocket.Upgrader{
		Subprotocols:    []string{jupyter.WSSubprotocolV1},
		CheckOrigin:     func(*http.Request) bool { return true }, // checked by authenticated
		ReadBufferSize:  64 << 10,
		WriteBufferSize: 64 << 10,
	}
	cw := &corkingWriter{ResponseWriter: w}
	ws, err := up.Upgrade(cw, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	ws.SetReadLimit(s.opt.MaxMessageSize)
	c := &conn{s: s, k: k, ws: ws, cork: cw.cork, v1: ws.Subprotocol() == jupyter.WSSubprotocolV1, signer: k.Signer()}
	s.conns.Add(1)
	defer s.conns.Add(-1)
	c.serve(r.URL.Query().Get("session_id"))
}

// conn is one websocket connection to a kernel.
type conn struct {
	s      *Server
	k      *kernels.Kernel
	ws     *websocket.Conn
	cork   *corkConn // ws's connection; held while more iopub messages wait
	v1     bool
	signer jupyter.Signer
	wmu    sync.Mutex

	smu         sync.Mutex // guards socks, restarting, nudges
	socks       map[string]zmq4.Socket
	socksCancel context.CancelFunc // cancels socks' context (before they close)
	id          string
	ctx         context.Context
	restarting  bool
	// nudges are the ids of the connection's own kernel_info requests; the
	// first iopub message answering one closes iopubReady.
	nudges     map[string]bool
	iopubReady chan struct{}
	// open is closed while the kernel runs; during a restart it is a new,
	// open channel that client messages wait on until the connection has
	// reconnected to the new process.
	open chan struct{}
	// lastExecute is the header of the client's last execute_request, the
	// parent of the death report if the kernel dies running it.
	lastExecute *jupyter.Header
	// died is set while the kernel restarts after its process died.
	died bool
}

func (c *conn) serve(sessionID string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer c.ws.Close()
	if sessionID == "" {
		sessionID = jupyter.NewID()
	}
	c.id = sessionID + "-" + jupyter.NewID()[:8] // several clients may share a session id
	c.ctx = ctx
	c.open = make(chan struct{})
	close(c.open)
	if err := c.dialKernel(); err != nil {
		c.s.log.Printf("kernel %s: %v", c.k.ID, err)
		c.close(websocket.CloseInternalServerErr, "cannot reach the kernel")
		return
	}
	defer c.closeSockets()
	iopub, dropped, unsubscribe := c.k.SubscribeIOPub()
	defer unsubscribe()
	go c.fromKernel("iopub", func() ([][]byte, bool, error) {
		select {
		case frames := <-iopub:
			return frames, len(iopub) > 0, nil
		case <-ctx.Done():
			return nil, false, ctx.Err()
		}
	})
	go func() {
		// This client fell too far behind the kernel's output: it is
		// closed, so the others and the kernel carry on; it may reconnect.
		select {
		case <-dropped:
			c.s.log.Printf("kernel %s: a client fell too far behind its output: closing its connection", c.k.ID)
			c.close(websocket.CloseTryAgainLater, "too slow to read the kernel's output: reconnect")
			c.ws.Close()
		case <-ctx.Done():
		}
	}()
	c.k.AddListener(c)
	defer c.k.RemoveListener(c)
	c.nudge()
	// A client that vanished without closing (a laptop put to sleep, a
	// dropped network) stops answering pings: its connection then ends, so
	// its kernel counts it no longer and can be culled.
	pongWait := c.s.opt.PingTimeout
	c.ws.SetReadDeadline(time.Now().Add(pongWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	go c.ping(ctx)
	for {
		kind, data, err := c.ws.ReadMessage()
		if err == nil {
			c.ws.SetReadDeadline(time.Now().Add(pongWait))
		}
		if err != nil {
			if websocket.IsCloseError(err, websocket.CloseMessageTooBig) || err == websocket.ErrReadLimit {
				c.close(websocket.CloseMessageTooBig, fmt.Sprintf("message over the %d-byte limit", c.s.opt.MaxMessageSize))
			}
			return
		}
		var m *jupyter.Message
		if c.v1 {
			m, err = jupyter.DecodeWSV1(data)
		} else {
			m, err = jupyter.DecodeWSJSON(data, kind == websocket.BinaryMessage)
		}
		if err != nil {
			c.s.log.Printf("kernel %s: dropped a websocket message: %v", c.k.ID, err)
			continue
		}
		c.smu.Lock()
		open, heldByDeath := c.open, c.restarting && c.died
		c.smu.Unlock()
		select {
		case <-open:
		case <-time.After(time.Minute):
			c.s.log.Printf("kernel %s: still restarting after a minute; dropped a %s", c.k.ID, m.Header.MsgType)
			continue
		}
		if heldByDeath && m.Header.MsgType == "execute_request" {
			c.refuse(m)
			continue
		}
		c.smu.Lock()
		sock, ok := c.socks[m.Channel]
		c.smu.Unlock()
		if !ok || m.Channel == "iopub" {
			c.s.log.Printf("kernel %s: dropped a message for channel %q", c.k.ID, m.Channel)
			continue
		}
		c.k.Touch()
		if m.Header.MsgType == "execute_request" {
			h := m.Header
			c.smu.Lock()
			c.lastExecute = &h
			c.smu.Unlock()
		}
		frames, err := c.signer.Encode(m)
		if err != nil {
			continue
		}
		if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
			c.s.log.Printf("kernel %s: send on %s: %v", c.k.ID, m.Channel, err)
		}
	}
}

// dialKernel connects the connection's own sockets to the kernel process,
// replacing any earlier ones (after a restart the kernel is a new process).
// Its iopub messages come from the kernel's shared subscription instead
// (kernels.Kernel.SubscribeIOPub), which serve starts once.
func (c *conn) dialKernel() error {
	// The sockets' context is cancelled before they are closed: zmq4 reads
	// each connection on a goroutine that, closed first, can block forever
	// handing over its last message (a slow leak the soak test found).
	sctx, scancel := context.WithCancel(c.ctx)
	socks := map[string]zmq4.Socket{}
	for _, ch := range []string{"shell", "control", "stdin"} {
		sock, err := c.k.Dial(sctx, ch, c.id)
		if err != nil {
			scancel()
			for _, s := range socks {
				s.Close()
			}
			return err
		}
		socks[ch] = sock
	}
	c.smu.Lock()
	old, oldCancel := c.socks, c.socksCancel
	c.socks, c.socksCancel = socks, scancel
	c.iopubReady = make(chan struct{})
	c.smu.Unlock()
	if oldCancel != nil {
		oldCancel()
	}
	for _, s := range old {
		s.Close()
	}
	for ch, sock := range socks {
		go c.fromKernel(ch, func() ([][]byte, bool, error) {
			m, err := kernels.Recv(sctx, sock)
			return m.Frames, false, err
		})
	}
	return nil
}

func (c *conn) closeSockets() {
	c.smu.Lock()
	defer c.smu.Unlock()
	if c.socksCancel != nil {
		c.socksCancel()
	}
	for _, s := range c.socks {
		s.Close()
	}
	c.socks, c.socksCancel = nil, nil
}

// fromKernel forwards to the websocket the messages recv returns: one ZMQ
// socket's, or the kernel's shared iopub subscription's. While recv says
// more messages are waiting, the websocket's writes are held, so that they
// go out together.
func (c *conn) fromKernel(channel string, recv func() (frames [][]byte, more bool, err error)) {
	for {
		frames, more, err := recv()
		if err != nil {
			return
		}
		if more {
			c.cork.hold()
		}
		c.relay(channel, frames)
		if !more {
			c.cork.release()
		}
	}
}

// relay sends the client one message from the kernel, unless it answers
// one of the connection's own nudges.
func (c *conn) relay(channel string, frames [][]byte) {
	// A v1 client gets the message's parts as the kernel wrote them, as
	// jupyter_server relays them; a legacy one needs them decoded to
	// re-encode the whole message as JSON.
	var (
		raw      *jupyter.Raw
		m        *jupyter.Message
		err      error
		parentID string
	)
	if c.v1 {
		raw, err = c.signer.Open(frames)
	} else {
		m, err = c.signer.Decode(frames)
	}
	if err != nil {
		c.s.log.Printf("kernel %s: dropped a %s message: %v", c.k.ID, channel, err)
		return
	}
	c.smu.Lock()
	switch {
	case raw != nil:
		// Parsed only when one of the nudges' ids appears in it.
		for id := range c.nudges {
			if bytes.Contains(raw.ParentHeader, []byte(id)) {
				parentID = raw.ParentMsgID()
				break
			}
		}
	case m.ParentHeader != nil:
		parentID = m.ParentHeader.MsgID
	}
	ours := c.nudges[parentID]
	if ours && channel == "iopub" {
		select {
		case <-c.iopubReady:
		default:
			close(c.iopubReady)
		}
	}
	c.smu.Unlock()
	if ours {
		return // the connection's own request, not the client's
	}
	if raw != nil {
		c.write(websocket.BinaryMessage, jupyter.EncodeRawWSV1(channel, raw))
		return
	}
	m.Channel = channel
	m.Identities = nil
	c.send(m)
}

// nudge sends kernel_info requests until one's iopub messages come back,
// as jupyter_server does: a SUB socket receives nothing until its
// subscription has reached the kernel, and messages before that would be
// lost to the client.
func (c *conn) nudge() {
	c.smu.Lock()
	if c.nudges == nil {
		c.nudges = map[string]bool{}
	}
	ready := c.iopubReady
	c.smu.Unlock()
	deadline := time.After(10 * time.Second)
	// The first request usually goes out before the subscription has
	// reached the kernel, so retries start soon and back off: a kernel
	// that has just started answers the second or third.
	wait := nudgeFirstRetry
	for {
		m, err := jupyter.NewMessage(jupyter.NewID(), "kernel_info_request", nil, map[string]any{})
		if err != nil {
			return
		}
		c.smu.Lock()
		c.nudges[m.Header.MsgID] = true
		shell := c.socks["shell"]
		c.smu.Unlock()
		if frames, err := c.signer.Encode(m); err == nil && shell != nil {
			shell.SendMulti(zmq4.NewMsgFrom(frames...))
		}
		select {
		case <-ready:
			return
		case <-deadline:
			c.s.log.Printf("kernel %s: no iopub message after 10 s of kernel_info requests", c.k.ID)
			return
		case <-time.After(wait):
			wait = min(2*wait, nudgeMaxRetry)
		}
	}
}

// The intervals between nudge's kernel_info requests: from
// nudgeFirstRetry, doubling up to nudgeMaxRetry.
const (
	nudgeFirstRetry = 10 * time.Millisecond
	nudgeMaxRetry   = 200 * time.Millisecond
)

// send writes a message to the client in its format.
func (c *conn) send(m *jupyter.Message) {
	var data []byte
	kind := websocket.BinaryMessage
	var err error
	if c.v1 {
		data, err = jupyter.EncodeWSV1(m)
	} else {
		var isBinary bool
		data, isBinary, err = jupyter.EncodeWSJSON(m)
		if !isBinary {
			kind = websocket.TextMessage
		}
	}
	if err != nil {
		return
	}
	c.write(kind, data)
}

// ping pings the client every PingInterval until ctx ends.
func (c *conn) ping(ctx context.Context) {
	t := time.NewTicker(c.s.opt.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.wmu.Lock()
			err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(10*time.Second))
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// write sends the client one websocket message.
func (c *conn) write(kind int, data []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(30 * time.Second))
	c.ws.WriteMessage(kind, data)
}

func (c *conn) close(code int, reason string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}

// KernelRestarting holds the client's messages while the kernel's process
// is replaced, and tells the client "restarting"; when the process died,
// with what it printed.
func (c *conn) KernelRestarting(died bool) {
	c.smu.Lock()
	if !c.restarting {
		c.restarting = true
		c.open = make(chan struct{})
	}
	c.died = died
	parent := c.lastExecute
	c.smu.Unlock()
	if died {
		// The process died on its own: show the client what it printed
		// (a panic in compiled code on a goroutine of its own, say), as
		// output of the request it was running.
		if report := c.k.DeathReport(); report != "" {
			m, err := jupyter.NewMessage(c.k.ID, "stream", parent, map[string]string{
				"name": "stderr",
				"text": "The kernel process died; it is restarting and its state is lost. It printed:\n" + report + "\n",
			})
			if err == nil {
				m.Channel = "iopub"
				c.send(m)
			}
		}
	}
	c.status("restarting")
}

// refuse answers an execute_request that reached the server while its
// kernel was being restarted after a death: it is not run later by the new
// process, whose state is gone and whose client was told the kernel died
// (a client that retries would otherwise run it twice).
func (c *conn) refuse(req *jupyter.Message) {
	content := map[string]any{"status": "error", "ename": "KernelDied",
		"evalue": "the kernel died before this request reached it; it was not run", "traceback": []string{}}
	for _, r := range []struct {
		channel, msgType string
		content          any
	}{
		{"shell", "execute_reply", content},
		{"iopub", "status", map[string]string{"execution_state": "idle"}},
	} {
		m, err := jupyter.NewMessage(c.k.ID, r.msgType, &req.Header, r.content)
		if err != nil {
			continue
		}
		m.Channel = r.channel
		c.send(m)
	}
}

// KernelRestarted reconnects to the new process (when ok), lets the
// client's messages through again, and tells the client "idle" or "dead".
func (c *conn) KernelRestarted(ok bool) {
	if ok {
		if err := c.dialKernel(); err != nil {
			c.s.log.Printf("kernel %s: reconnect after restart: %v", c.k.ID, err)
		} else {
			c.nudge()
		}
	}
	c.smu.Lock()
	if c.restarting {
		c.restarting = false
		close(c.open)
	}
	c.smu.Unlock()
	if ok {
		c.status("idle")
	} else {
		c.status("dead")
	}
}

// status sends the client a status message of the server's own (no parent).
func (c *conn) status(state string) {
	m, err := jupyter.NewMessage(c.k.ID, "status", nil, map[string]string{"execution_state": state})
	if err != nil {
		return
	}
	m.Channel = "iopub"
	c.send(m)
}
