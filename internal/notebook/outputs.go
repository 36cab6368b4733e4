package notebook

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Outputs builds the outputs of one code cell from the messages it
// produced, as Jupyter front ends record them: consecutive stream text of
// the same name merged, display updates applied to the display they name.
type Outputs struct {
	list []map[string]any
	// byDisplayID finds the outputs showing each display id.
	byDisplayID map[string][]map[string]any
	// streams holds the text of stream outputs while they grow (split
	// into lines only by List: appending stays linear in the output).
	streams map[int]*strings.Builder
}

// Stream adds text written to "stdout" or "stderr".
func (o *Outputs) Stream(name, text string) {
	if n := len(o.list); n > 0 {
		last := o.list[n-1]
		if last["output_type"] == "stream" && last["name"] == name {
			o.streams[n-1].WriteString(text)
			return
		}
	}
	if o.streams == nil {
		o.streams = map[int]*strings.Builder{}
	}
	b := &strings.Builder{}
	b.WriteString(text)
	o.streams[len(o.list)] = b
	o.list = append(o.list, map[string]any{"output_type": "stream", "name": name})
}

// Display adds a display_data output; a non-empty displayID lets later
// updates replace it.
func (o *Outputs) Display(data map[string]any, metadata map[string]any, displayID string) {
	out := map[string]any{"output_type": "display_data", "data": mimeData(data), "metadata": orEmpty(metadata)}
	o.list = append(o.list, out)
	if displayID != "" {
		if o.byDisplayID == nil {
			o.byDisplayID = map[string][]map[string]any{}
		}
		o.byDisplayID[displayID] = append(o.byDisplayID[displayID], out)
	}
}

// Update replaces the content of the outputs showing displayID. It
// reports whether there was one.
func (o *Outputs) Update(data map[string]any, metadata map[string]any, displayID string) bool {
	outs := o.byDisplayID[displayID]
	for _, out := range outs {
		out["data"] = mimeData(data)
		out["metadata"] = orEmpty(metadata)
	}
	return len(outs) > 0
}

// Result adds an execute_result output.
func (o *Outputs) Result(count int, data map[string]any, metadata map[string]any) {
	o.list = append(o.list, map[string]any{"output_type": "execute_result", "execution_count": count, "data": mimeData(data), "metadata": orEmpty(metadata)})
}

// Error adds an error output.
func (o *Outputs) Error(name, value string, traceback []string) {
	tb := make([]any, len(traceback))
	for i, l := range traceback {
		tb[i] = l
	}
	o.list = append(o.list, map[string]any{"output_type": "error", "ename": name, "evalue": value, "traceback": tb})
}

// List returns the outputs in nbformat form.
func (o *Outputs) List() []any {
	out := make([]any, len(o.list))
	for i, x := range o.list {
		if b, ok := o.streams[i]; ok {
			x["text"] = lines(b.String())
		}
		out[i] = x
	}
	return out
}

// SetOutputs stores outputs and an execution count (nil for none) in a
// code cell.
func (c Cell) SetOutputs(o *Outputs, count *int) {
	c["outputs"] = o.List()
	if count == nil {
		c["execution_count"] = nil
	} else {
		c["execution_count"] = *count
	}
}

// mimeData converts a MIME bundle to nbformat: text as lists of lines,
// binary data as base64, JSON as it is.
func mimeData(data map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range data {
		switch v := v.(type) {
		case []byte:
			out[k] = base64.StdEncoding.EncodeToString(v)
		case json.RawMessage:
			var x any
			if json.Unmarshal(v, &x) == nil {
				out[k] = x
			}
		case string:
			if strings.HasPrefix(k, "image/") && k != "image/svg+xml" {
				out[k] = v // base64 already
			} else if k == "application/json" {
				var x any
				if json.Unmarshal([]byte(v), &x) == nil {
					out[k] = x
				}
			} else {
				out[k] = lines(v)
			}
		default:
			out[k] = v
		}
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
