// Package client talks to a Jupyter kernel server (this project's "kernel
// serve", or jupyter_server) over its REST API and websocket channels:
// start a kernel, run cells and receive their messages, interrupt,
// restart and shut down.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"nmfkernel/internal/jupyter"
)

// ErrKernelDied reports that the kernel process died while a request was
// running (the server restarts it; its state is lost).
var ErrKernelDied = errors.New("kernel died")

// Client is a kernel server's address and token.
type Client struct {
	Base  string // such as http://127.0.0.1:8888
	Token string
	HTTP  *http.Client
}

// Kernel is a kernel's REST model.
type Kernel struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	ExecutionState string `json:"execution_state"`
	Connections    int    `json:"connections"`
}

// New returns a client for the server at base.
func New(base, token string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, HTTP: &http.Client{Timeout: 60 * time.Second}}
}

func (c *Client) do(ctx context.Context, method, path string, body, out any, want int) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "token "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(b, &e)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Message)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// StartKernel starts a kernel ("" for the server's default).
func (c *Client) StartKernel(ctx context.Context, name string) (*Kernel, error) {
	var k Kernel
	body := map[string]string{}
	if name != "" {
		body["name"] = name
	}
	return &k, c.do(ctx, "POST", "/api/kernels", body, &k, http.StatusCreated)
}

// Kernel returns a kernel's model.
func (c *Client) Kernel(ctx context.Context, id string) (*Kernel, error) {
	var k Kernel
	return &k, c.do(ctx, "GET", "/api/kernels/"+id, nil, &k, http.StatusOK)
}

// Interrupt interrupts a kernel's running cell.
func (c *Client) Interrupt(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/api/kernels/"+id+"/interrupt", nil, nil, http.StatusNoContent)
}

// Restart restarts a kernel.
func (c *Client) Restart(ctx context.Context, id string) error {
	return c.do(ctx, "POST", "/api/kernels/"+id+"/restart", nil, nil, http.StatusOK)
}

// Shutdown shuts a kernel down.
func (c *Client) Shutdown(ctx context.Context, id string) error {
	return c.do(ctx, "DELETE", "/api/kernels/"+id, nil, nil, http.StatusNoContent)
}

// Conn is a websocket connection to one kernel (v1 binary protocol).
type Conn struct {
	ws      *websocket.Conn
	session string
	wmu     sync.Mutex

	mu      sync.Mutex
	waiters map[string]chan *jupyter.Message // by request msg_id
	err     error
	done    chan struct{}
	// back is closed while the kernel runs; after the server's
	// "restarting" it is a new channel, closed at its "idle" or "dead":
	// requests wait for it, as a request sent during the restart after a
	// death is refused.
	back chan struct{}
}

// Connect opens a websocket to a kernel's channels.
func (c *Client) Connect(ctx context.Context, kernelID string) (*Conn, error) {
	u, err := url.Parse(c.Base)
	if err != nil {
		return nil, err
	}
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	session := jupyter.NewID()
	u.Path = strings.TrimRight(u.Path, "/") + "/api/kernels/" + kernelID + "/channels" // under the server's base URL
	u.RawQuery = url.Values{"session_id": {session}}.Encode()
	d := websocket.Dialer{Subprotocols: []string{jupyter.WSSubprotocolV1}, HandshakeTimeout: 30 * time.Second}
	ws, _, err := d.DialContext(ctx, u.String(), http.Header{"Authorization": {"token " + c.Token}})
	if err != nil {
		return nil, fmt.Errorf("connect to kernel %s: %w", kernelID, err)
	}
	ws.SetReadLimit(1 << 30)
	conn := &Conn{ws: ws, session: session, waiters: map[string]chan *jupyter.Message{}, done: make(chan struct{}), back: make(chan struct{})}
	close(conn.back)
	go conn.read()
	return conn, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.ws.Close() }

func (c *Conn) read() {
	defer close(c.done)
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.err = err
			for _, w := range c.waiters {
				close(w)
			}
			c.waiters = map[string]chan *jupyter.Message{}
			c.mu.Unlock()
			return
		}
		m, err := jupyter.DecodeWSV1(data)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if m.ParentHeader == nil {
			// The server's own status (restarting, dead): every waiter
			// must hear it.
			if m.Header.MsgType == "status" {
				content := string(m.Content)
				switch {
				case strings.Contains(content, `"restarting"`):
					select {
					case <-c.back:
						c.back = make(chan struct{})
					default:
					}
				case strings.Contains(content, `"idle"`), strings.Contains(content, `"dead"`):
					select {
					case <-c.back:
					default:
						close(c.back)
					}
				}
				for _, ch := range c.waiters {
					select {
					case ch <- m:
					default:
					}
				}
			}
			c.mu.Unlock()
			continue
		}
		w := c.waiters[m.ParentHeader.MsgID]
		c.mu.Unlock()
		if w != nil {
			w <- m
		}
	}
}

// Request sends a request on a channel and calls handle with every
// message it causes (replies and iopub output), returning the reply once
// both it and the kernel's idle status have arrived. It returns
// ErrKernelDied if the kernel restarts meanwhile, and ctx's error if ctx
// ends.
func (c *Conn) Request(ctx context.Context, channel, msgType string, content any, handle func(*jupyter.Message)) (*jupyter.Message, error) {
	m, err := jupyter.NewMessage(c.session, msgType, nil, content)
	if err != nil {
		return nil, err
	}
	m.Channel = channel
	m.Header.Username = "client"
	ch := make(chan *jupyter.Message, 1024)
	c.mu.Lock()
	back := c.back
	c.mu.Unlock()
	select {
	case <-back:
	case <-c.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.waiters[m.Header.MsgID] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiters, m.Header.MsgID)
		c.mu.Unlock()
	}()
	data, err := jupyter.EncodeWSV1(m)
	if err != nil {
		return nil, err
	}
	c.wmu.Lock()
	err = c.ws.WriteMessage(websocket.BinaryMessage, data)
	c.wmu.Unlock()
	if err != nil {
		return nil, err
	}
	var reply *jupyter.Message
	idle := false
	for reply == nil || !idle {
		select {
		case r, ok := <-ch:
			if !ok {
				return nil, fmt.Errorf("connection closed: %w", c.err)
			}
			if r.ParentHeader == nil { // the server's own status
				if strings.Contains(string(r.Content), `"restarting"`) || strings.Contains(string(r.Content), `"dead"`) {
					return nil, ErrKernelDied
				}
				continue
			}
			if handle != nil {
				handle(r)
			}
			if r.Channel == channel && strings.HasSuffix(r.Header.MsgType, "_reply") {
				reply = r
			}
			if r.Header.MsgType == "status" && strings.Contains(string(r.Content), `"idle"`) {
				idle = true
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return reply, nil
}
