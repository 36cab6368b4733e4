package hubtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"

	"nmfkernel/internal/jupyter"
)

// RunCell starts a kernel (the nmfkernel kernelspec) on the Jupyter
// server at base (e.g. http://127.0.0.1:PORT/user/alice/, through the
// hub's proxy) with token, runs code over the kernel's websocket and
// returns its stdout once the kernel is idle again.
func RunCell(ctx context.Context, base, token, code string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"api/kernels", strings.NewReader(`{"name":"nmfkernel"}`))
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	var k struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&k)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("start a kernel at %s: %s", base, resp.Status)
	}
	session := jupyter.NewID()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(base, "http")+"api/kernels/"+k.ID+"/channels?session_id="+session,
		http.Header{"Authorization": {"token " + token}})
	if err != nil {
		return "", fmt.Errorf("the kernel's websocket: %w", err)
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	m, _ := jupyter.NewMessage(session, "execute_request", nil, map[string]any{"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	m.Channel = "shell"
	b, _, err := jupyter.EncodeWSJSON(m)
	if err != nil {
		return "", err
	}
	if err := ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return "", err
	}
	var out strings.Builder
	for {
		kind, data, err := ws.ReadMessage()
		if err != nil {
			return out.String(), fmt.Errorf("read the kernel's messages: %w", err)
		}
		r, err := jupyter.DecodeWSJSON(data, kind == websocket.BinaryMessage)
		if err != nil || r.ParentHeader == nil || r.ParentHeader.MsgID != m.Header.MsgID {
			continue
		}
		switch r.Header.MsgType {
		case "stream":
			var c struct{ Name, Text string }
			r.DecodeContent(&c)
			if c.Name == "stdout" {
				out.WriteString(c.Text)
			}
		case "error":
			var c struct{ Ename, Evalue string }
			r.DecodeContent(&c)
			return out.String(), fmt.Errorf("the cell failed: %s: %s", c.Ename, c.Evalue)
		case "status":
			var c struct {
				ExecutionState string `json:"execution_state"`
			}
			r.DecodeContent(&c)
			if c.ExecutionState == "idle" {
				return out.String(), nil
			}
		}
	}
}
