package notebook

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseUpgradesAndKeepsUnknownFields(t *testing.T) {
	in := `{"cells":[{"cell_type":"code","source":["a\n","b"],"metadata":{"tags":["x"]},"custom":1,"outputs":[],"execution_count":null},
{"cell_type":"markdown","source":"# hi","metadata":{},"id":"same"},{"cell_type":"raw","source":"","metadata":{},"id":"same"}],
"metadata":{"foo":"bar"},"nbformat":4,"nbformat_minor":2}`
	nb, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if nb.NBFormatMinor != 5 {
		t.Errorf("nbformat_minor %d", nb.NBFormatMinor)
	}
	ids := map[string]bool{}
	for _, c := range nb.Cells {
		id, _ := c["id"].(string)
		if id == "" || ids[id] {
			t.Errorf("cell id %q missing or duplicated", id)
		}
		ids[id] = true
	}
	if nb.Cells[0].Source() != "a\nb" || nb.Cells[0]["custom"] != json.Number("1") {
		t.Errorf("cell 0: %v", nb.Cells[0])
	}
	b, _ := nb.Marshal()
	back, err := Parse(b)
	if err != nil || !reflect.DeepEqual(back, nb) {
		t.Errorf("round trip changed the notebook: %v", err)
	}
	for _, bad := range []string{`{`, `{"nbformat":3,"cells":[]}`, `{"nbformat":4,"cells":[null]}`, `{"nbformat":4,"cells":[{}]}`} {
		if _, err := Parse([]byte(bad)); !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%s): %v", bad, err)
		}
	}
}

func TestOutputs(t *testing.T) {
	var o Outputs
	o.Stream("stdout", "a")
	o.Stream("stdout", "b\nc\n")
	o.Stream("stderr", "oops\n")
	o.Display(map[string]any{"text/plain": "10%"}, nil, "p1")
	o.Display(map[string]any{"image/png": []byte{1, 2, 3}, "text/plain": "<PNG>"}, nil, "")
	if !o.Update(map[string]any{"text/plain": "100%"}, nil, "p1") || o.Update(nil, nil, "nope") {
		t.Error("Update")
	}
	o.Result(3, map[string]any{"text/html": "<b>x</b>\n<i>y</i>", "text/plain": "x"}, nil)
	o.Error("panic", "boom", []string{"panic: boom", "  at cell [3]"})
	got := o.List()
	if len(got) != 6 {
		t.Fatalf("%d outputs", len(got))
	}
	want := []map[string]any{
		{"output_type": "stream", "name": "stdout", "text": []any{"ab\n", "c\n"}},
		{"output_type": "stream", "name": "stderr", "text": []any{"oops\n"}},
		{"output_type": "display_data", "data": map[string]any{"text/plain": []any{"100%"}}, "metadata": map[string]any{}},
		{"output_type": "display_data", "data": map[string]any{"image/png": "AQID", "text/plain": []any{"<PNG>"}}, "metadata": map[string]any{}},
		{"output_type": "execute_result", "execution_count": 3, "data": map[string]any{"text/html": []any{"<b>x</b>\n", "<i>y</i>"}, "text/plain": []any{"x"}}, "metadata": map[string]any{}},
		{"output_type": "error", "ename": "panic", "evalue": "boom", "traceback": []any{"panic: boom", "  at cell [3]"}},
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("output %d:\n%#v\nwant\n%#v", i, got[i], want[i])
		}
	}
}

func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nb.ipynb")
	nb := &Notebook{NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{}, Cells: []Cell{{"cell_type": "markdown", "source": "x", "metadata": map[string]any{}, "id": "a"}}}
	if err := nb.Write(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	nb.Cells[0]["source"] = "changed"
	if os.Geteuid() != 0 { // root ignores directory permissions
		if err := nb.Write(path); err == nil {
			t.Error("write into a read-only directory succeeded")
		}
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), `"source": "x"`) {
			t.Error("failed write damaged the notebook")
		}
	}
	os.Chmod(dir, 0o700)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestParseRefusesMalformed lists notebooks that must be refused before
// anything runs, each with a clear reason.
func TestParseRefusesMalformed(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"cells": null, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, `"cells" is not a list`},
		{`{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}`, `"cells" is not a list`},
		{`{"cells": {}, "nbformat": 4}`, `"cells" is not a list`},
		{`{"cells": [], "metadata": [], "nbformat": 4}`, `"metadata" is not an object`},
		{`{"cells": [{"cell_type": "python", "source": ""}], "nbformat": 4}`, `cell_type "python"`},
		{`{"cells": [{"cell_type": "code"}], "nbformat": 4}`, "has no source"},
		{`{"cells": [{"cell_type": "code", "source": [1]}], "nbformat": 4}`, "source is not text"},
		{`{"cells": [], "nbformat": 3}`, "nbformat is 3"},
		{`[]`, "not an nbformat 4 notebook"},
	} {
		_, err := Parse([]byte(tc.json))
		if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%s) = %v, want %q", tc.json, err, tc.want)
		}
	}
}

// TestBigNumbersStayExact: integers over 2⁵³ in metadata and outputs are
// written back as they were read.
func TestBigNumbersStayExact(t *testing.T) {
	in := `{"cells":[{"cell_type":"code","source":"x","metadata":{"id":9007199254740993},"outputs":[{"output_type":"display_data","metadata":{},"data":{"application/json":{"n":12345678901234567891,"f":0.1}}}],"execution_count":1}],"metadata":{"big":9007199254740993},"nbformat":4,"nbformat_minor":5}`
	nb, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	b, err := nb.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"9007199254740993", "12345678901234567891", "0.1"} {
		if strings.Count(string(b), want) == 0 {
			t.Errorf("%s is not in the notebook written back:\n%s", want, b)
		}
	}
}
