package notebooks

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/runner"
)

// TestNotebooksReproduce runs every committed notebook in a copy of this
// directory and compares the fresh outputs with the committed ones: text
// exactly, images by size and by decoding.
func TestNotebooksReproduce(t *testing.T) {
	paths, _ := filepath.Glob("*.ipynb")
	if len(paths) == 0 {
		t.Fatal("no notebooks")
	}
	src, _ := os.Getwd()
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path, ".ipynb"), func(t *testing.T) {
			committed, err := notebook.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := notebook.Read(path)
			s, err := engine.New(engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := runner.Run(context.Background(), fresh, runner.SessionExecutor{Session: s}, runner.Options{}); err != nil {
				t.Fatalf("notebook fails: %v", err)
			}
			for i, c := range committed.Cells {
				if c.Type() != "code" {
					continue
				}
				want, got := c["outputs"].([]any), fresh.Cells[i]["outputs"].([]any)
				if len(want) != len(got) {
					t.Errorf("cell %d: %d outputs, committed %d: re-run the notebook with kernel run and commit it", i+1, len(got), len(want))
					continue
				}
				for k := range want {
					if msg := compareOutput(want[k].(map[string]any), got[k].(map[string]any)); msg != "" {
						t.Errorf("cell %d output %d: %s", i+1, k+1, msg)
					}
				}
			}
		})
	}
}

// compareOutput explains how a fresh output differs from the committed one,
// or returns "".
func compareOutput(want, got map[string]any) string {
	if want["output_type"] != got["output_type"] || want["name"] != got["name"] {
		return fmt.Sprintf("%v %v, committed %v %v", got["output_type"], got["name"], want["output_type"], want["name"])
	}
	if !reflect.DeepEqual(want["text"], got["text"]) || !reflect.DeepEqual(want["traceback"], got["traceback"]) {
		return fmt.Sprintf("text %q, committed %q", got["text"], want["text"])
	}
	wd, _ := want["data"].(map[string]any)
	gd, _ := got["data"].(map[string]any)
	if len(wd) != len(gd) {
		return fmt.Sprintf("MIME types %v, committed %v", keys(gd), keys(wd))
	}
	for mime, w := range wd {
		g, ok := gd[mime]
		if !ok {
			return "no " + mime
		}
		if mime == "image/png" {
			if msg := compareImages(w, g); msg != "" {
				return msg
			}
			continue
		}
		if !reflect.DeepEqual(w, g) {
			return fmt.Sprintf("%s %q, committed %q", mime, g, w)
		}
	}
	return ""
}

func compareImages(want, got any) string {
	size := func(v any) (int, int, error) {
		s, _ := v.(string)
		b, err := base64.StdEncoding.DecodeString(s)
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
		return "committed image does not decode: " + err.Error()
	}
	gw, gh, err := size(got)
	if err != nil {
		return "fresh image does not decode: " + err.Error()
	}
	if ww != gw || wh != gh {
		return fmt.Sprintf("image %d×%d, committed %d×%d", gw, gh, ww, wh)
	}
	return ""
}

func keys(m map[string]any) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}
