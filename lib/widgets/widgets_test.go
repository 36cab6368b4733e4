package widgets

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"nmfkernel/lib/display"
)

// recorder is a front end: it keeps what the manager sends and shows.
type recorder struct {
	mu       sync.Mutex
	msgs     []Message
	shown    []display.Bundle
	captured *[]map[string]any // while capturing, displays go here
}

func (r *recorder) manager() *Manager {
	return NewManager(
		func(m Message) { r.mu.Lock(); r.msgs = append(r.msgs, m); r.mu.Unlock() },
		func(b display.Bundle) func(display.Bundle) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.captured != nil {
				*r.captured = append(*r.captured, map[string]any{"output_type": "display_data", "data": map[string]any(b)})
				return func(display.Bundle) {}
			}
			r.shown = append(r.shown, b)
			i := len(r.shown) - 1
			return func(b display.Bundle) { r.mu.Lock(); r.shown[i] = b; r.mu.Unlock() }
		},
		func(run func()) []map[string]any {
			var outs []map[string]any
			r.mu.Lock()
			r.captured = &outs
			r.mu.Unlock()
			run()
			r.mu.Lock()
			r.captured = nil
			r.mu.Unlock()
			return outs
		})
}

func (r *recorder) opened(model string) []Message {
	var out []Message
	for _, m := range r.msgs {
		if m.Type == "comm_open" && m.Data["state"].(map[string]any)["_model_name"] == model {
			out = append(out, m)
		}
	}
	return out
}

func TestControls(t *testing.T) {
	var r recorder
	m := r.manager()
	for _, tc := range []struct {
		name  string
		w     *Widget
		model string
		value any
		text  string
	}{
		{"int slider, value clamped", m.IntSlider(1, 9, 2, 12), "IntSliderModel", 9, "IntSlider(value=9)"},
		{"reversed bounds", m.IntSlider(9, 1, 0, 5), "IntSliderModel", 5, "IntSlider(value=5)"},
		{"float slider", m.FloatSlider(0, 1, 0.1, 0.25), "FloatSliderModel", 0.25, "FloatSlider(value=0.25)"},
		{"dropdown", m.Dropdown([]string{"a", "b"}, "b"), "DropdownModel", "b", "Dropdown(value=b)"},
		{"dropdown, value not an option", m.Dropdown([]string{"a", "b"}, "z"), "DropdownModel", "a", "Dropdown(value=a)"},
		{"checkbox", m.Checkbox(true), "CheckboxModel", true, "Checkbox(value=true)"},
		{"text", m.Text("hi"), "TextModel", "hi", "Text(value=hi)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.w.stateCopy()
			if st["_model_name"] != tc.model || st["_model_module"] != "@jupyter-widgets/controls" || st["_model_module_version"] != ControlsVersion ||
				!strings.HasPrefix(st["layout"].(string), "IPY_MODEL_") {
				t.Errorf("state %v", st)
			}
			if v := tc.w.Value(); v != tc.value {
				t.Errorf("value %v, want %v", v, tc.value)
			}
			b := tc.w.MIMEBundle()
			if b[display.MIMEText] != tc.text || b[MIMEWidgetView].(map[string]any)["model_id"] != tc.w.ID() {
				t.Errorf("bundle %v", b)
			}
		})
	}
	// Every comm_open carries the protocol version; layouts and styles
	// are models of their own that the controls refer to.
	for _, msg := range r.msgs {
		if msg.Type == "comm_open" && (msg.Target != Target || msg.Metadata["version"] != ProtocolVersion) {
			t.Errorf("comm_open %+v", msg)
		}
	}
	if len(r.opened("LayoutModel")) != 7 || len(r.opened("SliderStyleModel")) != 3 {
		t.Errorf("%d layouts, %d slider styles", len(r.opened("LayoutModel")), len(r.opened("SliderStyleModel")))
	}
}

func TestHandle(t *testing.T) {
	var r recorder
	m := r.manager()
	k := m.IntSlider(0, 10, 1, 5)
	var seen []int
	k.OnChange(func() { seen = append(seen, k.Int()) })
	d := m.Dropdown([]string{"x", "y", "z"}, "x")
	d.OnChange(func() { seen = append(seen, 100+len(d.String())) })
	b := m.Button("go")
	clicks := 0
	b.OnClick(func() { clicks++ })
	for _, tc := range []struct {
		id   string
		data map[string]any
		err  string
	}{
		{k.ID(), map[string]any{"method": "update", "state": map[string]any{"value": 7.0}}, ""},
		{k.ID(), map[string]any{"method": "update", "state": map[string]any{"value": 7.0}}, ""}, // no move: no callback
		{k.ID(), map[string]any{"method": "update", "state": map[string]any{"description": "k"}}, ""},
		{d.ID(), map[string]any{"method": "update", "state": map[string]any{"index": 2.0}}, ""},
		{b.ID(), map[string]any{"method": "custom", "content": map[string]any{"event": "click"}}, ""},
		{k.ID(), map[string]any{"method": "request_state"}, ""},
		{"nope", map[string]any{"method": "update"}, "no widget has the comm nope"},
		{k.ID(), map[string]any{"method": "explode"}, `unknown method "explode"`},
	} {
		err := m.Handle(tc.id, tc.data)
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%v: %v, want %q", tc.data, err, tc.err)
		}
	}
	if fmt.Sprint(seen) != "[7 101]" || clicks != 1 || d.String() != "z" || k.Int() != 7 {
		t.Errorf("callbacks saw %v, %d clicks, dropdown %q, slider %d", seen, clicks, d.String(), k.Int())
	}
	last := r.msgs[len(r.msgs)-1]
	if last.Type != "comm_msg" || last.Data["method"] != "update" || last.Data["state"].(map[string]any)["value"] != 7 {
		t.Errorf("request_state answered %+v", last)
	}
	if err := k.SetValue("x"); err == nil {
		t.Error("a string set on an int slider")
	}
	if err := d.SetValue("q"); err == nil {
		t.Error("a dropdown set to a value not among its options")
	}
	if err := k.SetValue(3); err != nil || k.Int() != 3 || fmt.Sprint(seen) != "[7 101 3]" {
		t.Errorf("SetValue: %v %v", err, seen)
	}
	if st := m.States(); len(st) != len(m.IDs()) || st[k.ID()].(map[string]any)["model_name"] != "IntSliderModel" {
		t.Errorf("States: %v", st)
	}
}

func TestInteract(t *testing.T) {
	var r recorder
	m := r.manager()
	calls := 0
	err := m.Interact(func(n int, x float64, on bool, s string, pick string) string {
		calls++
		return fmt.Sprint(n, x, on, s, pick)
	}, 4, []float64{0, 2}, true, "hi", []string{"p", "q"}, Names("n", "x", "on", "s", "_"))
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || len(r.shown) != 1 {
		t.Fatalf("%d calls, %d displays", calls, len(r.shown))
	}
	slider := r.opened("IntSliderModel")[0].Data["state"].(map[string]any)
	if slider["min"] != -4 || slider["max"] != 12 || slider["value"] != 4 {
		t.Errorf("an int argument's slider: %v", slider)
	}
	// The labels: parameter names, or x5 for a blank one.
	var labels []string
	for _, msg := range r.msgs {
		if msg.Type == "comm_msg" {
			if d, ok := msg.Data["state"].(map[string]any)["description"].(string); ok {
				labels = append(labels, d)
			}
		}
	}
	if strings.Join(labels, ",") != "n,x,on,s,x5" {
		t.Errorf("labels %q", labels)
	}
	id := r.opened("IntSliderModel")[0].CommID
	if err := m.Handle(id, map[string]any{"method": "update", "state": map[string]any{"value": 6.0}}); err != nil || calls != 2 {
		t.Errorf("a moved control calls the function again: %v, %d calls", err, calls)
	}
	for _, tc := range []struct {
		f    any
		args []any
		err  string
	}{
		{42, nil, "is not a function"},
		{func(a int) {}, []any{1, 2}, "2 controls for a function of 1 parameters"},
		{func(c chan int) {}, nil, "no control gives a chan int"},
		{func(a int) {}, []any{"x"}, "string does not describe a control for a int parameter"},
		{func(a int) {}, []any{[]int{1}}, "[]int{min, max}"},
		{func(a string) {}, []any{m.IntSlider(0, 1, 1, 0)}, "a IntSlider cannot give a string"},
	} {
		if err := m.Interact(tc.f, tc.args...); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Interact(%T, %v): %v, want %q", tc.f, tc.args, err, tc.err)
		}
	}
	// The display shows the result's form beside the widget (for front
	// ends without widgets), updated when the function runs again.
	if r.shown[0][display.MIMEText] != "VBox(…)" || r.shown[0][MIMEWidgetView] == nil {
		t.Errorf("display %v", r.shown[0])
	}
	// An error result shows as text in the output widget.
	n := len(r.msgs)
	if err := m.Interact(func(a int) error { return errors.New("bad k") }, 1); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, msg := range r.msgs[n:] {
		if outs, ok := msg.Data["state"].(map[string]any)["outputs"].([]any); ok && len(outs) == 1 &&
			outs[0].(map[string]any)["data"].(map[string]any)[display.MIMEText] == "error: bad k" {
			found = true
		}
	}
	if !found {
		t.Error("an error result is not in the output widget")
	}
}
