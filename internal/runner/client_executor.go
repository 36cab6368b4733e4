package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"nmfkernel/internal/client"
	"nmfkernel/internal/engine"
	"nmfkernel/internal/gomod"
	"nmfkernel/internal/jupyter"
	"nmfkernel/lib/display"
)

// ClientExecutor runs cells on a kernel through a server connection,
// turning the protocol's messages back into engine events. Cancelling a
// cell's context asks the server to interrupt the kernel.
type ClientExecutor struct {
	Client   *client.Client
	KernelID string
	Conn     *client.Conn

	modules []gomod.Module // as the last execute_reply reported them
}

// Execute runs code on the kernel.
func (e *ClientExecutor) Execute(ctx context.Context, code string, sink func(engine.Event)) engine.Result {
	var cellErr *engine.CellError
	stop := context.AfterFunc(ctx, func() { e.Client.Interrupt(context.Background(), e.KernelID) })
	defer stop()
	reply, err := e.Conn.Request(context.Background(), "shell", "execute_request", map[string]any{
		"code": code, "silent": false, "store_history": true, "allow_stdin": false, "stop_on_error": true,
	}, func(m *jupyter.Message) {
		if m.Channel != "iopub" {
			return
		}
		var c struct {
			Name, Text string
			Data       display.Bundle
			Metadata   map[string]any
			Transient  struct {
				DisplayID string `json:"display_id"`
			}
			ExecutionCount int `json:"execution_count"`
			Ename, Evalue  string
			Traceback      []string
		}
		if m.DecodeContent(&c) != nil {
			return
		}
		switch m.Header.MsgType {
		case "stream":
			sink(engine.Stream{Name: c.Name, Text: c.Text})
		case "display_data", "update_display_data":
			sink(engine.Display{Data: display.Data{Bundle: c.Data, Metadata: c.Metadata, DisplayID: c.Transient.DisplayID, Update: m.Header.MsgType == "update_display_data"}})
		case "execute_result":
			sink(engine.ExecuteResult{Count: c.ExecutionCount, Bundle: c.Data})
		case "error":
			cellErr = &engine.CellError{Name: c.Ename, Value: c.Evalue, Traceback: c.Traceback}
		case "clear_output":
			var w struct{ Wait bool }
			m.DecodeContent(&w)
			sink(engine.ClearOutput{Wait: w.Wait})
		}
	})
	if errors.Is(err, client.ErrKernelDied) {
		msg := "the kernel process died while running this cell (a panic in a goroutine, or out of memory); it was restarted and its state is lost"
		return engine.Result{Err: &engine.CellError{Name: "KernelDied", Value: msg, Traceback: []string{"KernelDied: " + msg}, Err: err}}
	}
	if err != nil {
		msg := fmt.Sprintf("lost the kernel: %v", err)
		return engine.Result{Err: &engine.CellError{Name: "ConnectionError", Value: msg, Traceback: []string{msg}, Err: err}}
	}
	var r struct {
		Status         string   `json:"status"`
		ExecutionCount int      `json:"execution_count"`
		Ename          string   `json:"ename"`
		Evalue         string   `json:"evalue"`
		Traceback      []string `json:"traceback"`
	}
	json.Unmarshal(reply.Content, &r)
	e.noteModules(reply)
	res := engine.Result{Count: r.ExecutionCount}
	switch {
	case r.Status == "error" && cellErr != nil:
		res.Err = cellErr
	case r.Status == "error":
		res.Err = &engine.CellError{Name: r.Ename, Value: r.Evalue, Traceback: r.Traceback}
	case r.Status == "aborted":
		res.Err = &engine.CellError{Name: "Aborted", Value: "not run: an earlier cell failed", Traceback: []string{"Aborted"}}
	}
	if res.Err != nil && res.Err.Name == "Interrupt" && ctx.Err() != nil {
		res.Err.Err = ctx.Err()
	}
	return res
}

// Restart restarts the kernel (its state lost); the connection stays.
func (e *ClientExecutor) Restart(ctx context.Context) error {
	return e.Client.Restart(ctx, e.KernelID)
}

// noteModules keeps the modules an execute_reply says the kernel has
// compiled in at the notebook's request.
func (e *ClientExecutor) noteModules(reply *jupyter.Message) {
	if mods := modulesOf(reply.Metadata["nmfkernel"]); mods != nil {
		e.modules = mods
	}
}

// Modules returns the modules the kernel reported having compiled in at
// the notebook's request (import of a package it lacked, or %go get).
func (e *ClientExecutor) Modules() []gomod.Module { return e.modules }

// Prepare runs code on the kernel without output or history (a silent
// execute request), before the notebook's cells.
func (e *ClientExecutor) Prepare(ctx context.Context, code string) error {
	reply, err := e.Conn.Request(ctx, "shell", "execute_request", map[string]any{
		"code": code, "silent": true, "store_history": false, "allow_stdin": false, "stop_on_error": false,
	}, func(*jupyter.Message) {})
	if err != nil {
		return err
	}
	var r struct{ Status, Ename, Evalue string }
	json.Unmarshal(reply.Content, &r)
	e.noteModules(reply)
	if r.Status != "ok" {
		return fmt.Errorf("%s: %s", r.Ename, r.Evalue)
	}
	return nil
}
