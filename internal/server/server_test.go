package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/kernels"
)

// kernelBin is the kernel binary the tests' servers start.
var kernelBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "server-test-")
	if err != nil {
		panic(err)
	}
	kernelBin = filepath.Join(dir, "kernel")
	if out, err := exec.Command("go", "build", "-o", kernelBin, "nmfkernel/cmd/kernel").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the kernel: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type testServer struct {
	*Server
	base string
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func startServer(t *testing.T, opt Options) *testServer {
	t.Helper()
	// Deleted files go to a trash of the test's own, never the user's.
	t.Setenv("XDG_DATA_HOME", filepath.Join(t.TempDir(), "share"))
	logs := &syncBuffer{}
	opt.Addr = "127.0.0.1:0"
	opt.Log = log.New(logs, "", 0)
	opt.Kernels.Command = []string{kernelBin, "jupyter"}
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return &testServer{Server: s, base: "http://" + s.Addr(), logs: logs}
}

// send makes a request with the given headers ("Host" sets the Host).
func send(t *testing.T, method, url string, body any, header ...string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// do makes a request with the token in the Authorization header.
func (ts *testServer) do(t *testing.T, method, path string, body any, header ...string) (*http.Response, []byte) {
	t.Helper()
	return send(t, method, ts.base+path, body, append([]string{"Authorization", "token " + ts.Token()}, header...)...)
}

func (ts *testServer) startKernel(t *testing.T) kernels.Model {
	t.Helper()
	resp, b := ts.do(t, "POST", "/api/kernels", map[string]string{"name": "nmfkernel"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("start kernel: %d %s", resp.StatusCode, b)
	}
	var m kernels.Model
	json.Unmarshal(b, &m)
	return m
}

func TestAuthAndChecks(t *testing.T) {
	ts := startServer(t, Options{Token: "s3cret-token"})
	get := func(url string, header ...string) int {
		resp, _ := send(t, "GET", url, nil, header...)
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name   string
		url    string
		header []string
		want   int
	}{
		{"version needs no token", "/api", nil, 200},
		{"no token", "/api/status", nil, 403},
		{"wrong token", "/api/status", []string{"Authorization", "token nope"}, 403},
		{"token header", "/api/status", []string{"Authorization", "token s3cret-token"}, 200},
		{"bearer header", "/api/status", []string{"Authorization", "Bearer s3cret-token"}, 200},
		{"query token", "/api/status?token=s3cret-token", nil, 200},
		{"cache buster ignored", "/api/kernels?1700000000000&token=s3cret-token", nil, 200},
		{"foreign Host", "/api/status?token=s3cret-token", []string{"Host", "evil.example:8888"}, 403},
		{"localhost Host", "/api/status?token=s3cret-token", []string{"Host", "localhost:8888"}, 200},
	} {
		if got := get(ts.base+tc.url, tc.header...); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	resp, b := ts.do(t, "POST", "/api/kernels", nil, "Origin", "http://evil.example")
	if resp.StatusCode != 403 || !strings.Contains(string(b), `"reason":"Forbidden"`) {
		t.Errorf("cross-origin POST: %d %s", resp.StatusCode, b)
	}
	if strings.Contains(ts.logs.String(), "s3cret-token") {
		t.Error("the token appears in the server's log")
	}
	remote := startServer(t, Options{AllowRemote: true, AllowOrigin: "http://notebook.example"})
	if resp, _ := remote.do(t, "GET", "/api/status", nil, "Host", "evil.example"); resp.StatusCode != 200 {
		t.Errorf("--allow-remote: %d", resp.StatusCode)
	}
	if resp, b := remote.do(t, "POST", "/api/kernels", nil, "Origin", "http://notebook.example"); resp.StatusCode != 201 {
		t.Errorf("--allow-origin: %d %s", resp.StatusCode, b)
	}
	if len(remote.Token()) < 32 {
		t.Errorf("generated token %q is short", remote.Token())
	}
}

func TestKernelLifecycle(t *testing.T) {
	ts := startServer(t, Options{})
	resp, b := ts.do(t, "GET", "/api/kernelspecs", nil)
	var specs struct {
		Default     string                    `json:"default"`
		Kernelspecs map[string]map[string]any `json:"kernelspecs"`
	}
	json.Unmarshal(b, &specs)
	spec := specs.Kernelspecs["nmfkernel"]["spec"].(map[string]any)
	if resp.StatusCode != 200 || specs.Default != "nmfkernel" || spec["language"] != "go" || spec["interrupt_mode"] != "message" {
		t.Errorf("kernelspecs: %s", b)
	}
	resp, b = ts.do(t, "POST", "/api/kernels", map[string]string{"name": "nmfkernel"}, "Content-Type", "text/plain")
	var k kernels.Model
	json.Unmarshal(b, &k)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/kernels/"+k.ID || len(k.ID) != 36 || k.ExecutionState == "" {
		t.Fatalf("POST /api/kernels: %d %s %v", resp.StatusCode, b, resp.Header)
	}
	if resp, b := ts.do(t, "GET", "/api/kernels", nil); resp.StatusCode != 200 || !strings.Contains(string(b), k.ID) {
		t.Errorf("list: %d %s", resp.StatusCode, b)
	}
	if resp, b := ts.do(t, "GET", "/api/kernels/"+k.ID, nil); resp.StatusCode != 200 || !strings.Contains(string(b), `"last_activity"`) {
		t.Errorf("get: %d %s", resp.StatusCode, b)
	}
	if resp, _ := ts.do(t, "POST", "/api/kernels/"+k.ID+"/interrupt", nil); resp.StatusCode != 204 {
		t.Errorf("interrupt: %d", resp.StatusCode)
	}
	if resp, b := ts.do(t, "POST", "/api/kernels/"+k.ID+"/restart", nil); resp.StatusCode != 200 || !strings.Contains(string(b), k.ID) {
		t.Errorf("restart: %d %s", resp.StatusCode, b)
	}
	if resp, _ := ts.do(t, "DELETE", "/api/kernels/"+k.ID, nil); resp.StatusCode != 204 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, b := ts.do(t, "GET", "/api/kernels/"+k.ID, nil); resp.StatusCode != 404 || !strings.Contains(string(b), `"message"`) {
		t.Errorf("get deleted: %d %s", resp.StatusCode, b)
	}
	if resp, _ := ts.do(t, "POST", "/api/kernels", map[string]string{"name": "python3"}); resp.StatusCode != 404 {
		t.Errorf("unknown kernel name: %d", resp.StatusCode)
	}
}

func TestSessions(t *testing.T) {
	ts := startServer(t, Options{})
	for _, body := range []map[string]any{
		{"type": "notebook", "kernel": map[string]string{"name": "nmfkernel"}},
		{"path": "a.ipynb", "kernel": map[string]string{"name": "nmfkernel"}},
		{"path": "a.ipynb", "type": "notebook"},
	} {
		if resp, _ := ts.do(t, "POST", "/api/sessions", body); resp.StatusCode != 400 {
			t.Errorf("POST %v: %d, want 400", body, resp.StatusCode)
		}
	}
	body := map[string]any{"path": "work/a.ipynb", "type": "notebook", "name": "", "kernel": map[string]string{"name": "nmfkernel"}}
	resp, b := ts.do(t, "POST", "/api/sessions", body)
	var se map[string]any
	json.Unmarshal(b, &se)
	if resp.StatusCode != 201 || resp.Header.Get("Location") != "/api/sessions/"+se["id"].(string) || se["kernel"] == nil {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	resp, b2 := ts.do(t, "POST", "/api/sessions", body)
	var again map[string]any
	json.Unmarshal(b2, &again)
	if resp.StatusCode != 201 || again["id"] != se["id"] {
		t.Errorf("same path gave another session: %s", b2)
	}
	resp, b = ts.do(t, "PATCH", "/api/sessions/"+se["id"].(string), map[string]any{"path": "work/b.ipynb"})
	if resp.StatusCode != 200 || !strings.Contains(string(b), "work/b.ipynb") {
		t.Errorf("patch: %d %s", resp.StatusCode, b)
	}
	if resp, b := ts.do(t, "GET", "/api/sessions", nil); resp.StatusCode != 200 || !strings.Contains(string(b), se["id"].(string)) {
		t.Errorf("list: %d %s", resp.StatusCode, b)
	}
	// Reads and changes of one session at once: the store hands out copies
	// (go test -race reported the GET reading what a PATCH wrote).
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			ts.do(t, "PATCH", "/api/sessions/"+se["id"].(string), map[string]any{"name": fmt.Sprint("n", i), "path": fmt.Sprintf("work/c%d.ipynb", i)})
		}()
		go func() {
			defer wg.Done()
			ts.do(t, "GET", "/api/sessions/"+se["id"].(string), nil)
			ts.do(t, "GET", "/api/sessions", nil)
		}()
	}
	wg.Wait()
	kid := se["kernel"].(map[string]any)["id"].(string)
	if resp, _ := ts.do(t, "DELETE", "/api/sessions/"+se["id"].(string), nil); resp.StatusCode != 204 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := ts.do(t, "GET", "/api/kernels/"+kid, nil); resp.StatusCode != 404 {
		t.Errorf("the session's kernel survived it: %d", resp.StatusCode)
	}
}

// wsClient is a websocket client in one of the two formats.
type wsClient struct {
	t       *testing.T
	ws      *websocket.Conn
	v1      bool
	session string
	logs    *syncBuffer // the server's log, shown when a wait fails
}

// waitLimit bounds how long until and all wait for a request's messages
// while others keep arriving, so that a lost reply fails with the server's
// log instead of hanging until the test binary's timeout.
const waitLimit = time.Minute

func (ts *testServer) dial(t *testing.T, kernelID string, v1 bool) *wsClient {
	t.Helper()
	d := websocket.Dialer{}
	if v1 {
		d.Subprotocols = []string{jupyter.WSSubprotocolV1}
	}
	session := jupyter.NewID()
	url := "ws://" + ts.Addr() + "/api/kernels/" + kernelID + "/channels?session_id=" + session + "&token=" + ts.Token()
	ws, resp, err := d.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v %v", err, resp)
	}
	if got := ws.Subprotocol() == jupyter.WSSubprotocolV1; got != v1 {
		t.Fatalf("subprotocol %q", ws.Subprotocol())
	}
	t.Cleanup(func() { ws.Close() })
	return &wsClient{t: t, ws: ws, v1: v1, session: session, logs: ts.logs}
}

func (c *wsClient) send(channel, msgType string, content any) *jupyter.Message {
	c.t.Helper()
	m, _ := jupyter.NewMessage(c.session, msgType, nil, content)
	m.Channel = channel
	var err error
	if c.v1 {
		b, _ := jupyter.EncodeWSV1(m)
		err = c.ws.WriteMessage(websocket.BinaryMessage, b)
	} else {
		b, _, _ := jupyter.EncodeWSJSON(m)
		err = c.ws.WriteMessage(websocket.TextMessage, b)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

func (c *wsClient) recv() *jupyter.Message {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	kind, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m *jupyter.Message
	if c.v1 {
		m, err = jupyter.DecodeWSV1(data)
	} else {
		m, err = jupyter.DecodeWSJSON(data, kind == websocket.BinaryMessage)
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return m
}

// until reads messages until one of msgType (on channel) whose parent is
// req, returning all read.
func (c *wsClient) until(req *jupyter.Message, channel, msgType string) []*jupyter.Message {
	c.t.Helper()
	var got []*jupyter.Message
	for deadline := time.Now().Add(waitLimit); ; {
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s:%s for %s within %v; read %s; server log:\n%s", channel, msgType, req.Header.MsgType, waitLimit, summary(got), c.logs.String())
		}
		m := c.recv()
		got = append(got, m)
		if m.Channel == channel && m.Header.MsgType == msgType && m.ParentHeader != nil && m.ParentHeader.MsgID == req.Header.MsgID {
			return got
		}
	}
}

// all reads a request's messages until both its reply and its idle status
// have come (they travel on different sockets, in either order).
func (c *wsClient) all(req *jupyter.Message) []*jupyter.Message {
	c.t.Helper()
	var got, others []*jupyter.Message
	reply, idle := false, false
	for deadline := time.Now().Add(waitLimit); !reply || !idle; {
		if time.Now().After(deadline) {
			c.t.Fatalf("no reply and idle for %s within %v; read %s and, for other requests, %s; server log:\n%s", req.Header.MsgType, waitLimit, summary(got), summary(others), c.logs.String())
		}
		m := c.recv()
		if m.ParentHeader == nil || m.ParentHeader.MsgID != req.Header.MsgID {
			others = append(others, m)
			continue
		}
		got = append(got, m)
		reply = reply || (m.Channel == "shell" && strings.HasSuffix(m.Header.MsgType, "_reply"))
		idle = idle || (m.Header.MsgType == "status" && strings.Contains(string(m.Content), `"idle"`))
	}
	return got
}

func summary(ms []*jupyter.Message) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Channel+":"+m.Header.MsgType)
	}
	return strings.Join(s, " ")
}

func TestWebsocketFormats(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	for _, v1 := range []bool{true, false} {
		t.Run(fmt.Sprint("v1=", v1), func(t *testing.T) {
			c := ts.dial(t, k.ID, v1)
			req := c.send("shell", "execute_request", map[string]any{"code": "import \"fmt\"\nfmt.Println(\"over the wire\")\n40 + 2", "silent": false})
			s := summary(c.all(req))
			for _, want := range []string{"iopub:execute_input", "iopub:stream", "iopub:execute_result", "shell:execute_reply"} {
				if !strings.Contains(s, want) {
					t.Errorf("messages %s lack %s", s, want)
				}
			}
		})
	}
}

// TestNudgesStayServerSide checks that the kernel_info requests the server
// sends on its own while a connection's iopub subscription settles never
// reach the client: everything the client reads with a parent answers the
// client's own request, in either websocket format.
func TestNudgesStayServerSide(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	for _, v1 := range []bool{true, false} {
		t.Run(fmt.Sprint("v1=", v1), func(t *testing.T) {
			c := ts.dial(t, k.ID, v1)
			req := c.send("shell", "kernel_info_request", map[string]any{})
			reply, idle := false, false
			for !reply || !idle {
				m := c.recv()
				if m.ParentHeader == nil {
					continue
				}
				if m.ParentHeader.MsgID != req.Header.MsgID {
					t.Fatalf("the client got %s:%s answering a request it did not send", m.Channel, m.Header.MsgType)
				}
				reply = reply || m.Header.MsgType == "kernel_info_reply"
				idle = idle || (m.Header.MsgType == "status" && strings.Contains(string(m.Content), `"idle"`))
			}
		})
	}
}

func TestTwoClientsOneKernel(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	a, b := ts.dial(t, k.ID, true), ts.dial(t, k.ID, false)
	// A round trip proves b's iopub subscription is live before a runs.
	b.all(b.send("shell", "kernel_info_request", map[string]any{}))
	req := a.send("shell", "execute_request", map[string]any{"code": "1 + 1"})
	ga := a.all(req)
	gb := b.until(req, "iopub", "execute_result")
	if !strings.Contains(summary(ga), "shell:execute_reply") || strings.Contains(summary(gb), "shell:") {
		t.Errorf("asker got %s; other got %s", summary(ga), summary(gb))
	}
	resp, body := ts.do(t, "GET", "/api/kernels/"+k.ID, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"connections":2`) {
		t.Errorf("connections: %s", body)
	}
}

func TestKernelDeathRestarts(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	other := ts.startKernel(t)
	c := ts.dial(t, k.ID, true)
	c.send("shell", "execute_request", map[string]any{"code": "import \"time\"\nx := 1\n// A panic on the timer's goroutine, which cell code did not start, ends the process.\ntime.AfterFunc(0, func() { panic(\"in a goroutine\") })\ntime.Sleep(time.Second)"})
	var states []string
	var streams string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(strings.Join(states, " "), "restarting idle") {
		c.ws.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			break
		}
		m, err := jupyter.DecodeWSV1(data)
		if err != nil {
			t.Fatal(err)
		}

		if m.Header.MsgType == "stream" {
			var st struct {
				Text string `json:"text"`
			}
			json.Unmarshal(m.Content, &st)
			streams += st.Text
		}
		if m.Header.MsgType == "status" && m.ParentHeader == nil {
			var st struct {
				State string `json:"execution_state"`
			}
			json.Unmarshal(m.Content, &st)
			states = append(states, st.State)
		}
	}
	if !strings.Contains(strings.Join(states, " "), "restarting idle") {
		t.Fatalf("states %v, want restarting then idle; server log:\n%s", states, ts.logs.String())
	}
	// The client sees what the dying process printed; the server logged it.
	if !strings.Contains(streams, "panic: in a goroutine") || !strings.Contains(ts.logs.String(), "kernel "+k.ID+": panic: in a goroutine") {
		t.Errorf("death report: streams %q; server log:\n%s", streams, ts.logs.String())
	}
	// A fresh kernel on the same id: the old state is gone.
	req := c.send("shell", "execute_request", map[string]any{"code": "x"})
	reply := c.until(req, "shell", "execute_reply")
	if !strings.Contains(string(reply[len(reply)-1].Content), "undefined: x") {
		t.Errorf("restarted kernel: %s", reply[len(reply)-1].Content)
	}
	// A REST restart reconnects the websocket to the new process too.
	if resp, _ := ts.do(t, "POST", "/api/kernels/"+k.ID+"/restart", nil); resp.StatusCode != 200 {
		t.Fatalf("restart: %d", resp.StatusCode)
	}
	req = c.send("shell", "execute_request", map[string]any{"code": "1 + 2"})
	if got := summary(c.all(req)); !strings.Contains(got, "iopub:execute_result") {
		t.Errorf("after a REST restart: %s", got)
	}
	if resp, b := ts.do(t, "GET", "/api/kernels/"+other.ID, nil); resp.StatusCode != 200 || !strings.Contains(string(b), `"idle"`) {
		t.Errorf("the other kernel: %d %s", resp.StatusCode, b)
	}
}

func TestMessageSizeLimit(t *testing.T) {
	ts := startServer(t, Options{MaxMessageSize: 4096})
	k := ts.startKernel(t)
	c := ts.dial(t, k.ID, true)
	c.send("shell", "execute_request", map[string]any{"code": strings.Repeat("x", 8192)})
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.ws.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
				t.Errorf("closed with %v, want 1009 message too big", err)
			}
			return
		}
	}
}

func TestCullIdle(t *testing.T) {
	ts := startServer(t, Options{Kernels: kernels.Options{CullIdle: 500 * time.Millisecond}})
	k := ts.startKernel(t)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, _ := ts.do(t, "GET", "/api/kernels/"+k.ID, nil); resp.StatusCode == 404 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Error("idle kernel was not culled")
}

// kernelProcesses counts the running processes started with a kernel's
// connection file (Linux: /proc).
func kernelProcesses(t *testing.T, id string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc: cannot count processes")
	}
	n := 0
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if strings.Contains(string(cmdline), "kernel-"+id+".json") && !strings.Contains(string(stat), ") Z ") {
			n++
		}
	}
	return n
}

// TestConcurrentRestarts fires 2, 3 and 8 restarts of one kernel at once:
// every one succeeds, and the kernel ends with exactly one process, which
// answers.
func TestConcurrentRestarts(t *testing.T) {
	ts := startServer(t, Options{})
	for _, n := range []int{2, 3, 8} {
		k := ts.startKernel(t)
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := send(t, "POST", ts.base+"/api/kernels/"+k.ID+"/restart", nil, "Authorization", "token "+ts.Token())
				codes[i] = resp.StatusCode
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("%d restarts: restart %d answered %d", n, i, c)
			}
		}
		if got := kernelProcesses(t, k.ID); got != 1 {
			t.Errorf("%d restarts: %d processes for the kernel, want 1", n, got)
		}
		resp, b := ts.do(t, "GET", "/api/kernels/"+k.ID, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"execution_state":"idle"`) {
			t.Errorf("%d restarts: kernel %s", n, b)
		}
		c := ts.dial(t, k.ID, true)
		req := c.send("shell", "execute_request", map[string]any{"code": "40 + 2"})
		reply := c.until(req, "shell", "execute_reply")
		if !strings.Contains(string(reply[len(reply)-1].Content), `"status":"ok"`) {
			t.Errorf("%d restarts: execute after: %s", n, reply[len(reply)-1].Content)
		}
	}
}

// startServeProcess runs `kernel serve` as a process of its own and
// returns it with its base URL and token.
func startServeProcess(t *testing.T) (*exec.Cmd, string, string) {
	t.Helper()
	token := "process-test-token"
	cmd := exec.Command(kernelBin, "serve", "--addr", "127.0.0.1:0", "--token", token)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "http://"); i >= 0 {
			u := strings.TrimSpace(sc.Text()[i:])
			if j := strings.Index(u, "/?"); j >= 0 {
				u = u[:j]
			}
			go io.Copy(io.Discard, out)
			return cmd, strings.TrimSuffix(u, "/"), token
		}
	}
	t.Fatal("kernel serve printed no URL")
	return nil, "", ""
}

// kernelConnFile returns the connection file a kernel's process was
// started with.
func kernelConnFile(t *testing.T, id string) string {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for _, arg := range strings.Split(string(b), "\x00") {
			if strings.HasSuffix(arg, "kernel-"+id+".json") {
				return arg
			}
		}
	}
	return ""
}

// TestKernelsDieWithTheServer kills `kernel serve` with SIGKILL (nothing
// of the server runs) and with SIGHUP (a clean shutdown): either way its
// kernels end and their connection files, which hold their keys, go.
func TestKernelsDieWithTheServer(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("needs /proc to find the kernel processes")
	}
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP} {
		cmd, base, token := startServeProcess(t)
		resp, b := send(t, "POST", base+"/api/kernels", map[string]string{"name": "nmfkernel"}, "Authorization", "token "+token)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("start kernel: %d %s", resp.StatusCode, b)
		}
		var m kernels.Model
		json.Unmarshal(b, &m)
		file := kernelConnFile(t, m.ID)
		if file == "" || kernelProcesses(t, m.ID) != 1 {
			t.Fatalf("%v: no kernel process for %s", sig, m.ID)
		}
		cmd.Process.Signal(sig)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && kernelProcesses(t, m.ID) > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if n := kernelProcesses(t, m.ID); n != 0 {
			t.Errorf("%v: %d kernel processes outlived the server", sig, n)
		}
		for time.Now().Before(deadline) {
			if _, err := os.Stat(file); os.IsNotExist(err) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := os.Stat(file); !os.IsNotExist(err) {
			t.Errorf("%v: connection file %s left behind", sig, file)
		}
		if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
			t.Errorf("%v: runtime folder %s left behind", sig, filepath.Dir(file))
		}
	}
}

// TestSessionsFollowTheirKernels shuts a kernel down through another
// session, and lets one be culled: no session is left pointing at no
// kernel, and a new session for the same path gets a kernel.
func TestSessionsFollowTheirKernels(t *testing.T) {
	ts := startServer(t, Options{Kernels: kernels.Options{CullIdle: 300 * time.Millisecond}})
	create := func(body map[string]any) map[string]any {
		resp, b := ts.do(t, "POST", "/api/sessions", body)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create session: %d %s", resp.StatusCode, b)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		return m
	}
	a := create(map[string]any{"path": "a.ipynb", "type": "notebook", "kernel": map[string]string{"name": "nmfkernel"}})
	kid := a["kernel"].(map[string]any)["id"].(string)
	b := create(map[string]any{"path": "b.ipynb", "type": "notebook", "kernel": map[string]string{"id": kid}})
	// Moving a to a new kernel shuts the shared one down.
	if resp, body := ts.do(t, "PATCH", "/api/sessions/"+a["id"].(string), map[string]any{"kernel": map[string]string{"name": "nmfkernel"}}); resp.StatusCode != 200 {
		t.Fatalf("patch: %d %s", resp.StatusCode, body)
	}
	if resp, _ := ts.do(t, "GET", "/api/sessions/"+b["id"].(string), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("session b, whose kernel was shut down: %d, want 404", resp.StatusCode)
	}
	b2 := create(map[string]any{"path": "b.ipynb", "type": "notebook", "kernel": map[string]string{"name": "nmfkernel"}})
	if b2["kernel"] == nil || b2["id"] == b["id"] {
		t.Errorf("new session for b.ipynb: %v", b2)
	}
	// Culling (no connections, idle): the sessions go with their kernels.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		_, body := ts.do(t, "GET", "/api/sessions", nil)
		if strings.TrimSpace(string(body)) == "[]" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, body := ts.do(t, "GET", "/api/sessions", nil)
	t.Errorf("sessions after their kernels were culled: %s", body)
}

// TestSilentClientIsDropped connects a client that never reads (so never
// answers a ping): its connection ends and the kernel counts it no more.
// A client that reads stays connected.
func TestSilentClientIsDropped(t *testing.T) {
	ts := startServer(t, Options{PingInterval: 100 * time.Millisecond, PingTimeout: 2 * time.Second})
	k := ts.startKernel(t)
	live := ts.dial(t, k.ID, true)
	go func() {
		for {
			if _, _, err := live.ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ts.dial(t, k.ID, true) // never reads
	connections := func() int {
		_, b := ts.do(t, "GET", "/api/kernels/"+k.ID, nil)
		var m kernels.Model
		json.Unmarshal(b, &m)
		return m.Connections
	}
	// Both are counted once the server has registered them (the dial can
	// return first); then the silent one goes.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && connections() != 2 {
		time.Sleep(10 * time.Millisecond)
	}
	for time.Now().Before(deadline) && connections() != 1 {
		time.Sleep(50 * time.Millisecond)
	}
	if n := connections(); n != 1 {
		t.Errorf("%d connections, want the reading client's alone", n)
	}
}

// TestBodyOverLimit sends a REST body over 1 MiB: 413, and no kernel.
func TestBodyOverLimit(t *testing.T) {
	ts := startServer(t, Options{})
	body := strings.Repeat(" ", 2<<20) + `{"name":"nmfkernel"}`
	req, _ := http.NewRequest("POST", ts.base+"/api/kernels", strings.NewReader(body))
	req.Header.Set("Authorization", "token "+ts.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if _, b := ts.do(t, "GET", "/api/kernels", nil); strings.TrimSpace(string(b)) != "[]" {
		t.Errorf("kernels after the refused request: %s", b)
	}
}

// TestSlowClientDoesNotSilenceTheKernel runs a cell that sends 12,000
// displays of 4 KB (48 MB; clients may fall 24 MB behind here) while a
// second client on the same kernel never reads: that client is dropped
// with a clear close code, and the reading client gets every message, its
// reply and its idle status; the kernel's state returns to idle.
func TestSlowClientDoesNotSilenceTheKernel(t *testing.T) {
	ts := startServer(t, Options{Kernels: kernels.Options{IOPubBacklog: 24 << 20}})
	k := ts.startKernel(t)
	reader := ts.dial(t, k.ID, true)
	stalled := ts.dial(t, k.ID, true) // never reads
	// The cell pauses now and then, as real output does, so that the
	// reading client, slowed by the race detector and by whatever else
	// shares the machine's two cores, keeps within its limit (it fell
	// 24 MB behind with a pause every 500 displays on a busy machine).
	req := reader.send("shell", "execute_request", map[string]any{"code": `import ("fmt"; "strings"; "time"; "nmfkernel/lib/display")
block := strings.Repeat("x", 4096)
for i := range 12000 {
	display.Markdown(fmt.Sprint(i, block))
	if i%200 == 199 {
		time.Sleep(100 * time.Millisecond)
	}
}`})
	// Read as fast as possible: large messages are counted, not decoded.
	displays, reply, idle := 0, false, false
	reader.ws.SetReadDeadline(time.Now().Add(waitLimit))
	for !reply || !idle {
		_, data, err := reader.ws.ReadMessage()
		if err != nil {
			t.Fatalf("reading client: %v after %d displays", err, displays)
		}
		if len(data) > 4096 {
			displays++
			continue
		}
		m, err := jupyter.DecodeWSV1(data)
		if err != nil || m.ParentHeader == nil || m.ParentHeader.MsgID != req.Header.MsgID {
			continue
		}
		reply = reply || m.Header.MsgType == "execute_reply"
		idle = idle || m.Header.MsgType == "status" && strings.Contains(string(m.Content), "idle")
	}
	if displays != 12000 {
		t.Errorf("the reading client got %d of 12000 displays", displays)
	}
	// The stalled client was closed: with 1013 (try again later) when the
	// close frame fits in what it has not read, else by closing the
	// connection.
	stalled.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var closeErr *websocket.CloseError
	for {
		if _, _, err := stalled.ws.ReadMessage(); err != nil {
			if !errors.As(err, &closeErr) || closeErr.Code != websocket.CloseTryAgainLater && closeErr.Code != websocket.CloseAbnormalClosure {
				t.Errorf("stalled client: %v, want its connection closed", err)
			}
			break
		}
	}
	if _, b := ts.do(t, "GET", "/api/kernels/"+k.ID, nil); !strings.Contains(string(b), `"execution_state":"idle"`) {
		t.Errorf("kernel after the burst: %s", b)
	}
	// The kernel still talks to new clients.
	c := ts.dial(t, k.ID, true)
	req = c.send("shell", "execute_request", map[string]any{"code": "1 + 1"})
	if reply := c.until(req, "shell", "execute_reply"); !strings.Contains(string(reply[len(reply)-1].Content), `"status":"ok"`) {
		t.Errorf("after: %s", reply[len(reply)-1].Content)
	}
}

// TestCellProcessesDieWithTheKernel starts a process from a cell, then
// restarts the kernel: the process is gone with the old kernel.
func TestCellProcessesDieWithTheKernel(t *testing.T) {
	if _, err := os.Stat("/bin/sleep"); err != nil {
		t.Skip("no /bin/sleep")
	}
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	c := ts.dial(t, k.ID, true)
	req := c.send("shell", "execute_request", map[string]any{"code": `import "os"
p, err := os.StartProcess("/bin/sleep", []string{"sleep", "300"}, &os.ProcAttr{})
if err != nil {
	panic(err)
}
p.Pid`})
	var pid int
	for _, m := range c.all(req) {
		if m.Header.MsgType == "execute_result" {
			var r struct {
				Data map[string]string `json:"data"`
			}
			json.Unmarshal(m.Content, &r)
			fmt.Sscan(r.Data["text/plain"], &pid)
		}
	}
	if pid == 0 {
		t.Fatal("the cell started no process")
	}
	alive := func() bool {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		return err == nil && !strings.Contains(string(stat), ") Z ")
	}
	if !alive() {
		t.Fatalf("process %d is not running", pid)
	}
	if resp, _ := ts.do(t, "POST", "/api/kernels/"+k.ID+"/restart", nil); resp.StatusCode != 200 {
		t.Fatalf("restart: %d", resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && alive() {
		time.Sleep(50 * time.Millisecond)
	}
	if alive() {
		t.Errorf("the cell's process %d outlived its kernel", pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// TestRestartTellsEveryClient restarts a kernel through REST while a
// client's cell runs: the client hears "restarting" (its request will get
// no reply from the old process) instead of waiting forever.
func TestRestartTellsEveryClient(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	c := ts.dial(t, k.ID, true)
	c.send("shell", "execute_request", map[string]any{"code": "import \"time\"\ntime.Sleep(20 * time.Second)"})
	time.Sleep(300 * time.Millisecond)
	go ts.do(t, "POST", "/api/kernels/"+k.ID+"/restart", nil)
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		m := c.recv()
		if m.Header.MsgType == "status" && m.ParentHeader == nil && strings.Contains(string(m.Content), "restarting") {
			return
		}
	}
	t.Error("the client was not told the kernel restarted")
}

// TestRequestDuringDeathRestartIsRefused sends a cell while the kernel is
// being restarted after its process died: it gets a KernelDied error reply
// and never runs in the new process.
func TestRequestDuringDeathRestartIsRefused(t *testing.T) {
	ts := startServer(t, Options{})
	k := ts.startKernel(t)
	c := ts.dial(t, k.ID, true)
	c.send("shell", "execute_request", map[string]any{"code": "import \"time\"\ntime.AfterFunc(0, func() { panic(\"die\") })\ntime.Sleep(time.Second)"})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatal("no restarting status")
		}
		m := c.recv()
		if m.Header.MsgType == "status" && m.ParentHeader == nil && strings.Contains(string(m.Content), "restarting") {
			break
		}
	}
	req := c.send("shell", "execute_request", map[string]any{"code": "ran := true\nran"})
	reply := c.until(req, "shell", "execute_reply")
	if got := string(reply[len(reply)-1].Content); !strings.Contains(got, "KernelDied") {
		t.Fatalf("a request held through the restart: %s", got)
	}
	req = c.send("shell", "execute_request", map[string]any{"code": "ran"})
	reply = c.until(req, "shell", "execute_reply")
	if got := string(reply[len(reply)-1].Content); !strings.Contains(got, "undefined: ran") {
		t.Errorf("the refused request ran after all: %s", got)
	}
}
