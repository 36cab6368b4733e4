// Package display shows rich output from notebook cells: HTML, Markdown,
// PNG and SVG images, gonum plots and tables, as MIME bundles that the
// kernel sends to the notebook front end. Displays made with a Handle can
// be updated in place (a progress line, a plot that refreshes).
//
// In a notebook the package-level functions publish to the running cell.
// In a plain Go program they print the text/plain form to standard output.
//
// Render gives the bundle for any value; the kernel uses it for the value
// of a cell's last expression. A type controls its own display by having
// one or more of the methods HTML() string, Markdown() string, SVG()
// string, PNG() ([]byte, error) or MIMEBundle() Bundle.
//
// The package depends on nothing of the kernel.
package display

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"sync"

	"gonum.org/v1/plot"
)

// MIME types used in bundles.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMEPNG      = "image/png"
	MIMESVG      = "image/svg+xml"
	MIMEJSON     = "application/json"
)

// Bundle maps MIME types to content: a string for text types, []byte for
// PNG (sent base64-encoded), any JSON-encodable value for application/json.
type Bundle map[string]any

// Data is one display message.
type Data struct {
	Bundle   Bundle
	Metadata map[string]any
	// DisplayID names a display that can be updated later; empty for a
	// one-off display.
	DisplayID string
	// Update replaces the earlier display with the same DisplayID instead
	// of adding a new one.
	Update bool
}

// ProgressMetadataKey marks, in an output's metadata, a display that only
// reports progress (such as a long fit's): whether it appears depends on
// how fast the machine is, so notebook comparisons leave it out.
const ProgressMetadataKey = "nmfkernel/progress"

// Displayer publishes displays. The kernel gives every notebook session
// its own; the package-level functions use Default.
type Displayer struct {
	publish func(Data)
}

// NewDisplayer returns a Displayer that hands every display to publish. A
// nil publish prints the text/plain form to os.Stdout.
func NewDisplayer(publish func(Data)) *Displayer {
	if publish == nil {
		publish = printText(os.Stdout)
	}
	return &Displayer{publish: publish}
}

func printText(w io.Writer) func(Data) {
	var mu sync.Mutex
	return func(d Data) {
		mu.Lock()
		defer mu.Unlock()
		if s, ok := d.Bundle[MIMEText].(string); ok {
			fmt.Fprintln(w, s)
		}
	}
}

// Default is the Displayer of the package-level functions.
var Default = NewDisplayer(nil)

// Publish sends a bundle as it is.
func (d *Displayer) Publish(b Bundle) { d.publish(Data{Bundle: b}) }

// Show displays any value with its richest form (see Render).
func (d *Displayer) Show(v any) error {
	b, err := Render(v)
	if err != nil {
		return err
	}
	d.publish(Data{Bundle: b})
	return nil
}

// HTML displays an HTML fragment.
func (d *Displayer) HTML(s string) { d.publish(Data{Bundle: htmlBundle(s)}) }

// Markdown displays Markdown text.
func (d *Displayer) Markdown(s string) { d.publish(Data{Bundle: markdownBundle(s)}) }

// Text displays plain text.
func (d *Displayer) Text(s string) { d.publish(Data{Bundle: Bundle{MIMEText: s}}) }

// PNG displays PNG-encoded image data.
func (d *Displayer) PNG(b []byte) error {
	if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
		return fmt.Errorf("display: PNG: %w", err)
	}
	d.publish(Data{Bundle: pngBundle(b)})
	return nil
}

// SVG displays an SVG image.
func (d *Displayer) SVG(s string) {
	d.publish(Data{Bundle: Bundle{MIMESVG: s, MIMEText: "<SVG image>"}})
}

// Image displays an image as PNG.
func (d *Displayer) Image(img image.Image) error {
	b, err := Render(img)
	if err != nil {
		return err
	}
	d.publish(Data{Bundle: b})
	return nil
}

// Plot displays a gonum plot as a PNG of PlotWidth × PlotHeight.
func (d *Displayer) Plot(p *plot.Plot) error {
	b, err := PlotPNG(p)
	if err != nil {
		return err
	}
	d.publish(Data{Bundle: pngBundle(b)})
	return nil
}

// JSON displays a value as application/json (and indented text).
func (d *Displayer) JSON(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("display: JSON: %w", err)
	}
	d.publish(Data{Bundle: Bundle{MIMEJSON: json.RawMessage(b), MIMEText: string(b)}})
	return nil
}

// Table displays tabular data as an HTML table: a *table.Table as built, a
// slice of structs (one row each, the exported fields as columns), a map
// (keys as row labels), or a [][]string whose first row is the header.
func (d *Displayer) Table(v any) error {
	t, err := tableOf(v)
	if err != nil {
		return err
	}
	d.publish(Data{Bundle: Bundle{MIMEHTML: t.HTML(), MIMEText: t.Text()}})
	return nil
}

// NewHandle returns a handle for a display that can be updated in place.
// Nothing is shown until its first Show, HTML, Markdown or Text call.
func (d *Displayer) NewHandle() *Handle {
	var id [16]byte
	rand.Read(id[:])
	return &Handle{d: d, id: hex.EncodeToString(id[:])}
}

// Handle is a display that can be replaced in place, such as a progress
// line or a plot that refreshes while a fit runs.
type Handle struct {
	d        *Displayer
	id       string
	mu       sync.Mutex
	shown    bool
	metadata map[string]any
}

// ID returns the display id the front end knows the display by.
func (h *Handle) ID() string { return h.id }

func (h *Handle) send(b Bundle) {
	h.mu.Lock()
	update := h.shown
	h.shown = true
	md := h.metadata
	h.mu.Unlock()
	h.d.publish(Data{Bundle: b, Metadata: md, DisplayID: h.id, Update: update})
}

// SetMetadata sets the output metadata sent with the display's next
// contents (nbformat keeps it with the output).
func (h *Handle) SetMetadata(md map[string]any) {
	h.mu.Lock()
	h.metadata = md
	h.mu.Unlock()
}

// Show replaces the display's content with v's richest form.
func (h *Handle) Show(v any) error {
	b, err := Render(v)
	if err != nil {
		return err
	}
	h.send(b)
	return nil
}

// HTML replaces the display's content with an HTML fragment.
func (h *Handle) HTML(s string) { h.send(htmlBundle(s)) }

// Markdown replaces the display's content with Markdown text.
func (h *Handle) Markdown(s string) { h.send(markdownBundle(s)) }

// Text replaces the display's content with plain text.
func (h *Handle) Text(s string) { h.send(Bundle{MIMEText: s}) }

// Package-level functions, publishing through Default.

// Show displays any value with its richest form.
func Show(v any) error { return Default.Show(v) }

// HTML displays an HTML fragment.
func HTML(s string) { Default.HTML(s) }

// Markdown displays Markdown text.
func Markdown(s string) { Default.Markdown(s) }

// Text displays plain text.
func Text(s string) { Default.Text(s) }

// PNG displays PNG-encoded image data.
func PNG(b []byte) error { return Default.PNG(b) }

// SVG displays an SVG image.
func SVG(s string) { Default.SVG(s) }

// Image displays an image as PNG.
func Image(img image.Image) error { return Default.Image(img) }

// Plot displays a gonum plot.
func Plot(p *plot.Plot) error { return Default.Plot(p) }

// JSON displays a value as JSON.
func JSON(v any) error { return Default.JSON(v) }

// Table displays tabular data as an HTML table.
func Table(v any) error { return Default.Table(v) }

// NewHandle returns a handle for a display that can be updated in place.
func NewHandle() *Handle { return Default.NewHandle() }

func htmlBundle(s string) Bundle { return Bundle{MIMEHTML: s, MIMEText: "<HTML>"} }

func markdownBundle(s string) Bundle { return Bundle{MIMEMarkdown: s, MIMEText: s} }

func pngBundle(b []byte) Bundle { return Bundle{MIMEPNG: b, MIMEText: "<PNG image>"} }
