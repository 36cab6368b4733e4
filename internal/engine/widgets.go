package engine

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/types"
	"reflect"
	"strconv"
	"strings"

	"nmfkernel/lib/display"
	"nmfkernel/lib/widgets"
)

// Comm is a comm message a cell's widgets send to the front end
// (comm_open, comm_msg or comm_close).
type Comm struct{ widgets.Message }

func (Comm) isEvent() {}

// newWidgets makes the session's widget manager: its messages go to the
// running cell's (or widget callback's) front end, its displays through
// the session's displayer, and Interact's outputs are captured from the
// session's streams and displays.
func (s *Session) newWidgets() *widgets.Manager {
	return widgets.NewManager(
		func(m widgets.Message) { s.flushOutput(); s.emit(Comm{m}) },
		func(b display.Bundle) func(display.Bundle) {
			h := s.disp.NewHandle()
			h.Show(b)
			return func(b display.Bundle) { h.Show(b) }
		},
		s.captureOutputs,
	)
}

// widgetExports are the widgets package's functions, bound to the
// session's manager.
func (s *Session) widgetExports() map[string]reflect.Value {
	out := map[string]reflect.Value{}
	mv := reflect.ValueOf(s.widgets)
	for _, name := range []string{"IntSlider", "FloatSlider", "Dropdown", "Checkbox", "Text", "Button", "VBox", "HBox", "Output", "Interact"} {
		out[name] = mv.MethodByName(name)
	}
	return out
}

// captureOutputs runs run with the session's output collected as notebook
// outputs (streams and displays) instead of sent.
func (s *Session) captureOutputs(run func()) []map[string]any {
	s.flushOutput()
	var outs []map[string]any
	s.mu.Lock()
	prev := s.sink
	s.sink = func(ev Event) {
		switch ev := ev.(type) {
		case Stream:
			if n := len(outs); n > 0 && outs[n-1]["output_type"] == "stream" && outs[n-1]["name"] == ev.Name {
				outs[n-1]["text"] = outs[n-1]["text"].(string) + ev.Text
				return
			}
			outs = append(outs, map[string]any{"output_type": "stream", "name": ev.Name, "text": ev.Text})
		case Display:
			md := ev.Metadata
			if md == nil {
				md = map[string]any{}
			}
			outs = append(outs, map[string]any{"output_type": "display_data", "data": map[string]any(ev.Bundle), "metadata": md})
		default:
			if prev != nil {
				prev(ev)
			}
		}
	}
	s.mu.Unlock()
	defer func() {
		s.flushOutput()
		s.mu.Lock()
		s.sink = prev
		s.mu.Unlock()
	}()
	run()
	s.flushOutput()
	return outs
}

// HandleComm applies a comm message from the front end: a widget's state
// update, click or state request, or the widget control comm's request for
// every widget's state (ipywidgets 8 front ends ask when they connect).
// What the widgets' functions print, display or send goes to sink. It
// runs one at a time with cells, and an interrupt (ctx) stops a callback.
func (s *Session) HandleComm(ctx context.Context, msgType, commID, target string, data map[string]any, sink func(Event)) (err error) {
	s.run.Lock()
	defer s.run.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.sink, s.ctx, s.cancelCell = sink, ctx, cancel
	s.mu.Unlock()
	defer func() {
		s.flushOutput()
		s.mu.Lock()
		s.ctx, s.cancelCell = context.Background(), nil
		s.mu.Unlock()
	}()
	switch msgType {
	case "comm_open":
		if target == widgets.ControlTarget {
			s.controlComms[commID] = true
			return nil
		}
		s.emit(Comm{widgets.Message{Type: "comm_close", CommID: commID, Data: map[string]any{}}})
		return fmt.Errorf("no comm target %q here (the kernel has %s and %s)", target, widgets.Target, widgets.ControlTarget)
	case "comm_close":
		delete(s.controlComms, commID)
		return nil
	}
	if s.controlComms[commID] {
		if m, _ := data["method"].(string); m != "request_states" {
			return fmt.Errorf("the widget control comm has no method %q", m)
		}
		s.emit(Comm{widgets.Message{Type: "comm_msg", CommID: commID, Data: map[string]any{"method": "update_states", "states": s.widgets.States(), "buffer_paths": []any{}}}})
		return nil
	}
	// A widget's callbacks are interpreted code: run them as a cell runs,
	// stoppable, with a panic reported instead of ending the kernel.
	done := make(chan error, 1)
	s.ctl.arm()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v", goPanicMessage(recovered(r)))
			}
		}()
		done <- s.widgets.Handle(commID, data)
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		s.ctl.stop()
		err = <-done
		if err == nil {
			err = errors.New("interrupted")
		}
	}
	if err != nil && !strings.HasPrefix(err.Error(), "widgets: no widget") {
		fmt.Fprintf(s.stderr, "widget callback: %v\n", err)
	}
	return err
}

// CommInfo lists the open comms of target (all when target is empty), as
// comm_info_reply reports them.
func (s *Session) CommInfo(target string) map[string]any {
	out := map[string]any{}
	if target == "" || target == widgets.Target {
		for _, id := range s.widgets.IDs() {
			out[id] = map[string]any{"target_name": widgets.Target}
		}
	}
	if target == "" || target == widgets.ControlTarget {
		for id := range s.controlComms {
			out[id] = map[string]any{"target_name": widgets.ControlTarget}
		}
	}
	return out
}

// lowerInteract passes Interact the parameter names of the function it
// gets, which reflection cannot see, to label the controls:
// widgets.Interact(f, 3) becomes widgets.Interact(f, 3, widgets.Names("k")).
func (l *lowering) lowerInteract(call *ast.CallExpr, fn *types.Func) {
	if fn.Pkg() == nil || fn.Pkg().Path() != "nmfkernel/lib/widgets" || len(call.Args) == 0 || call.Ellipsis.IsValid() {
		return
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	if fn.Name() != "Interact" {
		return
	}
	sig, ok := l.info.TypeOf(call.Args[0]).(*types.Signature)
	if !ok || sig.Params().Len() == 0 {
		return
	}
	var names []string
	for i := range sig.Params().Len() {
		names = append(names, strconv.Quote(sig.Params().At(i).Name()))
	}
	qual := "widgets"
	if id, ok := sel.X.(*ast.Ident); ok && l.info.Uses[id] != nil {
		if _, isPkg := l.info.Uses[id].(*types.PkgName); isPkg {
			qual = id.Name
		} else {
			// A method call on a Manager: Names is the package's.
			return
		}
	}
	l.insert(call.Rparen, ", "+qual+".Names("+strings.Join(names, ", ")+")")
}
