package zmqkernel

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/zmqtcp"
)

// client is a Jupyter client written for the tests: DEALER sockets for
// shell, control and stdin (one identity, as jupyter_client uses), SUB for
// iopub, REQ for the heartbeat.
type client struct {
	t                            testing.TB
	signer                       jupyter.Signer
	session                      string
	shell, control, stdin, iopub zmq4.Socket
	hb                           zmq4.Socket
	iopubMsgs                    chan *jupyter.Message
	pending                      []*jupyter.Message // iopub messages read while waiting for another request's
}

type harness struct {
	k       *Kernel
	c       *client
	restart chan bool
}

func start(t testing.TB) *harness {
	t.Helper()
	ports, err := jupyter.FreePorts("127.0.0.1", 5)
	if err != nil {
		t.Fatal(err)
	}
	conn := &jupyter.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], IOPubPort: ports[1],
		StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4], Key: "test-key-" + jupyter.NewID(), SignatureScheme: "hmac-sha256"}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	k, err := New(ctx, conn, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, signer: jupyter.Signer{Key: []byte(conn.Key)}, session: jupyter.NewID(), iopubMsgs: make(chan *jupyter.Message, 1000)}
	id := zmq4.WithID(zmq4.SocketIdentity("client-" + c.session))
	c.shell, c.control, c.stdin = zmq4.NewDealer(ctx, id), zmq4.NewDealer(ctx, id), zmq4.NewDealer(ctx, id)
	c.iopub, c.hb = zmq4.NewSub(ctx), zmq4.NewReq(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.shell, ports[0]}, {c.iopub, ports[1]}, {c.stdin, ports[2]}, {c.control, ports[3]}, {c.hb, ports[4]}} {
		if err := s.sock.Dial(zmqtcp.Endpoint(conn.Endpoint(s.port))); err != nil {
			t.Fatal(err)
		}
	}
	c.iopub.SetOption(zmq4.OptionSubscribe, "")
	t.Cleanup(func() {
		for _, s := range []zmq4.Socket{c.shell, c.control, c.stdin, c.iopub, c.hb} {
			s.Close()
		}
	})
	go func() {
		for {
			raw, err := c.iopub.Recv()
			if err != nil {
				return
			}
			m, err := c.signer.Decode(raw.Frames)
			if err != nil {
				t.Errorf("iopub: %v", err)
				continue
			}
			c.iopubMsgs <- m
		}
	}()
	time.Sleep(500 * time.Millisecond) // let the subscription reach the publisher
	h := &harness{k: k, c: c, restart: make(chan bool, 1)}
	go func() {
		r, _ := k.Run(ctx)
		h.restart <- r
	}()
	if m := c.nextIOPub(); m.Header.MsgType != "status" || !strings.Contains(string(m.Content), "starting") || m.ParentHeader != nil {
		t.Fatalf("first iopub message %s %s, want status starting with an empty parent", m.Header.MsgType, m.Content)
	}
	return h
}

func (c *client) nextIOPub() *jupyter.Message {
	c.t.Helper()
	select {
	case m := <-c.iopubMsgs:
		return m
	case <-time.After(10 * time.Second):
		c.t.Fatal("no iopub message within 10 s")
		return nil
	}
}

func (c *client) send(sock zmq4.Socket, msgType string, content any) *jupyter.Message {
	c.t.Helper()
	return c.sendDated(sock, msgType, content, time.Time{})
}

// sendDated sends a request whose header says it was sent at date (zero:
// now).
func (c *client) sendDated(sock zmq4.Socket, msgType string, content any, date time.Time) *jupyter.Message {
	c.t.Helper()
	m, err := jupyter.NewMessage(c.session, msgType, nil, content)
	if err != nil {
		c.t.Fatal(err)
	}
	if !date.IsZero() {
		m.Header.Date = date.UTC().Format(time.RFC3339Nano)
	}
	m.Header.Username = "test"
	frames, err := c.signer.Encode(m)
	if err != nil {
		c.t.Fatal(err)
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *client) recv(sock zmq4.Socket) *jupyter.Message {
	c.t.Helper()
	type result struct {
		m   *jupyter.Message
		err error
	}
	ch := make(chan result, 1)
	go func() {
		raw, err := sock.Recv()
		if err != nil {
			ch <- result{nil, err}
			return
		}
		m, err := c.signer.Decode(raw.Frames)
		ch <- result{m, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			c.t.Fatal(r.err)
		}
		return r.m
	case <-time.After(20 * time.Second):
		c.t.Fatal("no reply within 20 s")
		return nil
	}
}

// exchange is a request's reply and the iopub messages between its busy
// and idle status, checked for the protocol's ordering rules.
type exchange struct {
	reply *jupyter.Message
	iopub []*jupyter.Message
}

func (c *client) request(sock zmq4.Socket, msgType string, content any) exchange {
	c.t.Helper()
	req := c.send(sock, msgType, content)
	return c.collect(sock, req)
}

func (c *client) collect(sock zmq4.Socket, req *jupyter.Message) exchange {
	c.t.Helper()
	var ex exchange
	ex.reply = c.recv(sock)
	if ex.reply.ParentHeader == nil || ex.reply.ParentHeader.MsgID != req.Header.MsgID {
		c.t.Fatalf("%s: reply's parent is not the request", req.Header.MsgType)
	}
	if want := strings.TrimSuffix(req.Header.MsgType, "_request") + "_reply"; ex.reply.Header.MsgType != want {
		c.t.Errorf("reply type %s, want %s", ex.reply.Header.MsgType, want)
	}
	for {
		var m *jupyter.Message
		for i, p := range c.pending {
			if p.ParentHeader != nil && p.ParentHeader.MsgID == req.Header.MsgID {
				m = p
				c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
				break
			}
		}
		if m == nil {
			m = c.nextIOPub()
		}
		if m.ParentHeader == nil || m.ParentHeader.MsgID != req.Header.MsgID {
			c.pending = append(c.pending, m) // another request's message
			continue
		}
		if len(ex.iopub) == 0 && !(m.Header.MsgType == "status" && strings.Contains(string(m.Content), `"busy"`)) {
			c.t.Fatalf("%s: first iopub message is %s %s, want status busy", req.Header.MsgType, m.Header.MsgType, m.Content)
		}
		ex.iopub = append(ex.iopub, m)
		if m.Header.MsgType == "status" && strings.Contains(string(m.Content), `"idle"`) {
			return ex
		}
	}
}

func content(t *testing.T, m *jupyter.Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// types lists the iopub message types between busy and idle.
func (ex exchange) types() string {
	var s []string
	for _, m := range ex.iopub[1 : len(ex.iopub)-1] {
		s = append(s, m.Header.MsgType)
	}
	return strings.Join(s, " ")
}

func TestKernelInfoOnShellAndControl(t *testing.T) {
	h := start(t)
	for _, sock := range []zmq4.Socket{h.c.shell, h.c.control} {
		ex := h.c.request(sock, "kernel_info_request", map[string]any{})
		c := content(t, ex.reply)
		li := c["language_info"].(map[string]any)
		if c["protocol_version"] != "5.3" || c["status"] != "ok" || li["name"] != "go" || li["mimetype"] != "text/x-go" ||
			li["file_extension"] != ".go" || li["codemirror_mode"] != "go" || li["pygments_lexer"] != "go" {
			t.Errorf("kernel_info_reply %v", c)
		}
		if _, err := time.Parse(time.RFC3339Nano, ex.reply.Header.Date); err != nil || !strings.HasSuffix(ex.reply.Header.Date, "Z") {
			t.Errorf("date %q is not ISO 8601 with a time zone", ex.reply.Header.Date)
		}
		for _, m := range append(ex.iopub, ex.reply) {
			if m.Header.Session != h.k.session || m.Header.Version != "5.3" {
				t.Errorf("%s: session %q version %q", m.Header.MsgType, m.Header.Session, m.Header.Version)
			}
		}
	}
}

func TestExecute(t *testing.T) {
	h := start(t)
	ex := h.c.request(h.c.shell, "execute_request", map[string]any{"code": "import \"fmt\"\nfmt.Println(\"hi\")\n6 * 7", "silent": false, "store_history": true, "allow_stdin": false})
	if got := ex.types(); got != "execute_input stream execute_result" {
		t.Errorf("iopub: %s", got)
	}
	if r := content(t, ex.reply); r["status"] != "ok" || r["execution_count"] != 1.0 {
		t.Errorf("reply %v", r)
	}
	if c := content(t, ex.iopub[1]); c["code"] == "" || c["execution_count"] != 1.0 {
		t.Errorf("execute_input %v", c)
	}
	if c := content(t, ex.iopub[3]); c["data"].(map[string]any)["text/plain"] != "42" || c["execution_count"] != 1.0 {
		t.Errorf("execute_result %v", c)
	}

	// Silent: no output and no count.
	ex = h.c.request(h.c.shell, "execute_request", map[string]any{"code": "fmt.Println(\"quiet\")", "silent": true})
	if got := ex.types(); got != "" {
		t.Errorf("silent execution published %s", got)
	}
	// user_expressions are evaluated after the cell.
	ex = h.c.request(h.c.shell, "execute_request", map[string]any{"code": "y := 5", "user_expressions": map[string]string{"twice": "y * 2", "bad": "nope"}})
	r := content(t, ex.reply)
	ue := r["user_expressions"].(map[string]any)
	if r["execution_count"] != 2.0 || ue["twice"].(map[string]any)["data"].(map[string]any)["text/plain"] != "10" || ue["bad"].(map[string]any)["status"] != "error" {
		t.Errorf("reply %v", r)
	}

	// An error, then stop_on_error aborts what was queued behind it (the
	// failing cell waits so that the second request is surely queued).
	first := h.c.send(h.c.shell, "execute_request", map[string]any{"code": "import \"time\"\ntime.Sleep(300 * time.Millisecond)\npanic(\"boom\")"})
	second := h.c.send(h.c.shell, "execute_request", map[string]any{"code": "fmt.Println(\"never\")"})
	ex = h.c.collect(h.c.shell, first)
	if got := ex.types(); got != "execute_input error" {
		t.Errorf("iopub for a failing cell: %s", got)
	}
	if r := content(t, ex.reply); r["status"] != "error" || r["ename"] != "panic" || r["evalue"] != "boom" || len(r["traceback"].([]any)) == 0 {
		t.Errorf("error reply %v", r)
	}
	ex = h.c.collect(h.c.shell, second)
	if r := content(t, ex.reply); r["status"] != "aborted" {
		t.Errorf("queued request after an error: %v", r)
	}
	// With stop_on_error false, the next one runs.
	first = h.c.send(h.c.shell, "execute_request", map[string]any{"code": "panic(\"again\")", "stop_on_error": false})
	second = h.c.send(h.c.shell, "execute_request", map[string]any{"code": "fmt.Println(\"runs\")"})
	h.c.collect(h.c.shell, first)
	if r := content(t, h.c.collect(h.c.shell, second).reply); r["status"] != "ok" {
		t.Errorf("stop_on_error false: %v", r)
	}
}

func TestDisplayUpdates(t *testing.T) {
	h := start(t)
	ex := h.c.request(h.c.shell, "execute_request", map[string]any{"code": `import "nmfkernel/lib/display"
d := display.NewHandle()
d.Text("1")
d.Text("2")
display.HTML("<b>x</b>")`})
	if got := ex.types(); got != "execute_input display_data update_display_data display_data" {
		t.Fatalf("iopub: %s", got)
	}
	a, b, c := content(t, ex.iopub[2]), content(t, ex.iopub[3]), content(t, ex.iopub[4])
	id := a["transient"].(map[string]any)["display_id"]
	if id == nil || b["transient"].(map[string]any)["display_id"] != id || len(c["transient"].(map[string]any)) != 0 {
		t.Errorf("display ids: %v %v %v", a, b, c)
	}
}

func TestIntrospection(t *testing.T) {
	h := start(t)
	h.c.request(h.c.shell, "execute_request", map[string]any{"code": "import \"strings\"\ncounter := 1"})
	r := content(t, h.c.request(h.c.shell, "complete_request", map[string]any{"code": "x := cou", "cursor_pos": 8}).reply)
	if r["status"] != "ok" || r["cursor_start"] != 5.0 || r["cursor_end"] != 8.0 || !strings.Contains(fmt.Sprint(r["matches"]), "counter") {
		t.Errorf("complete_reply %v", r)
	}
	types, _ := r["metadata"].(map[string]any)["_jupyter_types_experimental"].([]any)
	if len(types) == 0 || !strings.Contains(fmt.Sprint(types), "text:counter") || !strings.Contains(fmt.Sprint(types), "type:variable") {
		t.Errorf("complete_reply's _jupyter_types_experimental: %v", types)
	}
	r = content(t, h.c.request(h.c.shell, "inspect_request", map[string]any{"code": "strings.Fields", "cursor_pos": 10, "detail_level": 0}).reply)
	if r["found"] != true || !strings.Contains(r["data"].(map[string]any)["text/plain"].(string), "func Fields(s string) []string") {
		t.Errorf("inspect_reply %v", r)
	}
	for code, want := range map[string]string{"x := 1": "complete", "func f() {": "incomplete", "}": "invalid"} {
		r = content(t, h.c.request(h.c.shell, "is_complete_request", map[string]any{"code": code}).reply)
		if r["status"] != want {
			t.Errorf("is_complete(%q) = %v", code, r)
		}
	}
	r = content(t, h.c.request(h.c.shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 10, "output": false, "raw": true}).reply)
	if fmt.Sprint(r["history"]) != "[[1 1 import \"strings\"\ncounter := 1]]" {
		t.Errorf("history_reply %v", r)
	}
	r = content(t, h.c.request(h.c.shell, "comm_info_request", map[string]any{}).reply)
	if r["status"] != "ok" || len(r["comms"].(map[string]any)) != 0 {
		t.Errorf("comm_info_reply %v", r)
	}
}

func TestStdin(t *testing.T) {
	h := start(t)
	req := h.c.send(h.c.shell, "execute_request", map[string]any{"code": "import \"fmt\"\nvar name string\nfmt.Scanln(&name)\nfmt.Println(\"hello\", name)", "allow_stdin": true})
	ir := h.c.recv(h.c.stdin)
	if ir.Header.MsgType != "input_request" || ir.ParentHeader.MsgID != req.Header.MsgID {
		t.Fatalf("got %s on stdin", ir.Header.MsgType)
	}
	reply, _ := jupyter.NewMessage(h.c.session, "input_reply", &ir.Header, map[string]any{"value": "Ada"})
	frames, _ := h.c.signer.Encode(reply)
	h.c.stdin.SendMulti(zmq4.NewMsgFrom(frames...))
	ex := h.c.collect(h.c.shell, req)
	if got := content(t, ex.iopub[2])["text"]; got != "hello Ada\n" {
		t.Errorf("stream %v", got)
	}
}

func TestInterrupt(t *testing.T) {
	h := start(t)
	req := h.c.send(h.c.shell, "execute_request", map[string]any{"code": "n := 0\nfor { n++ }"})
	time.Sleep(300 * time.Millisecond)
	if r := content(t, h.c.request(h.c.control, "interrupt_request", map[string]any{}).reply); r["status"] != "ok" {
		t.Errorf("interrupt_reply %v", r)
	}
	if r := content(t, h.c.collect(h.c.shell, req).reply); r["status"] != "error" || r["ename"] != "Interrupt" {
		t.Errorf("interrupted execute_reply %v", r)
	}
	if r := content(t, h.c.request(h.c.shell, "execute_request", map[string]any{"code": "n > 0"}).reply); r["status"] != "ok" {
		t.Errorf("kernel unusable after interrupt: %v", r)
	}
}

func TestSignaturesAndMalformedMessages(t *testing.T) {
	h := start(t)
	bad := jupyter.Signer{Key: []byte("wrong key")}
	m, _ := jupyter.NewMessage(h.c.session, "execute_request", nil, map[string]any{"code": "panic(1)"})
	frames, _ := bad.Encode(m)
	h.c.shell.SendMulti(zmq4.NewMsgFrom(frames...))
	unsigned, _ := jupyter.Signer{}.Encode(m)
	h.c.shell.SendMulti(zmq4.NewMsgFrom(unsigned...))
	h.c.shell.SendMulti(zmq4.NewMsgFrom([]byte("no"), []byte("delimiter")))
	h.c.shell.SendMulti(zmq4.NewMsgFrom([]byte(jupyter.Delimiter), []byte("sig")))
	// Content that is not an execute_request's: an error reply.
	ex := h.c.request(h.c.shell, "execute_request", []int{1, 2})
	if r := content(t, ex.reply); r["status"] != "error" || r["ename"] != "BadRequest" {
		t.Errorf("bad content: %v", r)
	}
	// An unknown request type is ignored; the next request is answered.
	h.c.send(h.c.shell, "frobnicate_request", map[string]any{})
	ex = h.c.request(h.c.shell, "execute_request", map[string]any{"code": "1 + 1"})
	if r := content(t, ex.reply); r["status"] != "ok" || r["execution_count"] != 1.0 {
		t.Errorf("after bad messages: %v (count 1 means the badly signed cell never ran)", r)
	}
}

func TestHeartbeat(t *testing.T) {
	h := start(t)
	if err := h.c.hb.Send(zmq4.NewMsg([]byte("ping"))); err != nil {
		t.Fatal(err)
	}
	m, err := h.c.hb.Recv()
	if err != nil || string(m.Bytes()) != "ping" {
		t.Errorf("heartbeat echo %q, %v", m.Bytes(), err)
	}
}

func TestShutdown(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprint("restart=", restart), func(t *testing.T) { testShutdown(t, restart) })
	}
}

func testShutdown(t *testing.T, restart bool) {
	{
		h := start(t)
		ex := h.c.request(h.c.control, "shutdown_request", map[string]any{"restart": restart})
		if r := content(t, ex.reply); r["status"] != "ok" || r["restart"] != restart {
			t.Errorf("shutdown_reply %v", r)
		}
		select {
		case got := <-h.restart:
			if got != restart {
				t.Errorf("Run returned restart=%v", got)
			}
		case <-time.After(5 * time.Second):
			t.Error("kernel did not stop after shutdown_request")
		}
	}
}

// BenchmarkExecuteOverZMQ times the cell bench/load sends (a print and a
// value) from the execute_request to the idle status over the kernel's
// own ZMQ sockets: the kernel's share of a round trip through the server.
func BenchmarkExecuteOverZMQ(b *testing.B) {
	h := start(b)
	for b.Loop() {
		ex := h.c.request(h.c.shell, "execute_request", map[string]any{"code": "print(\"c1\\n\")\n1", "silent": false})
		if len(ex.iopub) != 5 {
			b.Fatalf("%d iopub messages, want busy, execute_input, stream, execute_result, idle", len(ex.iopub))
		}
	}
}

// TestReplayedMessagesAreRefused sends one signed execute_request twice,
// the second time also from another socket: it runs once.
func TestReplayedMessagesAreRefused(t *testing.T) {
	h := start(t)
	c := h.c
	m, err := jupyter.NewMessage(c.session, "execute_request", nil, map[string]any{"code": "count := 0\ncount++\ncount", "silent": false})
	if err != nil {
		t.Fatal(err)
	}
	frames, err := c.signer.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.shell.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		t.Fatal(err)
	}
	c.collect(c.shell, m)
	// The same frames again, on shell and on control.
	for _, sock := range []zmq4.Socket{c.shell, c.control} {
		if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
	}
	ex := c.request(c.shell, "execute_request", map[string]any{"code": "count"})
	var result string
	for _, io := range ex.iopub {
		if io.Header.MsgType == "execute_result" {
			result = string(io.Content)
		}
	}
	if !strings.Contains(result, `"text/plain":"1"`) {
		t.Errorf("count after two replays: %s", result)
	}
}

// TestRunAllStopsAtAnError sends what Notebook's Run All sends: a failing
// cell, then a burst of execute requests a few milliseconds apart, the
// later ones sent after the failure. Every one of them is aborted, every
// time; a request sent after the failed cell's idle status runs.
func TestRunAllStopsAtAnError(t *testing.T) {
	h := start(t)
	for try := range 5 {
		// Dated as Notebook dates them: all in one loop, before any is
		// sent (a loaded machine may then delay the sends themselves).
		base := time.Now()
		first := h.c.sendDated(h.c.shell, "execute_request", map[string]any{"code": "panic(\"stop\")"}, base)
		var rest []*jupyter.Message
		for i := range 8 {
			time.Sleep(time.Duration(2+i%4) * time.Millisecond)
			rest = append(rest, h.c.sendDated(h.c.shell, "execute_request", map[string]any{"code": fmt.Sprintf("fmt.Println(%d)", i)}, base.Add(time.Duration(i+1)*time.Millisecond)))
		}
		if r := content(t, h.c.collect(h.c.shell, first).reply); r["status"] != "error" {
			t.Fatalf("try %d: failing cell: %v", try, r)
		}
		for i, id := range rest {
			ex := h.c.collect(h.c.shell, id)
			if r := content(t, ex.reply); r["status"] != "aborted" {
				t.Errorf("try %d: request %d behind the error: %v (iopub %s)", try, i, r, ex.types())
			}
		}
	}
	if r := content(t, h.c.request(h.c.shell, "execute_request", map[string]any{"code": "1"}).reply); r["status"] != "ok" {
		t.Errorf("after the aborts: %v", r)
	}

	// A Run All relayed slowly (Notebook as a gateway client): requests
	// that arrive after the failed cell's reply but were sent before it
	// (by the client's clock, which here runs an hour behind the
	// kernel's) are aborted; the first one sent after it runs.
	skew := -time.Hour
	sent := time.Now().Add(skew)
	first := h.c.sendDated(h.c.shell, "execute_request", map[string]any{"code": "panic(\"stop\")"}, sent)
	if r := content(t, h.c.collect(h.c.shell, first).reply); r["status"] != "error" {
		t.Fatalf("failing cell: %v", r)
	}
	time.Sleep(100 * time.Millisecond) // past the quiet window
	late := h.c.sendDated(h.c.shell, "execute_request", map[string]any{"code": "fmt.Println(\"late\")"}, sent.Add(3*time.Millisecond))
	if r := content(t, h.c.collect(h.c.shell, late).reply); r["status"] != "aborted" {
		t.Errorf("a late request of the failed batch: %v", r)
	}
	answer := h.c.sendDated(h.c.shell, "execute_request", map[string]any{"code": "2"}, time.Now().Add(skew))
	if r := content(t, h.c.collect(h.c.shell, answer).reply); r["status"] != "ok" {
		t.Errorf("a request sent after the reply: %v", r)
	}
}
