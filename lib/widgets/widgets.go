// Package widgets puts interactive controls in notebook cells: sliders,
// dropdowns, checkboxes, text boxes and buttons, and Interact, which builds
// controls for a function's parameters and shows what the function shows,
// again each time a control moves.
//
// Widgets speak Jupyter's widget protocol (comm target "jupyter.widget",
// protocol 2.1, the models of @jupyter-widgets/controls 2.0 as ipywidgets
// 8 makes them), so the nmfkernel app, JupyterLab 4 and Notebook 7 show
// them. A widget is shown by making it a cell's last expression or with
// display.Show.
//
//	k := widgets.IntSlider(2, 8, 1, 3).Describe("segments")
//	k.OnChange(func() { fmt.Println("k is", k.Int()) })
//	k
//
// In a notebook the package-level functions use the session's Manager.
// The package depends on nothing of the kernel.
package widgets

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"

	"nmfkernel/lib/display"
)

// Protocol versions and the MIME type of a widget's view.
const (
	ProtocolVersion = "2.1.0"
	ControlsVersion = "2.0.0"
	BaseVersion     = "2.0.0"
	OutputVersion   = "1.0.0"
	MIMEWidgetView  = "application/vnd.jupyter.widget-view+json"
	Target          = "jupyter.widget"
	ControlTarget   = "jupyter.widget.control"
	controlsModule  = "@jupyter-widgets/controls"
	baseModule      = "@jupyter-widgets/base"
	outputModule    = "@jupyter-widgets/output"
	modelRefPrefix  = "IPY_MODEL_"
	defaultIntMax   = 10
)

// Message is a comm message the Manager sends to the front end.
type Message struct {
	// Type is "comm_open", "comm_msg" or "comm_close".
	Type   string
	CommID string
	// Target is the comm's target, for comm_open.
	Target   string
	Data     map[string]any
	Metadata map[string]any
}

// Manager keeps a notebook's widgets: it opens a comm for each, sends
// state changes, and applies what the front end sends (Handle).
type Manager struct {
	send    func(Message)
	show    func(display.Bundle) (update func(display.Bundle))
	capture func(run func()) []map[string]any

	mu      sync.Mutex
	widgets map[string]*Widget
	order   []string
}

// NewManager returns a Manager that sends comm messages with send, shows
// a bundle with show (which returns a function replacing what it showed),
// and runs a function with capture to collect what it displays and prints
// as notebook outputs (for Interact). A nil capture runs the function and
// collects nothing.
func NewManager(send func(Message), show func(display.Bundle) func(display.Bundle), capture func(run func()) []map[string]any) *Manager {
	if capture == nil {
		capture = func(run func()) []map[string]any { run(); return nil }
	}
	if show == nil {
		show = func(b display.Bundle) func(display.Bundle) {
			h := display.Default.NewHandle()
			h.Show(b)
			return func(b display.Bundle) { h.Show(b) }
		}
	}
	return &Manager{send: send, show: show, capture: capture, widgets: map[string]*Widget{}}
}

// Default is the Manager of the package-level functions; outside a
// notebook it sends nothing.
var Default = NewManager(func(Message) {}, nil, nil)

// Widget is one control (or a box of them) and its state, which the front
// end changes as the user works it.
type Widget struct {
	m    *Manager
	id   string
	kind string

	mu       sync.Mutex
	state    map[string]any
	options  []string
	onChange []func()
	onClick  []func()
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// open registers a widget with state and opens its comm.
func (m *Manager) open(kind string, state map[string]any) *Widget {
	w := &Widget{m: m, id: newID(), kind: kind, state: state}
	m.mu.Lock()
	m.widgets[w.id] = w
	m.order = append(m.order, w.id)
	m.mu.Unlock()
	m.send(Message{Type: "comm_open", CommID: w.id, Target: Target,
		Data:     map[string]any{"state": w.stateCopy(), "buffer_paths": []any{}},
		Metadata: map[string]any{"version": ProtocolVersion}})
	return w
}

// model opens a model of module (controls, base or output) named name,
// whose view is view.
func (m *Manager) model(module, version, name, viewModule, viewVersion, view string, state map[string]any) *Widget {
	s := map[string]any{
		"_model_module": module, "_model_module_version": version, "_model_name": name,
		"_view_module": viewModule, "_view_module_version": viewVersion, "_view_name": view, "_view_count": nil,
	}
	for k, v := range state {
		s[k] = v
	}
	return m.open(strings.TrimSuffix(name, "Model"), s)
}

// control opens a control of @jupyter-widgets/controls with its layout
// and style models.
func (m *Manager) control(name, styleModel string, state map[string]any) *Widget {
	layout := m.model(baseModule, BaseVersion, "LayoutModel", baseModule, BaseVersion, "LayoutView", nil)
	s := map[string]any{
		"_dom_classes": []any{}, "layout": modelRefPrefix + layout.id, "tabbable": nil, "tooltip": nil,
		"description": "", "description_allow_html": false, "disabled": false,
	}
	if styleModel != "" {
		style := m.model(controlsModule, ControlsVersion, styleModel, baseModule, BaseVersion, "StyleView", map[string]any{"description_width": ""})
		s["style"] = modelRefPrefix + style.id
	}
	for k, v := range state {
		s[k] = v
	}
	return m.model(controlsModule, ControlsVersion, name+"Model", controlsModule, ControlsVersion, name+"View", s)
}

// IntSlider is a slider over lo…hi in steps of step, at value.
func (m *Manager) IntSlider(lo, hi, step, value int) *Widget {
	if step <= 0 {
		step = 1
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	value = min(hi, max(lo, value))
	return m.control("IntSlider", "SliderStyleModel", map[string]any{
		"value": value, "min": lo, "max": hi, "step": step, "continuous_update": false,
		"orientation": "horizontal", "readout": true, "readout_format": "d", "behavior": "drag-tap",
	})
}

// FloatSlider is a slider over lo…hi in steps of step, at value.
func (m *Manager) FloatSlider(lo, hi, step, value float64) *Widget {
	if hi < lo {
		lo, hi = hi, lo
	}
	if step <= 0 {
		step = (hi - lo) / 100
	}
	value = math.Min(hi, math.Max(lo, value))
	return m.control("FloatSlider", "SliderStyleModel", map[string]any{
		"value": value, "min": lo, "max": hi, "step": step, "continuous_update": false,
		"orientation": "horizontal", "readout": true, "readout_format": ".2f", "behavior": "drag-tap",
	})
}

// Dropdown chooses one of options, value first (the first option when
// value is not among them).
func (m *Manager) Dropdown(options []string, value string) *Widget {
	index := slices.Index(options, value)
	if index < 0 && len(options) > 0 {
		index = 0
	}
	labels := make([]any, len(options))
	for i, o := range options {
		labels[i] = o
	}
	var idx any = index
	if index < 0 {
		idx = nil
	}
	w := m.control("Dropdown", "DescriptionStyleModel", map[string]any{"_options_labels": labels, "index": idx})
	w.options = slices.Clone(options)
	return w
}

// Checkbox is a box to tick, ticked when value.
func (m *Manager) Checkbox(value bool) *Widget {
	return m.control("Checkbox", "CheckboxStyleModel", map[string]any{"value": value, "indent": true})
}

// Text is a one-line text box holding value.
func (m *Manager) Text(value string) *Widget {
	return m.control("Text", "TextStyleModel", map[string]any{"value": value, "placeholder": "", "continuous_update": false})
}

// Button is a button labelled label; OnClick says what it does.
func (m *Manager) Button(label string) *Widget {
	return m.control("Button", "ButtonStyleModel", map[string]any{"description": label, "button_style": "", "icon": ""})
}

// VBox stacks widgets vertically.
func (m *Manager) VBox(children ...*Widget) *Widget {
	return m.box("VBox", children)
}

// HBox lays widgets out in a row.
func (m *Manager) HBox(children ...*Widget) *Widget {
	return m.box("HBox", children)
}

func (m *Manager) box(name string, children []*Widget) *Widget {
	refs := make([]any, len(children))
	for i, c := range children {
		refs[i] = modelRefPrefix + c.id
	}
	return m.control(name, "", map[string]any{"children": refs, "box_style": ""})
}

// Output is an area showing outputs the kernel sets (Interact's result).
func (m *Manager) Output() *Widget {
	layout := m.model(baseModule, BaseVersion, "LayoutModel", baseModule, BaseVersion, "LayoutView", nil)
	return m.model(outputModule, OutputVersion, "OutputModel", outputModule, OutputVersion, "OutputView", map[string]any{
		"_dom_classes": []any{}, "layout": modelRefPrefix + layout.id, "msg_id": "", "outputs": []any{}, "tabbable": nil, "tooltip": nil,
	})
}

// ID is the widget's model id (its comm's id).
func (w *Widget) ID() string { return w.id }

func (w *Widget) stateCopy() map[string]any {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]any, len(w.state))
	for k, v := range w.state {
		out[k] = v
	}
	return out
}

// get returns a state entry.
func (w *Widget) get(key string) any {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state[key]
}

// set changes state entries here and in the front end.
func (w *Widget) set(state map[string]any) {
	w.mu.Lock()
	for k, v := range state {
		w.state[k] = v
	}
	w.mu.Unlock()
	w.m.send(Message{Type: "comm_msg", CommID: w.id, Data: map[string]any{"method": "update", "state": state, "buffer_paths": []any{}}})
}

// Describe sets the widget's label and returns the widget.
func (w *Widget) Describe(label string) *Widget {
	w.set(map[string]any{"description": label})
	return w
}

// Disable greys the control out (or back when disabled is false).
func (w *Widget) Disable(disabled bool) *Widget {
	w.set(map[string]any{"disabled": disabled})
	return w
}

// Int is a slider's value (rounded for a float slider).
func (w *Widget) Int() int { return int(math.Round(w.Float())) }

// Float is a slider's value.
func (w *Widget) Float() float64 {
	switch v := w.get("value").(type) {
	case int:
		return float64(v)
	case float64:
		return v
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return 0
}

// String is a text box's text or a dropdown's choice.
func (w *Widget) String() string {
	if w.kind == "Dropdown" {
		i := w.index()
		if i >= 0 && i < len(w.options) {
			return w.options[i]
		}
		return ""
	}
	if s, ok := w.get("value").(string); ok {
		return s
	}
	return fmt.Sprint(w.get("value"))
}

func (w *Widget) index() int {
	switch v := w.get("index").(type) {
	case int:
		return v
	case float64:
		return int(v)
	}
	return -1
}

// Bool is a checkbox's state.
func (w *Widget) Bool() bool {
	b, _ := w.get("value").(bool)
	return b
}

// Value is the control's value as its Go type: int, float64, string or
// bool.
func (w *Widget) Value() any {
	switch w.kind {
	case "IntSlider":
		return w.Int()
	case "FloatSlider":
		return w.Float()
	case "Dropdown", "Text":
		return w.String()
	case "Checkbox":
		return w.Bool()
	}
	return nil
}

// SetValue moves the control to v (an int, float64, string or bool, as
// its kind takes), here and in the front end, and runs its OnChange
// functions.
func (w *Widget) SetValue(v any) error {
	switch w.kind {
	case "Dropdown":
		s, ok := v.(string)
		i := slices.Index(w.options, s)
		if !ok || i < 0 {
			return fmt.Errorf("widgets: %v is not one of the dropdown's options %q", v, w.options)
		}
		w.set(map[string]any{"index": i})
	case "IntSlider", "FloatSlider", "Checkbox", "Text":
		if err := checkKind(w.kind, v); err != nil {
			return err
		}
		w.set(map[string]any{"value": v})
	default:
		return fmt.Errorf("widgets: a %s has no value", w.kind)
	}
	w.changed()
	return nil
}

func checkKind(kind string, v any) error {
	ok := false
	switch kind {
	case "IntSlider":
		_, ok = v.(int)
	case "FloatSlider":
		_, ok = v.(float64)
	case "Checkbox":
		_, ok = v.(bool)
	case "Text":
		_, ok = v.(string)
	}
	if !ok {
		return fmt.Errorf("widgets: a %s's value cannot be %T", kind, v)
	}
	return nil
}

// OnChange runs f each time the user changes the control's value.
func (w *Widget) OnChange(f func()) *Widget {
	w.mu.Lock()
	w.onChange = append(w.onChange, f)
	w.mu.Unlock()
	return w
}

// OnClick runs f each time the button is pressed.
func (w *Widget) OnClick(f func()) *Widget {
	w.mu.Lock()
	w.onClick = append(w.onClick, f)
	w.mu.Unlock()
	return w
}

func (w *Widget) changed() {
	w.mu.Lock()
	fs := slices.Clone(w.onChange)
	w.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// MIMEBundle is how a widget shows: its view, and text for front ends
// without widgets.
func (w *Widget) MIMEBundle() display.Bundle {
	return display.Bundle{
		MIMEWidgetView:   map[string]any{"model_id": w.id, "version_major": 2, "version_minor": 1},
		display.MIMEText: w.describe(),
	}
}

func (w *Widget) describe() string {
	switch w.kind {
	case "IntSlider", "FloatSlider", "Checkbox", "Text", "Dropdown":
		return fmt.Sprintf("%s(value=%v)", w.kind, w.Value())
	case "Button":
		return fmt.Sprintf("Button(description=%q)", w.get("description"))
	}
	return w.kind + "(…)"
}

// Handle applies a comm message from the front end to the widget it is
// for: a state update (running OnChange functions when the value moved),
// a click, or a request for the whole state. It reports an unknown comm
// or method as an error.
func (m *Manager) Handle(commID string, data map[string]any) error {
	m.mu.Lock()
	w := m.widgets[commID]
	m.mu.Unlock()
	if w == nil {
		return fmt.Errorf("widgets: no widget has the comm %s (a widget of an earlier kernel?)", commID)
	}
	switch method, _ := data["method"].(string); method {
	case "update":
		state, _ := data["state"].(map[string]any)
		moved := false
		w.mu.Lock()
		for k, v := range state {
			if k == "value" || k == "index" {
				if !reflect.DeepEqual(normalize(w.state[k]), normalize(v)) {
					moved = true
				}
				if k == "value" && w.kind == "IntSlider" {
					if f, ok := v.(float64); ok {
						v = int(math.Round(f))
					}
				}
			}
			w.state[k] = v
		}
		w.mu.Unlock()
		if moved {
			w.changed()
		}
	case "request_state":
		m.send(Message{Type: "comm_msg", CommID: w.id, Data: map[string]any{"method": "update", "state": w.stateCopy(), "buffer_paths": []any{}}})
	case "custom":
		content, _ := data["content"].(map[string]any)
		if content["event"] == "click" {
			w.mu.Lock()
			fs := slices.Clone(w.onClick)
			w.mu.Unlock()
			for _, f := range fs {
				f()
			}
		}
	default:
		return fmt.Errorf("widgets: unknown method %q for comm %s", method, commID)
	}
	return nil
}

func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return v
}

// States is the state of every widget, by model id, as the control comm
// (jupyter.widget.control) answers a front end that asks for them all.
func (m *Manager) States() map[string]any {
	m.mu.Lock()
	ids := slices.Clone(m.order)
	m.mu.Unlock()
	out := map[string]any{}
	for _, id := range ids {
		m.mu.Lock()
		w := m.widgets[id]
		m.mu.Unlock()
		out[id] = map[string]any{
			"model_name": w.get("_model_name"), "model_module": w.get("_model_module"), "model_module_version": w.get("_model_module_version"),
			"state": w.stateCopy(),
		}
	}
	return out
}

// IDs lists the widgets' comm ids, oldest first.
func (m *Manager) IDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.order)
}

// names labels Interact's controls.
type names []string

// Names labels Interact's controls with the function's parameter names
// (the kernel passes them for a function a cell declares).
func Names(n ...string) any { return names(n) }

// Interact shows controls for f's parameters and, below them, what f
// prints and displays, called again each time a control moves. Each
// parameter's control comes from the argument in its place: a *Widget as
// it is; an int v, a slider around it (−v…3v, as ipywidgets does); []int{min,
// max} or {min, max, step}, a slider over them; float64 and []float64 the
// same with a float slider; a bool, a checkbox; a string, a text box;
// []string, a dropdown of them. A parameter without an argument gets a
// slider 0…10 (int), 0…1 (float64), a checkbox or a text box.
func (m *Manager) Interact(f any, args ...any) error {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		return fmt.Errorf("widgets.Interact: %T is not a function", f)
	}
	ft := fv.Type()
	var labels []string
	for i := 0; i < len(args); i++ {
		if n, ok := args[i].(names); ok {
			labels = n
			args = slices.Delete(args, i, i+1)
			i--
		}
	}
	if len(args) > ft.NumIn() {
		return fmt.Errorf("widgets.Interact: %d controls for a function of %d parameters", len(args), ft.NumIn())
	}
	controls := make([]*Widget, ft.NumIn())
	for i := range ft.NumIn() {
		var arg any
		if i < len(args) {
			arg = args[i]
		}
		c, err := m.controlFor(ft.In(i), arg)
		if err != nil {
			return fmt.Errorf("widgets.Interact: parameter %d: %w", i+1, err)
		}
		label := fmt.Sprintf("x%d", i+1)
		if i < len(labels) && labels[i] != "" && labels[i] != "_" {
			label = labels[i]
		}
		if c.get("description") == "" {
			c.Describe(label)
		}
		controls[i] = c
	}
	out := m.Output()
	children := append(slices.Clone(controls), out)
	box := m.VBox(children...)
	var update func(display.Bundle)
	call := func() {
		in := make([]reflect.Value, len(controls))
		for i, c := range controls {
			in[i] = reflect.ValueOf(c.Value()).Convert(ft.In(i))
		}
		outputs := m.capture(func() {
			for _, r := range fv.Call(in) {
				if (r.Kind() == reflect.Interface || r.Kind() == reflect.Pointer) && r.IsNil() {
					continue
				}
				if err, ok := r.Interface().(error); ok {
					m.show(display.Bundle{display.MIMEText: "error: " + err.Error()})
					continue
				}
				if b, err := display.Render(r.Interface()); err == nil && b != nil {
					m.show(b)
				}
			}
		})
		list := make([]any, len(outputs))
		for i, o := range outputs {
			list[i] = o
		}
		out.set(map[string]any{"outputs": list})
		// The display also carries the last result as it shows without
		// widgets (a saved notebook, a front end without them).
		b := box.MIMEBundle()
		for i := len(outputs) - 1; i >= 0; i-- {
			if data, ok := outputs[i]["data"].(map[string]any); ok {
				for mime, v := range data {
					if mime != display.MIMEText && mime != MIMEWidgetView {
						b[mime] = v
					}
				}
				break
			}
		}
		if update == nil {
			update = m.show(b)
		} else {
			update(b)
		}
	}
	for _, c := range controls {
		c.OnChange(call)
	}
	call()
	return nil
}

// controlFor makes the control for a parameter of type t from arg.
func (m *Manager) controlFor(t reflect.Type, arg any) (*Widget, error) {
	if w, ok := arg.(*Widget); ok {
		gives := map[string][]reflect.Kind{
			"IntSlider":   {reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64},
			"FloatSlider": {reflect.Float32, reflect.Float64},
			"Dropdown":    {reflect.String}, "Text": {reflect.String}, "Checkbox": {reflect.Bool},
		}[w.kind]
		if !slices.Contains(gives, t.Kind()) {
			return nil, fmt.Errorf("a %s cannot give a %v", w.kind, t)
		}
		return w, nil
	}
	around := func(v float64) (float64, float64) {
		switch {
		case v > 0:
			return -v, 3 * v
		case v < 0:
			return 3 * v, -v
		}
		return 0, 1
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch a := arg.(type) {
		case nil:
			return m.IntSlider(0, defaultIntMax, 1, defaultIntMax/2), nil
		case int:
			lo, hi := around(float64(a))
			if a == 0 {
				hi = 10
			}
			return m.IntSlider(int(lo), int(hi), 1, a), nil
		case []int:
			if len(a) < 2 || len(a) > 3 {
				return nil, errors.New("[]int{min, max} or []int{min, max, step}")
			}
			step := 1
			if len(a) == 3 {
				step = a[2]
			}
			return m.IntSlider(a[0], a[1], step, a[0]+(a[1]-a[0])/2/step*step), nil
		}
	case reflect.Float32, reflect.Float64:
		switch a := arg.(type) {
		case nil:
			return m.FloatSlider(0, 1, 0.01, 0.5), nil
		case float64:
			lo, hi := around(a)
			return m.FloatSlider(lo, hi, (hi-lo)/100, a), nil
		case []float64:
			if len(a) < 2 || len(a) > 3 {
				return nil, errors.New("[]float64{min, max} or []float64{min, max, step}")
			}
			step := (a[1] - a[0]) / 100
			if len(a) == 3 {
				step = a[2]
			}
			return m.FloatSlider(a[0], a[1], step, (a[0]+a[1])/2), nil
		}
	case reflect.Bool:
		switch a := arg.(type) {
		case nil:
			return m.Checkbox(false), nil
		case bool:
			return m.Checkbox(a), nil
		}
	case reflect.String:
		switch a := arg.(type) {
		case nil:
			return m.Text(""), nil
		case string:
			return m.Text(a), nil
		case []string:
			if len(a) == 0 {
				return nil, errors.New("a dropdown needs options")
			}
			return m.Dropdown(a, a[0]), nil
		}
	default:
		return nil, fmt.Errorf("no control gives a %v (int, float64, bool and string parameters have controls)", t)
	}
	return nil, fmt.Errorf("%T does not describe a control for a %v parameter", arg, t)
}

// The package-level functions use Default.

// IntSlider is Default.IntSlider.
func IntSlider(lo, hi, step, value int) *Widget { return Default.IntSlider(lo, hi, step, value) }

// FloatSlider is Default.FloatSlider.
func FloatSlider(lo, hi, step, value float64) *Widget {
	return Default.FloatSlider(lo, hi, step, value)
}

// Dropdown is Default.Dropdown.
func Dropdown(options []string, value string) *Widget { return Default.Dropdown(options, value) }

// Checkbox is Default.Checkbox.
func Checkbox(value bool) *Widget { return Default.Checkbox(value) }

// Text is Default.Text.
func Text(value string) *Widget { return Default.Text(value) }

// Button is Default.Button.
func Button(label string) *Widget { return Default.Button(label) }

// VBox is Default.VBox.
func VBox(children ...*Widget) *Widget { return Default.VBox(children...) }

// HBox is Default.HBox.
func HBox(children ...*Widget) *Widget { return Default.HBox(children...) }

// Output is Default.Output.
func Output() *Widget { return Default.Output() }

// Interact is Default.Interact.
func Interact(f any, args ...any) error { return Default.Interact(f, args...) }
