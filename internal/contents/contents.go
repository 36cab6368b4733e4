// Package contents is jupyter_server's contents API over one directory:
// models of files, notebooks and directories, saves, renames, deletes,
// new untitled files and checkpoints, with every path confined to the root
// (no "..", no symbolic link leading out, no hidden files) and every write
// atomic (a temporary file and a rename).
package contents

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"nmfkernel/internal/trash"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"nmfkernel/internal/atomicfile"
	"nmfkernel/internal/notebook"
)

// Errors a Store returns, wrapped with the path; the server maps them to
// status codes.
var (
	ErrNotFound  = errors.New("no such file or directory")
	ErrForbidden = errors.New("outside the root or hidden")
	ErrConflict  = errors.New("conflict")
	ErrBadModel  = errors.New("bad model")
)

// Model is a contents model as jupyter_server returns it. Content is nil
// unless asked for: a []*Model for a directory, the notebook JSON for a
// notebook, a string for a file.
type Model struct {
	Name         string  `json:"name"`
	Path         string  `json:"path"`
	Type         string  `json:"type"` // "directory", "notebook" or "file"
	Writable     bool    `json:"writable"`
	Created      string  `json:"created"`
	LastModified string  `json:"last_modified"`
	Mimetype     *string `json:"mimetype"`
	Content      any     `json:"content"`
	Format       *string `json:"format"`
	Size         *int64  `json:"size"`
}

// Checkpoint is a saved copy of a file (jupyter_server keeps one per file).
type Checkpoint struct {
	ID           string `json:"id"`
	LastModified string `json:"last_modified"`
}

// Store serves the files under one root directory.
type Store struct {
	root string // absolute, symbolic links resolved
	// mu makes a conditional save (compare last_modified, then write) and
	// a rename (check the target is free, then move) each one step for
	// this server's requests: two saves read at one last_modified cannot
	// both pass, nor two renames onto one new name.
	mu sync.Mutex
	// permanentDelete deletes without the trash (see Delete).
	permanentDelete bool
	// uploads are the chunked uploads under way, by path (see saveChunk).
	uploads map[string]*upload
}

// upload is a chunked upload under way: its pieces so far, in a temporary
// file beside the target, and the number of the piece expected next.
type upload struct {
	tmp  string
	next int
}

// DeletePermanently makes Delete remove files for good instead of moving
// them to the trash (kernel serve --delete-to-trash=false).
func (s *Store) DeletePermanently(on bool) { s.permanentDelete = on }

// New returns a store over root.
func New(root string) (*Store, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("contents root %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("contents root %s: %w", root, err)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("contents root %s is not a directory", root)
	}
	return &Store{root: real}, nil
}

// Root returns the root directory (absolute, links resolved).
func (s *Store) Root() string { return s.root }

// clean turns an API path ("a/b.ipynb", "/a/b", "") into a clean relative
// one, refusing ".." and hidden names.
func clean(apiPath string) (string, error) {
	p := strings.Trim(strings.ReplaceAll(apiPath, "\\", "/"), "/")
	if p == "" {
		return "", nil
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." || part == "." || part == "" {
			return "", fmt.Errorf("%s: %w (%q is not allowed in a path)", apiPath, ErrForbidden, part)
		}
		if strings.HasPrefix(part, ".") {
			return "", fmt.Errorf("%s: %w", apiPath, ErrForbidden)
		}
		if strings.ContainsRune(part, 0) {
			return "", fmt.Errorf("%s: %w (a NUL byte)", apiPath, ErrForbidden)
		}
	}
	return p, nil
}

// Resolve returns the file system path of an API path, refusing paths
// that leave the root, directly or through a symbolic link. The file need
// not exist; its nearest existing ancestor is what is checked.
func (s *Store) Resolve(apiPath string) (string, error) {
	p, err := clean(apiPath)
	if err != nil {
		return "", err
	}
	osPath := filepath.Join(s.root, filepath.FromSlash(p))
	if err := s.confined(osPath); err != nil {
		return "", fmt.Errorf("%s: %w", apiPath, err)
	}
	return osPath, nil
}

// confined checks that osPath, with its existing part's links resolved,
// lies within the root.
func (s *Store) confined(osPath string) error {
	existing, rest := osPath, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return ErrForbidden
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForbidden, err)
	}
	if !s.within(filepath.Join(real, rest)) {
		return ErrForbidden
	}
	return nil
}

func (s *Store) within(p string) bool {
	rel, err := filepath.Rel(s.root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// WorkingDir returns dir (absolute, or relative to the root) if it is a
// directory within the root: for a kernel's working directory.
func (s *Store) WorkingDir(dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.root, dir)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("working directory %s: %w", dir, ErrNotFound)
	}
	if !s.within(real) {
		return "", fmt.Errorf("working directory %s is outside the server's root %s: %w", dir, s.root, ErrForbidden)
	}
	if fi, err := os.Stat(real); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("working directory %s: %w", dir, ErrNotFound)
	}
	return real, nil
}

// DirOf returns the directory a document at apiPath runs in: apiPath
// itself if it is a folder, else the nearest existing folder above it, as
// jupyter_server's cwd_for_path does.
func (s *Store) DirOf(apiPath string) string {
	p, err := clean(apiPath)
	if err != nil || p == "" {
		return s.root
	}
	for d := p; d != "." && d != "/"; d = path.Dir(d) {
		if osPath, err := s.Resolve(d); err == nil {
			if fi, err := os.Stat(osPath); err == nil && fi.IsDir() {
				return osPath
			}
		}
	}
	return s.root
}

// GetOptions says what Get returns.
type GetOptions struct {
	Content bool   // include the content
	Type    string // "", or the type the caller expects
	Format  string // "", "text" or "base64" for files
}

// Get returns the model of apiPath.
func (s *Store) Get(apiPath string, opt GetOptions) (*Model, error) {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(osPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	p, _ := clean(apiPath)
	typ := kindOf(p, fi)
	if opt.Type != "" && opt.Type != typ {
		if !(opt.Type == "file" && typ == "notebook") {
			return nil, fmt.Errorf("%s is a %s, not a %s: %w", apiPath, typ, opt.Type, ErrBadModel)
		}
		typ = "file"
	}
	m := baseModel(p, fi, typ)
	if !opt.Content {
		return m, nil
	}
	switch typ {
	case "directory":
		list, err := s.list(p, osPath)
		if err != nil {
			return nil, err
		}
		m.Content, m.Format = list, str("json")
	case "notebook":
		b, err := os.ReadFile(osPath)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", apiPath, err)
		}
		nb, err := notebook.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", apiPath, ErrBadModel, err)
		}
		m.Content, m.Format = nb, str("json")
	default:
		b, err := os.ReadFile(osPath)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", apiPath, err)
		}
		format := opt.Format
		if format == "" {
			format = "text"
			if !utf8.Valid(b) {
				format = "base64"
			}
		}
		switch format {
		case "text":
			if !utf8.Valid(b) {
				return nil, fmt.Errorf("%s is not UTF-8 text (ask for format=base64): %w", apiPath, ErrBadModel)
			}
			m.Content = string(b)
		case "base64":
			m.Content = base64.StdEncoding.EncodeToString(b)
			if *m.Mimetype == "text/plain" {
				m.Mimetype = str("application/octet-stream")
			}
		default:
			return nil, fmt.Errorf("format %q (text or base64): %w", format, ErrBadModel)
		}
		m.Format = str(format)
	}
	return m, nil
}

func kindOf(p string, fi fs.FileInfo) string {
	switch {
	case fi.IsDir():
		return "directory"
	case strings.HasSuffix(p, ".ipynb"):
		return "notebook"
	}
	return "file"
}

func str(s string) *string { return &s }

func baseModel(p string, fi fs.FileInfo, typ string) *Model {
	m := &Model{
		Name: path.Base(p), Path: p, Type: typ, Writable: fi.Mode().Perm()&0o200 != 0,
		LastModified: Stamp(fi.ModTime()), Created: Stamp(fi.ModTime()),
	}
	if p == "" {
		m.Name = ""
	}
	if typ == "file" {
		m.Mimetype = str(mimeOf(p))
	}
	if !fi.IsDir() {
		size := fi.Size()
		m.Size = &size
	}
	return m
}

// Stamp formats a time as the API does (RFC 3339, UTC, microseconds).
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func mimeOf(p string) string {
	ext := strings.ToLower(path.Ext(p))
	switch ext {
	case ".csv":
		return "text/csv"
	case ".go", ".md", ".txt", ".tsv", ".json", ".py", "":
		if ext == ".json" {
			return "application/json"
		}
		return "text/plain"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return t
	}
	return "text/plain"
}

func (s *Store) list(p, osPath string) ([]*Model, error) {
	entries, err := os.ReadDir(osPath)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", p, err)
	}
	out := []*Model{}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		child := path.Join(p, e.Name())
		if _, err := s.Resolve(child); err != nil {
			continue // a link out of the root
		}
		fi, err := os.Stat(filepath.Join(osPath, e.Name()))
		if err != nil {
			continue // a broken link
		}
		out = append(out, baseModel(child, fi, kindOf(child, fi)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SaveModel is the body of a PUT: what to write at a path.
type SaveModel struct {
	Type    string          `json:"type"`
	Format  string          `json:"format"`
	Content json.RawMessage `json:"content"`
	// LastModified, when given, is the last_modified the client read: a
	// save over a file changed since then is refused with ErrConflict.
	LastModified string `json:"last_modified"`
	// Chunk numbers a piece of a file JupyterLab uploads in pieces (files
	// over 15 MB): 1, 2, … and -1 for the last; 0 is a whole file.
	Chunk int `json:"chunk"`
}

// Save writes a file, notebook or directory at apiPath and returns its
// model without content.
func (s *Store) Save(apiPath string, m SaveModel) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return nil, err
	}
	p, _ := clean(apiPath)
	if p == "" {
		return nil, fmt.Errorf("cannot save over the root: %w", ErrBadModel)
	}
	if m.LastModified != "" {
		if fi, err := os.Stat(osPath); err == nil {
			if seen, err := time.Parse(time.RFC3339Nano, m.LastModified); err == nil && fi.ModTime().Sub(seen) > time.Millisecond {
				return nil, fmt.Errorf("%s changed on disk at %s, after it was read (%s): %w", apiPath, Stamp(fi.ModTime()), m.LastModified, ErrConflict)
			}
		}
	}
	if _, err := os.Stat(filepath.Dir(osPath)); err != nil {
		return nil, fmt.Errorf("%s: the folder %s does not exist: %w", apiPath, path.Dir(p), ErrNotFound)
	}
	switch m.Type {
	case "directory":
		if err := os.Mkdir(osPath, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create %s: %w", apiPath, err)
		}
	case "notebook":
		if len(m.Content) == 0 {
			return nil, fmt.Errorf("%s: no content: %w", apiPath, ErrBadModel)
		}
		nb, err := notebook.Parse(m.Content)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", apiPath, ErrBadModel, err)
		}
		if err := nb.Write(osPath); err != nil {
			return nil, err
		}
	case "file":
		var content string
		if err := json.Unmarshal(m.Content, &content); err != nil {
			return nil, fmt.Errorf("%s: content is not a string: %w", apiPath, ErrBadModel)
		}
		var b []byte
		switch m.Format {
		case "text", "":
			b = []byte(content)
		case "base64":
			if b, err = base64.StdEncoding.DecodeString(content); err != nil {
				return nil, fmt.Errorf("%s: content is not base64: %w", apiPath, ErrBadModel)
			}
		default:
			return nil, fmt.Errorf("%s: format %q (text or base64): %w", apiPath, m.Format, ErrBadModel)
		}
		if m.Chunk != 0 {
			return s.saveChunk(p, osPath, m.Chunk, b)
		}
		if err := writeFile(osPath, b); err != nil {
			return nil, fmt.Errorf("write %s: %w", apiPath, err)
		}
	default:
		return nil, fmt.Errorf("%s: type %q (file, notebook or directory): %w", apiPath, m.Type, ErrBadModel)
	}
	return s.Get(p, GetOptions{})
}

func writeFile(osPath string, b []byte) error {
	return atomicfile.Write(osPath, func(w io.Writer) error { _, err := w.Write(b); return err })
}

// NewUntitled creates an empty notebook, file ("ext" names its extension)
// or directory in the folder dir, named as Jupyter names them (Untitled,
// Untitled1, …), and returns its model.
func (s *Store) NewUntitled(dir, typ, ext string) (*Model, error) {
	osDir, err := s.Resolve(dir)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(osDir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotFound)
	}
	base := "Untitled"
	switch typ {
	case "notebook", "":
		typ, ext = "notebook", ".ipynb"
	case "directory":
		base, ext = "Untitled Folder", ""
	case "file":
		if ext != "" && !strings.HasPrefix(ext, ".") {
			ext = "." + ext
		}
		if !validExt(ext) {
			return nil, fmt.Errorf("ext %q: a file name suffix such as .txt (letters, digits, - _ .; at most 32): %w", ext, ErrBadModel)
		}
	default:
		return nil, fmt.Errorf("type %q (notebook, file or directory): %w", typ, ErrBadModel)
	}
	d, _ := clean(dir)
	for i := 0; i < maxNameTries; i++ {
		name := base + ext
		if i > 0 {
			name = fmt.Sprintf("%s%d%s", base, i, ext)
			if typ == "directory" {
				name = fmt.Sprintf("%s %d", base, i)
			}
		}
		p := path.Join(d, name)
		osPath := filepath.Join(osDir, name)
		if _, err := os.Lstat(osPath); err == nil {
			continue
		}
		switch typ {
		case "directory":
			err = os.Mkdir(osPath, 0o755)
		case "notebook":
			err = writeNew(osPath, emptyNotebook())
		default:
			err = writeNew(osPath, nil)
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create %s: %w", p, err)
		}
		return s.Get(p, GetOptions{})
	}
	return nil, fmt.Errorf("no free name for %s%s in %s after %d tries: %w", base, ext, dir, maxNameTries, ErrConflict)
}

// maxNameTries bounds the search for a free name (Untitled1, …, -Copy1, …).
const maxNameTries = 10000

// validExt reports whether ext is a plain file name suffix: empty, or a
// dot and up to 31 letters, digits, '-', '_' and '.', never "..".
func validExt(ext string) bool {
	if ext == "" {
		return true
	}
	if len(ext) > 32 || ext[0] != '.' || strings.Contains(ext, "..") {
		return false
	}
	for _, r := range ext[1:] {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// saveChunk takes one piece of a chunked upload (jupyter_server's
// LargeFileManager protocol): piece 1 starts a temporary file beside the
// target, each next piece must be the one expected and is appended, and
// the last (-1) renames the whole into place, so the target is replaced
// only by a complete upload. A piece out of order is refused and the
// upload abandoned (its temporary file removed).
func (s *Store) saveChunk(p, osPath string, chunk int, b []byte) (*Model, error) {
	if s.uploads == nil {
		s.uploads = map[string]*upload{}
	}
	up := s.uploads[p]
	abandon := func() {
		if up != nil {
			os.Remove(up.tmp)
			delete(s.uploads, p)
		}
	}
	switch {
	case chunk == 1:
		abandon()
		f, err := os.CreateTemp(filepath.Dir(osPath), "."+filepath.Base(osPath)+".upload-*")
		if err != nil {
			return nil, fmt.Errorf("upload %s: %w", p, err)
		}
		f.Close()
		up = &upload{tmp: f.Name(), next: 1}
		s.uploads[p] = up
	case up == nil:
		return nil, fmt.Errorf("upload %s: piece %d without piece 1: %w", p, chunk, ErrBadModel)
	case chunk != -1 && chunk != up.next:
		want := up.next
		abandon()
		return nil, fmt.Errorf("upload %s: piece %d out of order (piece %d was expected); the upload was abandoned: %w", p, chunk, want, ErrBadModel)
	case chunk < -1 || chunk == 0:
		abandon()
		return nil, fmt.Errorf("upload %s: piece number %d (1, 2, … or -1 for the last): %w", p, chunk, ErrBadModel)
	}
	f, err := os.OpenFile(up.tmp, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		abandon()
		return nil, fmt.Errorf("upload %s: %w", p, err)
	}
	_, werr := f.Write(b)
	if werr == nil && chunk == -1 {
		werr = f.Sync()
	}
	if err := errors.Join(werr, f.Close()); err != nil {
		abandon()
		return nil, fmt.Errorf("upload %s: %w", p, err)
	}
	if chunk != -1 {
		up.next++
		fi, err := os.Stat(up.tmp)
		if err != nil {
			return nil, fmt.Errorf("upload %s: %w", p, err)
		}
		return baseModel(p, fi, "file"), nil
	}
	delete(s.uploads, p)
	if err := os.Rename(up.tmp, osPath); err != nil {
		os.Remove(up.tmp)
		return nil, fmt.Errorf("upload %s: %w", p, err)
	}
	return s.Get(p, GetOptions{})
}

// writeNew creates a file that must not exist.
func writeNew(osPath string, b []byte) error {
	f, err := os.OpenFile(osPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	return errors.Join(werr, f.Close())
}

func emptyNotebook() []byte {
	nb := &notebook.Notebook{Cells: []notebook.Cell{}, NBFormat: 4, NBFormatMinor: 5, Metadata: map[string]any{
		"kernelspec":    map[string]any{"name": "nmfkernel", "display_name": "Go (nmfkernel)", "language": "go"},
		"language_info": map[string]any{"name": "go", "file_extension": ".go", "mimetype": "text/x-go"},
	}}
	b, _ := nb.Marshal()
	return b
}

// Copy copies the file from to a new file in the folder dir, named as
// Jupyter names copies (name-Copy1.ext, …).
func (s *Store) Copy(from, dir string) (*Model, error) {
	src, err := s.Resolve(from)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", from, ErrNotFound)
	}
	osDir, err := s.Resolve(dir)
	if err != nil {
		return nil, err
	}
	name := path.Base(from)
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if i := strings.LastIndex(stem, "-Copy"); i >= 0 {
		stem = stem[:i]
	}
	d, _ := clean(dir)
	for i := 1; i <= maxNameTries; i++ {
		name := fmt.Sprintf("%s-Copy%d%s", stem, i, ext)
		err := writeNew(filepath.Join(osDir, name), b)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", from, err)
		}
		return s.Get(path.Join(d, name), GetOptions{})
	}
	return nil, fmt.Errorf("no free name for a copy of %s in %s after %d tries: %w", from, dir, maxNameTries, ErrConflict)
}

// Rename moves apiPath to newPath, refusing to replace an existing file.
func (s *Store) Rename(apiPath, newPath string) (*Model, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from, err := s.Resolve(apiPath)
	if err != nil {
		return nil, err
	}
	to, err := s.Resolve(newPath)
	if err != nil {
		return nil, err
	}
	if p, _ := clean(apiPath); p == "" {
		return nil, fmt.Errorf("cannot rename the root: %w", ErrBadModel)
	}
	if _, err := os.Lstat(from); err != nil {
		return nil, fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	if _, err := os.Lstat(to); err == nil {
		return nil, fmt.Errorf("%s already exists: %w", newPath, ErrConflict)
	}
	if err := os.Rename(from, to); err != nil {
		return nil, fmt.Errorf("rename %s to %s: %w", apiPath, newPath, err)
	}
	// The checkpoint follows the file.
	if cp, err := s.checkpointPath(apiPath); err == nil {
		if ncp, err := s.checkpointPath(newPath); err == nil {
			if _, err := os.Stat(cp); err == nil {
				os.MkdirAll(filepath.Dir(ncp), 0o755)
				os.Rename(cp, ncp)
			}
		}
	}
	return s.Get(newPath, GetOptions{})
}

// Delete moves a file or folder to the user's trash, as jupyter_server
// does by default (the freedesktop.org trash; package trash). With the
// trash off (DeletePermanently) or unavailable (another filesystem, no
// home), it deletes a file for good, and a folder only when it holds
// nothing but checkpoints: a folder with anything else in it, hidden files
// included, is refused (ErrBadModel, a 400), so nothing the file browser
// does not show is ever deleted silently.
func (s *Store) Delete(apiPath string) error {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return err
	}
	p, _ := clean(apiPath)
	if p == "" {
		return fmt.Errorf("cannot delete the root: %w", ErrBadModel)
	}
	fi, err := os.Lstat(osPath)
	if err != nil {
		return fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	cp, cpErr := s.checkpointPath(apiPath)
	if !s.permanentDelete {
		_, err := trash.Move(osPath)
		switch {
		case err == nil:
			if cpErr == nil && !fi.IsDir() {
				os.Remove(cp)
			}
			return nil
		case !errors.Is(err, trash.ErrUnavailable):
			return fmt.Errorf("delete %s: %w", apiPath, err)
		}
	}
	if fi.IsDir() {
		entries, err := os.ReadDir(osPath)
		if err != nil {
			return fmt.Errorf("delete %s: %w", apiPath, err)
		}
		for _, e := range entries {
			if e.Name() != checkpointDir {
				why := "the trash is off"
				if !s.permanentDelete {
					why = "there is no trash for it here"
				}
				return fmt.Errorf("directory %s is not empty (it holds %s), and %s: nothing in it was deleted: %w", apiPath, e.Name(), why, ErrBadModel)
			}
		}
		return os.RemoveAll(osPath)
	}
	if cpErr == nil {
		os.Remove(cp)
	}
	if err := os.Remove(osPath); err != nil {
		return fmt.Errorf("delete %s: %w", apiPath, err)
	}
	return nil
}

// checkpointID is the one checkpoint each file has, as jupyter_server's
// file checkpoints.
const checkpointID = "checkpoint"

// checkpointDir is the folder beside a file that holds its checkpoint.
const checkpointDir = ".ipynb_checkpoints"

// checkpointPath is where the checkpoint of apiPath lives:
// .ipynb_checkpoints/name-checkpoint.ext beside it.
func (s *Store) checkpointPath(apiPath string) (string, error) {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return "", err
	}
	name := filepath.Base(osPath)
	ext := filepath.Ext(name)
	return filepath.Join(filepath.Dir(osPath), checkpointDir, strings.TrimSuffix(name, ext)+"-"+checkpointID+ext), nil
}

// CreateCheckpoint saves a copy of the file at apiPath.
func (s *Store) CreateCheckpoint(apiPath string) (*Checkpoint, error) {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(osPath)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", apiPath, ErrNotFound)
	}
	cp, _ := s.checkpointPath(apiPath)
	if err := os.MkdirAll(filepath.Dir(cp), 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", apiPath, err)
	}
	if err := writeFile(cp, b); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", apiPath, err)
	}
	return s.checkpoint(cp)
}

func (s *Store) checkpoint(cp string) (*Checkpoint, error) {
	fi, err := os.Stat(cp)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{ID: checkpointID, LastModified: Stamp(fi.ModTime())}, nil
}

// Checkpoints lists the checkpoints of apiPath (none or one).
func (s *Store) Checkpoints(apiPath string) ([]*Checkpoint, error) {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(osPath); err != nil {
		return nil, fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	cp, _ := s.checkpointPath(apiPath)
	c, err := s.checkpoint(cp)
	if err != nil {
		return []*Checkpoint{}, nil
	}
	return []*Checkpoint{c}, nil
}

// RestoreCheckpoint puts the checkpoint id back in place of the file.
func (s *Store) RestoreCheckpoint(apiPath, id string) error {
	cp, err := s.checkpointPath(apiPath)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(cp)
	if id != checkpointID || err != nil {
		return fmt.Errorf("checkpoint %s of %s: %w", id, apiPath, ErrNotFound)
	}
	osPath, _ := s.Resolve(apiPath)
	if err := writeFile(osPath, b); err != nil {
		return fmt.Errorf("restore %s: %w", apiPath, err)
	}
	return nil
}

// DeleteCheckpoint removes the checkpoint id.
func (s *Store) DeleteCheckpoint(apiPath, id string) error {
	cp, err := s.checkpointPath(apiPath)
	if err != nil {
		return err
	}
	if id != checkpointID {
		return fmt.Errorf("checkpoint %s of %s: %w", id, apiPath, ErrNotFound)
	}
	if err := os.Remove(cp); err != nil {
		return fmt.Errorf("checkpoint %s of %s: %w", id, apiPath, ErrNotFound)
	}
	return nil
}

// Open opens the file at apiPath for reading (the /files/ endpoint).
func (s *Store) Open(apiPath string) (*os.File, fs.FileInfo, error) {
	osPath, err := s.Resolve(apiPath)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(osPath)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", apiPath, ErrNotFound)
	}
	return f, fi, nil
}
