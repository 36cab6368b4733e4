package notebook

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"reflect"
	"regexp"
	"runtime"
	"slices"

	"nmfkernel/lib/display"
)

// DiffOutputs compares the outputs of the code cells of two runs of the
// same notebook: text must be equal except for timings (durations) and the
// runs of blanks that align columns, images
// the same size and decodable (their pixels may differ with fonts and
// rasterizers); progress displays, which appear only on slow enough runs,
// are left out, and widgets' model ids (new on every run) are not
// compared. It returns one
// message per difference, naming the cell.
func DiffOutputs(want, got *Notebook) []string {
	if len(want.Cells) != len(got.Cells) {
		return []string{fmt.Sprintf("%d cells, want %d", len(got.Cells), len(want.Cells))}
	}
	var diffs []string
	for i, c := range want.Cells {
		if c.Type() != "code" {
			continue
		}
		w := comparable(c["outputs"])
		g := comparable(got.Cells[i]["outputs"])
		if len(w) != len(g) {
			diffs = append(diffs, fmt.Sprintf("cell %d: %d outputs, want %d", i+1, len(g), len(w)))
			continue
		}
		for k := range w {
			wo, _ := w[k].(map[string]any)
			gu, _ := g[k].(map[string]any)
			if msg := diffOutput(wo, gu); msg != "" {
				diffs = append(diffs, fmt.Sprintf("cell %d output %d: %s", i+1, k+1, msg))
			}
		}
	}
	return diffs
}

// GoVersionKey, under the notebook metadata key "nmfkernel", records the Go
// release a notebook was last run with, for notebooks whose outputs depend
// on it (such as one that reads the standard library's sources). The
// runner updates it on every run.
const GoVersionKey = "go_version"

// OutputsComparable reports whether a fresh run here should reproduce nb's
// committed outputs, and if not why: a notebook that records a Go release
// is compared only when this program was built with the same one.
func OutputsComparable(nb *Notebook) (ok bool, why string) {
	md, _ := nb.Metadata["nmfkernel"].(map[string]any)
	recorded, _ := md[GoVersionKey].(string)
	if recorded != "" && recorded != runtime.Version() {
		return false, fmt.Sprintf("its outputs depend on the Go release; they were recorded with %s, this is %s", recorded, runtime.Version())
	}
	return true, ""
}

// RecordGoVersion updates the Go release in the metadata of a notebook that
// records one (see GoVersionKey).
func RecordGoVersion(nb *Notebook) {
	if md, ok := nb.Metadata["nmfkernel"].(map[string]any); ok {
		if _, ok := md[GoVersionKey]; ok {
			md[GoVersionKey] = runtime.Version()
		}
	}
}

// widgetViewMIME is a widget's view (lib/widgets.MIMEWidgetView).
const widgetViewMIME = "application/vnd.jupyter.widget-view+json"

// comparable returns the outputs that are not progress reports.
func comparable(outputs any) []any {
	list, _ := outputs.([]any)
	var keep []any
	for _, o := range list {
		m, _ := o.(map[string]any)
		md, _ := m["metadata"].(map[string]any)
		if progress, _ := md[display.ProgressMetadataKey].(bool); progress {
			continue
		}
		keep = append(keep, o)
	}
	return keep
}

// duration matches a Go time.Duration as printed ("1.5s", "2m3.25s",
// "840µs") and a number of seconds written "12.3 s": timings, which
// comparisons replace by "<duration>".
var duration = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s|m|h)(\d+(\.\d+)?(ns|µs|us|ms|s|m))*\b|\b\d+(\.\d+)? s\b`)

// spaces matches the runs of blanks that align text tables, whose widths
// change with the width of a masked duration.
var spaces = regexp.MustCompile(`[ \t]+`)

// inlinePNG matches a PNG inside HTML, as a data URL.
var inlinePNG = regexp.MustCompile(`data:image/png;base64,[A-Za-z0-9+/=]+`)

func maskInlinePNG(s string) string {
	return inlinePNG.ReplaceAllString(s, "data:image/png;base64,<png>")
}

func maskDurations(s string) string {
	return spaces.ReplaceAllString(duration.ReplaceAllString(s, "<duration>"), " ")
}

func diffOutput(want, got map[string]any) string {
	if want["output_type"] != got["output_type"] || want["name"] != got["name"] {
		return fmt.Sprintf("%v %v, want %v %v", got["output_type"], got["name"], want["output_type"], want["name"])
	}
	if maskDurations(multiline(want["text"])) != maskDurations(multiline(got["text"])) || !reflect.DeepEqual(want["traceback"], got["traceback"]) {
		return fmt.Sprintf("text %q, want %q", multiline(got["text"]), multiline(want["text"]))
	}
	wd, _ := want["data"].(map[string]any)
	gd, _ := got["data"].(map[string]any)
	if len(wd) != len(gd) {
		return fmt.Sprintf("MIME types %v, want %v", sortedKeys(gd), sortedKeys(wd))
	}
	for mime, w := range wd {
		g, ok := gd[mime]
		if !ok {
			return "no " + mime
		}
		if mime == "image/png" {
			if msg := diffImages(w, g); msg != "" {
				return msg
			}
			continue
		}
		if mime == widgetViewMIME {
			// A widget's model id is new on every run: only that a
			// widget shows is compared (and its text form, below).
			continue
		}
		if mime == "text/html" {
			// Pictures inside HTML (an interactive chart's fallback) are
			// compared as pictures are: not byte for byte.
			w, g = maskInlinePNG(multiline(w)), maskInlinePNG(multiline(g))
		}
		if maskDurations(multilineOrJSON(w)) != maskDurations(multilineOrJSON(g)) {
			return fmt.Sprintf("%s %q, want %q", mime, multilineOrJSON(g), multilineOrJSON(w))
		}
	}
	return ""
}

func multilineOrJSON(v any) string {
	switch v.(type) {
	case string, []any:
		if s := multiline(v); s != "" || v == "" {
			return s
		}
	}
	return fmt.Sprint(v)
}

func diffImages(want, got any) string {
	size := func(v any) (int, int, error) {
		b, err := base64.StdEncoding.DecodeString(multiline(v))
		if err != nil {
			return 0, 0, err
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			return 0, 0, err
		}
		return img.Bounds().Dx(), img.Bounds().Dy(), nil
	}
	ww, wh, err := size(want)
	if err != nil {
		return "wanted image does not decode: " + err.Error()
	}
	gw, gh, err := size(got)
	if err != nil {
		return "image does not decode: " + err.Error()
	}
	if ww != gw || wh != gh {
		return fmt.Sprintf("image %d×%d, want %d×%d", gw, gh, ww, wh)
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}
