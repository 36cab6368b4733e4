package contents

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newStore(t testing.TB) (*Store, string) {
	t.Helper()
	root := t.TempDir()
	if tt, ok := t.(*testing.T); ok {
		// Deleted files go to a trash of the test's own (see TestDeleteToTrash).
		tt.Setenv("XDG_DATA_HOME", filepath.Join(root, ".local-share"))
	}
	for name, body := range map[string]string{
		"data/grocery.csv": "product,John\nBread,1\n",
		"a.ipynb":          `{"cells":[{"cell_type":"code","source":"1+1","metadata":{},"outputs":[],"execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":4}`,
		"bin.dat":          "\xff\xfe\x00\x01",
		".hidden":          "secret",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.Root()
}

func TestConfinement(t *testing.T) {
	s, root := newStore(t)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("x"), 0o644)
	if err := os.Symlink(outside, filepath.Join(root, "escape")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	os.Symlink(filepath.Join(root, "data"), filepath.Join(root, "inside"))
	for _, tc := range []struct {
		path string
		want error
	}{
		{"../x", ErrForbidden},
		{"data/../../x", ErrForbidden},
		{"/../etc/passwd", ErrForbidden},
		{".hidden", ErrForbidden},
		{"data/.git/config", ErrForbidden},
		{"escape/secret.txt", ErrForbidden},
		{"escape", ErrForbidden},
		{"escape/new/file.txt", ErrForbidden},
		{"inside/grocery.csv", nil},
		{"data/grocery.csv", nil},
		{"/data/grocery.csv", nil},
		{"missing/deeper/file.txt", nil},
	} {
		_, err := s.Resolve(tc.path)
		if !errors.Is(err, tc.want) && !(tc.want == nil && err == nil) {
			t.Errorf("Resolve(%q): %v, want %v", tc.path, err, tc.want)
		}
	}
	// Listings leave hidden files and links out of the root out.
	m, err := s.Get("", GetOptions{Content: true})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range m.Content.([]*Model) {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "a.ipynb bin.dat data inside" {
		t.Errorf("root listing: %s", got)
	}
	if _, err := s.WorkingDir(outside); !errors.Is(err, ErrForbidden) {
		t.Errorf("WorkingDir outside the root: %v", err)
	}
	if _, err := s.WorkingDir(filepath.Join(root, "escape")); !errors.Is(err, ErrForbidden) {
		t.Errorf("WorkingDir through a link out: %v", err)
	}
	if d, err := s.WorkingDir("data"); err != nil || d != filepath.Join(root, "data") {
		t.Errorf("WorkingDir(data) = %q, %v", d, err)
	}
	for in, want := range map[string]string{"data/new.ipynb": "data", "data": "data", "nowhere/x/y.ipynb": "", "a.ipynb": "", "../x": ""} {
		if got := s.DirOf(in); got != filepath.Join(root, want) {
			t.Errorf("DirOf(%q) = %s, want %s", in, got, filepath.Join(root, want))
		}
	}
}

func TestGet(t *testing.T) {
	s, _ := newStore(t)
	nb, err := s.Get("a.ipynb", GetOptions{Content: true})
	if err != nil || nb.Type != "notebook" || *nb.Format != "json" {
		t.Fatalf("notebook: %+v %v", nb, err)
	}
	b, _ := json.Marshal(nb.Content)
	if !strings.Contains(string(b), `"nbformat_minor":5`) || !strings.Contains(string(b), `"id":`) {
		t.Errorf("a notebook's content is nbformat 4.5: %s", b)
	}
	f, err := s.Get("data/grocery.csv", GetOptions{Content: true})
	if err != nil || f.Type != "file" || *f.Format != "text" || *f.Mimetype != "text/csv" || f.Content != "product,John\nBread,1\n" || *f.Size != 21 {
		t.Errorf("text file: %+v %v", f, err)
	}
	bin, err := s.Get("bin.dat", GetOptions{Content: true})
	if err != nil || *bin.Format != "base64" || bin.Content != "//4AAQ==" {
		t.Errorf("binary file: %+v %v", bin, err)
	}
	if _, err := s.Get("bin.dat", GetOptions{Content: true, Format: "text"}); !errors.Is(err, ErrBadModel) {
		t.Errorf("binary as text: %v", err)
	}
	if m, err := s.Get("a.ipynb", GetOptions{Content: true, Type: "file"}); err != nil || m.Type != "file" || !strings.HasPrefix(m.Content.(string), `{"cells"`) {
		t.Errorf("a notebook as a file: %+v %v", m, err)
	}
	if _, err := s.Get("data", GetOptions{Type: "notebook"}); !errors.Is(err, ErrBadModel) {
		t.Errorf("a directory as a notebook: %v", err)
	}
	if _, err := s.Get("nope.ipynb", GetOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
	if m, err := s.Get("data", GetOptions{}); err != nil || m.Content != nil || m.Format != nil {
		t.Errorf("content=0: %+v %v", m, err)
	}
}

func TestSaveNewRenameDelete(t *testing.T) {
	s, root := newStore(t)
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	// Text, base64, notebook, directory.
	if _, err := s.Save("notes.txt", SaveModel{Type: "file", Format: "text", Content: raw("héllo\n")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "notes.txt")); string(b) != "héllo\n" {
		t.Errorf("text save wrote %q", b)
	}
	if _, err := s.Save("img.png", SaveModel{Type: "file", Format: "base64", Content: raw("iVBORw==")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "img.png")); string(b) != "\x89PNG" {
		t.Errorf("base64 save wrote %q", b)
	}
	nb := `{"cells":[{"cell_type":"markdown","source":"# Hi","metadata":{}}],"metadata":{},"nbformat":4,"nbformat_minor":5}`
	m, err := s.Save("data/b.ipynb", SaveModel{Type: "notebook", Format: "json", Content: json.RawMessage(nb)})
	if err != nil || m.Path != "data/b.ipynb" || m.Type != "notebook" {
		t.Fatalf("notebook save: %+v %v", m, err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "data", "b.ipynb")); !strings.HasPrefix(string(b), "{\n \"cells\": [") {
		t.Errorf("a notebook is written as Jupyter writes it: %.40q", b)
	}
	for _, bad := range []SaveModel{
		{Type: "notebook", Content: json.RawMessage(`{"cells": 3}`)},
		{Type: "notebook"},
		{Type: "file", Format: "base64", Content: raw("%%%")},
		{Type: "file", Format: "hex", Content: raw("00")},
		{Type: "file", Content: json.RawMessage(`12`)},
		{Type: "symlink"},
	} {
		if _, err := s.Save("bad.ipynb", bad); !errors.Is(err, ErrBadModel) {
			t.Errorf("save %+v: %v", bad, err)
		}
	}
	if _, err := s.Save("no/such/dir/x.txt", SaveModel{Type: "file", Content: raw("x")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("save into a missing folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "bad.ipynb")); err == nil {
		t.Error("a refused save left a file")
	}
	// Conflicts: a save that says what it read is refused if the file
	// changed since.
	read, _ := s.Get("notes.txt", GetOptions{})
	if _, err := s.Save("notes.txt", SaveModel{Type: "file", Content: raw("mine"), LastModified: read.LastModified}); err != nil {
		t.Errorf("save of an unchanged file: %v", err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(filepath.Join(root, "notes.txt"), later, later)
	if _, err := s.Save("notes.txt", SaveModel{Type: "file", Content: raw("stale"), LastModified: read.LastModified}); !errors.Is(err, ErrConflict) {
		t.Errorf("save over a file changed since it was read: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "notes.txt")); string(b) != "mine" {
		t.Errorf("a conflicting save wrote: %q", b)
	}
	// Untitled names and copies.
	for _, want := range []string{"Untitled.ipynb", "Untitled1.ipynb", "Untitled2.ipynb"} {
		if m, err := s.NewUntitled("", "notebook", ""); err != nil || m.Path != want {
			t.Errorf("new notebook: %+v %v, want %s", m, err, want)
		}
	}
	if m, err := s.NewUntitled("data", "directory", ""); err != nil || m.Path != "data/Untitled Folder" || m.Type != "directory" {
		t.Errorf("new folder: %+v %v", m, err)
	}
	if m, err := s.NewUntitled("data", "file", "go"); err != nil || m.Path != "data/Untitled.go" {
		t.Errorf("new file: %+v %v", m, err)
	}
	if m, err := s.Get("Untitled.ipynb", GetOptions{Content: true}); err != nil || m.Type != "notebook" {
		t.Errorf("a new notebook is a notebook: %+v %v", m, err)
	}
	if m, err := s.Copy("a.ipynb", "data"); err != nil || m.Path != "data/a-Copy1.ipynb" {
		t.Errorf("copy: %+v %v", m, err)
	}
	// Rename: never over an existing file; the checkpoint follows.
	if _, err := s.CreateCheckpoint("a.ipynb"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rename("a.ipynb", "notes.txt"); !errors.Is(err, ErrConflict) {
		t.Errorf("rename over a file: %v", err)
	}
	if m, err := s.Rename("a.ipynb", "data/c.ipynb"); err != nil || m.Path != "data/c.ipynb" {
		t.Errorf("rename: %+v %v", m, err)
	}
	if cps, _ := s.Checkpoints("data/c.ipynb"); len(cps) != 1 {
		t.Errorf("the checkpoint did not follow the rename: %v", cps)
	}
	if _, err := s.Rename("data/c.ipynb", "../c.ipynb"); !errors.Is(err, ErrForbidden) {
		t.Errorf("rename out of the root: %v", err)
	}
	// Delete for good (the trash off): files, empty folders; not folders
	// with files in them. TestDeleteToTrash covers the default.
	s.DeletePermanently(true)
	if err := s.Delete("data"); !errors.Is(err, ErrBadModel) {
		t.Errorf("delete a folder with files: %v", err)
	}
	if err := s.Delete("data/Untitled Folder"); err != nil {
		t.Errorf("delete an empty folder: %v", err)
	}
	if err := s.Delete("notes.txt"); err != nil {
		t.Errorf("delete a file: %v", err)
	}
	if err := s.Delete("notes.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete a missing file: %v", err)
	}
	if err := s.Delete(""); !errors.Is(err, ErrBadModel) {
		t.Errorf("delete the root: %v", err)
	}
}

func TestCheckpoints(t *testing.T) {
	s, root := newStore(t)
	if cps, err := s.Checkpoints("a.ipynb"); err != nil || len(cps) != 0 {
		t.Errorf("no checkpoint yet: %v %v", cps, err)
	}
	cp, err := s.CreateCheckpoint("a.ipynb")
	if err != nil || cp.ID != "checkpoint" {
		t.Fatalf("create: %+v %v", cp, err)
	}
	if _, err := os.Stat(filepath.Join(root, ".ipynb_checkpoints", "a-checkpoint.ipynb")); err != nil {
		t.Errorf("the checkpoint is where Jupyter keeps it: %v", err)
	}
	original, _ := os.ReadFile(filepath.Join(root, "a.ipynb"))
	os.WriteFile(filepath.Join(root, "a.ipynb"), []byte("changed"), 0o644)
	if err := s.RestoreCheckpoint("a.ipynb", "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("restore an unknown checkpoint: %v", err)
	}
	if err := s.RestoreCheckpoint("a.ipynb", cp.ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "a.ipynb")); string(b) != string(original) {
		t.Errorf("restored %q", b)
	}
	if err := s.DeleteCheckpoint("a.ipynb", cp.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCheckpoint("a.ipynb", cp.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if _, err := s.CreateCheckpoint("missing.ipynb"); !errors.Is(err, ErrNotFound) {
		t.Errorf("checkpoint of a missing file: %v", err)
	}
}

// FuzzResolve checks that no API path resolves outside the root.
func FuzzResolve(f *testing.F) {
	for _, seed := range []string{"", "a/b", "../x", "a/../../b", "/etc/passwd", "a\\..\\..\\b", ".hidden", "a//b", "a/./b", "\x00"} {
		f.Add(seed)
	}
	s, _ := newStore(f)
	f.Fuzz(func(t *testing.T, p string) {
		got, err := s.Resolve(p)
		if err != nil {
			return
		}
		rel, rerr := filepath.Rel(s.Root(), got)
		if rerr != nil || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
			t.Fatalf("Resolve(%q) = %s, outside %s", p, got, s.Root())
		}
	})
}

// TestDeleteToTrash: by default a deletion goes to the freedesktop.org
// trash (files/ and a .trashinfo record in info/), folders with what they
// hold, hidden files included; with the trash off, a folder that holds
// only hidden files is refused, never removed.
func TestDeleteToTrash(t *testing.T) {
	s, root := newStore(t)
	trashDir := filepath.Join(root, ".local-share", "Trash")
	for name, body := range map[string]string{"proj/.git/HEAD": "ref: main\n", "proj/.env": "KEY=1\n", "gone/.env": "X=2\n"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(body), 0o644)
	}
	if err := s.Delete("proj"); err != nil {
		t.Fatalf("delete a folder to the trash: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "proj")); !os.IsNotExist(err) {
		t.Errorf("the folder is still there: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(trashDir, "files", "proj", ".env")); err != nil || string(b) != "KEY=1\n" {
		t.Errorf("the hidden file is not in the trash: %q %v", b, err)
	}
	info, err := os.ReadFile(filepath.Join(trashDir, "info", "proj.trashinfo"))
	if err != nil || !strings.Contains(string(info), "[Trash Info]\nPath="+filepath.Join(root, "proj")+"\nDeletionDate=") {
		t.Errorf("trash record: %q %v", info, err)
	}
	// A second file of the same name gets a name of its own.
	os.WriteFile(filepath.Join(root, "proj"), []byte("a file now"), 0o644)
	if err := s.Delete("proj"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(trashDir, "files", "proj.2")); string(b) != "a file now" {
		t.Errorf("the second proj: %q", b)
	}
	// The trash off: hidden files are never deleted silently.
	s.DeletePermanently(true)
	if err := s.Delete("gone"); !errors.Is(err, ErrBadModel) || !strings.Contains(err.Error(), ".env") {
		t.Errorf("delete a folder holding only hidden files, trash off: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "gone", ".env")); err != nil {
		t.Errorf("the hidden file is gone: %v", err)
	}
}

// TestUntitledExtIsASuffix: ext names a suffix, never a path; a bad one is
// refused before anything is created, and the name search is bounded.
func TestUntitledExtIsASuffix(t *testing.T) {
	s, root := newStore(t)
	outside := filepath.Dir(root)
	for _, ext := range []string{"./../../x", "/../x", "../x", ".a/b", `.a\b`, "..", ".x\x00", strings.Repeat("x", 40)} {
		if _, err := s.NewUntitled("", "file", ext); !errors.Is(err, ErrBadModel) {
			t.Errorf("ext %q: %v", ext, err)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(outside, "Untitled*")); len(matches) > 0 {
		t.Errorf("created outside the root: %v", matches)
	}
	for _, ext := range []string{"", "txt", ".csv", ".tar.gz"} {
		m, err := s.NewUntitled("", "file", ext)
		if err != nil || strings.Contains(m.Path, "/") {
			t.Errorf("ext %q: %+v %v", ext, m, err)
		}
	}
}

// TestConcurrentRenameAndSave: of renames onto one new name and of saves
// read at one last_modified, exactly one wins; nothing is lost.
func TestConcurrentRenameAndSave(t *testing.T) {
	s, root := newStore(t)
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	const n = 30
	for i := range n {
		os.WriteFile(filepath.Join(root, fmt.Sprintf("f%d.txt", i)), []byte(fmt.Sprint(i)), 0o644)
	}
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Rename(fmt.Sprintf("f%d.txt", i), "target.txt"); err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrConflict) {
				t.Errorf("rename: %v", err)
			}
		}()
	}
	wg.Wait()
	left, _ := filepath.Glob(filepath.Join(root, "f*.txt"))
	if ok.Load() != 1 || len(left) != n-1 {
		t.Errorf("%d renames onto one name succeeded, %d files left of %d", ok.Load(), len(left), n)
	}
	m, err := s.Get("target.txt", GetOptions{Content: false})
	if err != nil {
		t.Fatal(err)
	}
	ok.Store(0)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Save("target.txt", SaveModel{Type: "file", Format: "text", Content: raw(fmt.Sprint("save ", i)), LastModified: m.LastModified})
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrConflict) {
				t.Errorf("save: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Errorf("%d saves read at one last_modified succeeded, want 1", ok.Load())
	}
}

// TestChunkedUpload: JupyterLab's pieces (1, 2, …, -1) make one file,
// which replaces the target only when the last piece arrives; a piece out
// of order is refused.
func TestChunkedUpload(t *testing.T) {
	s, root := newStore(t)
	b64 := func(b string) json.RawMessage {
		r, _ := json.Marshal(base64.StdEncoding.EncodeToString([]byte(b)))
		return r
	}
	piece := func(n int, data string) error {
		_, err := s.Save("big.bin", SaveModel{Type: "file", Format: "base64", Content: b64(data), Chunk: n})
		return err
	}
	os.WriteFile(filepath.Join(root, "big.bin"), []byte("old"), 0o644)
	for i, p := range []struct {
		n    int
		data string
	}{{1, "aaa"}, {2, "bbb"}, {3, "ccc"}} {
		if err := piece(p.n, p.data); err != nil {
			t.Fatalf("piece %d: %v", i+1, err)
		}
		if b, _ := os.ReadFile(filepath.Join(root, "big.bin")); string(b) != "old" {
			t.Fatalf("the target changed before the last piece: %q", b)
		}
	}
	if err := piece(-1, "ddd"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "big.bin")); string(b) != "aaabbbcccddd" {
		t.Errorf("uploaded: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".big.bin.upload-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// Out of order: refused, the upload abandoned, the target untouched.
	piece(1, "xxx")
	if err := piece(3, "zzz"); !errors.Is(err, ErrBadModel) {
		t.Errorf("piece 3 after 1: %v", err)
	}
	if err := piece(-1, "zzz"); !errors.Is(err, ErrBadModel) {
		t.Errorf("the last piece of an abandoned upload: %v", err)
	}
	if err := piece(2, "yyy"); !errors.Is(err, ErrBadModel) {
		t.Errorf("piece 2 without piece 1: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "big.bin")); string(b) != "aaabbbcccddd" {
		t.Errorf("the target after a refused upload: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(root, ".big.bin.upload-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
