// Package notebook reads and writes Jupyter notebooks (nbformat 4) and
// records cell outputs in them. Cells are kept as their JSON objects, so
// fields this package does not know survive a round trip; writing always
// produces nbformat 4.5 (cell ids, no transient output fields) and goes
// through a temporary file and a rename, so a failed write never loses the
// notebook on disk.
package notebook

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"nmfkernel/internal/atomicfile"
)

// Notebook is an nbformat 4 notebook.
type Notebook struct {
	Cells         []Cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is one cell as its JSON object.
type Cell map[string]any

// ErrFormat reports a file that is not an nbformat 4 notebook.
var ErrFormat = errors.New("not an nbformat 4 notebook")

// Read reads a notebook file.
func Read(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read notebook: %w", err)
	}
	nb, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("read notebook %s: %w", path, err)
	}
	return nb, nil
}

// Parse decodes a notebook, upgrading nbformat 4.0–4.4 to 4.5 (cell ids).
func Parse(b []byte) (*Notebook, error) {
	// The top level first: a notebook whose cells are null or not a list
	// would be run as empty and written back still invalid.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if c, ok := top["cells"]; !ok || !bytes.HasPrefix(bytes.TrimSpace(c), []byte("[")) {
		return nil, fmt.Errorf("%w: \"cells\" is not a list", ErrFormat)
	}
	if m, ok := top["metadata"]; ok && !bytes.HasPrefix(bytes.TrimSpace(m), []byte("{")) {
		return nil, fmt.Errorf("%w: \"metadata\" is not an object", ErrFormat)
	}
	// Numbers stay as written (json.Number): a float64 would round integers
	// over 2⁵³ in metadata or outputs when the notebook is saved again.
	var nb Notebook
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&nb); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%w: nbformat is %d", ErrFormat, nb.NBFormat)
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	seen := map[string]bool{}
	for i, c := range nb.Cells {
		if c == nil {
			return nil, fmt.Errorf("%w: cell %d is null", ErrFormat, i+1)
		}
		switch t, _ := c["cell_type"].(string); t {
		case "code", "markdown", "raw":
		case "":
			return nil, fmt.Errorf("%w: cell %d has no cell_type", ErrFormat, i+1)
		default:
			return nil, fmt.Errorf("%w: cell %d has cell_type %q (code, markdown or raw)", ErrFormat, i+1, t)
		}
		switch src := c["source"].(type) {
		case string:
		case []any:
			for _, line := range src {
				if _, ok := line.(string); !ok {
					return nil, fmt.Errorf("%w: cell %d's source is not text", ErrFormat, i+1)
				}
			}
		default:
			return nil, fmt.Errorf("%w: cell %d has no source (a string or a list of strings)", ErrFormat, i+1)
		}
		if _, ok := c["metadata"].(map[string]any); !ok {
			c["metadata"] = map[string]any{}
		}
		id, _ := c["id"].(string)
		if id == "" || seen[id] {
			id = NewID()
			c["id"] = id
		}
		seen[id] = true
		if c.Type() == "code" {
			if _, ok := c["outputs"].([]any); !ok {
				c["outputs"] = []any{}
			}
			if _, ok := c["execution_count"]; !ok {
				c["execution_count"] = nil
			}
		}
	}
	nb.NBFormatMinor = max(nb.NBFormatMinor, 5)
	return &nb, nil
}

// NewID returns a random cell id.
func NewID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Type returns the cell type: code, markdown or raw.
func (c Cell) Type() string { s, _ := c["cell_type"].(string); return s }

// Source returns the cell's source text.
func (c Cell) Source() string { return multiline(c["source"]) }

// multiline joins nbformat's string-or-list-of-strings.
func multiline(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			if s, ok := s.(string); ok {
				b.WriteString(s)
			}
		}
		return b.String()
	}
	return ""
}

// lines splits text the way Jupyter stores it: a list of lines, each but
// the last ending in a newline.
func lines(s string) []any {
	var out []any
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// Marshal encodes the notebook as Jupyter writes it: one-space indented
// JSON, keys sorted, a final newline.
func (nb *Notebook) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, fmt.Errorf("encode notebook: %w", err)
	}
	return buf.Bytes(), nil
}

// Write writes the notebook to path atomically: a temporary file in the
// same directory, then a rename.
func (nb *Notebook) Write(path string) error {
	b, err := nb.Marshal()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		return fmt.Errorf("write notebook %s: %w", path, err)
	}
	return nil
}
