// Package trash moves files and folders to the user's trash as the
// freedesktop.org Trash specification 1.0 describes it (the home trash,
// $XDG_DATA_HOME/Trash, on the file's own filesystem), so that what a user
// deletes through the server can be restored with any desktop's trash
// can, as jupyter_server's send2trash does.
package trash

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrUnavailable means the file cannot be trashed here: no home trash, a
// trash on another filesystem than the file, or a system without one.
var ErrUnavailable = errors.New("no trash available for it")

// Dir returns the home trash folder: $XDG_DATA_HOME/Trash, by default
// ~/.local/share/Trash.
func Dir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "Trash"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the trash: %w", ErrUnavailable)
	}
	return filepath.Join(home, ".local", "share", "Trash"), nil
}

// Move moves path (a file, or a folder with all it holds, hidden files
// included) to the trash and returns where it went. It writes the
// .trashinfo record first (created exclusively, which reserves the name),
// then renames the file beside it; a rename across filesystems is
// ErrUnavailable and leaves the file where it was.
func Move(path string) (string, error) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return "", fmt.Errorf("trash %s: %w", path, ErrUnavailable)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("trash %s: %w", path, err)
	}
	if _, err := os.Lstat(abs); err != nil {
		return "", fmt.Errorf("trash %s: %w", path, err)
	}
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	files, info := filepath.Join(dir, "files"), filepath.Join(dir, "info")
	for _, d := range []string{files, info} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return "", fmt.Errorf("trash %s: make %s: %w", path, d, ErrUnavailable)
		}
	}
	if !sameDevice(abs, dir) {
		return "", fmt.Errorf("trash %s: the trash %s is on another filesystem: %w", path, dir, ErrUnavailable)
	}
	base := filepath.Base(abs)
	record := "[Trash Info]\nPath=" + escapePath(abs) + "\nDeletionDate=" + time.Now().Format("2006-01-02T15:04:05") + "\n"
	for n := 1; n < 10000; n++ {
		name := base
		if n > 1 {
			ext := filepath.Ext(base)
			name = strings.TrimSuffix(base, ext) + "." + strconv.Itoa(n) + ext
		}
		infoPath := filepath.Join(info, name+".trashinfo")
		f, err := os.OpenFile(infoPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("trash %s: %w", path, err)
		}
		_, werr := f.WriteString(record)
		cerr := f.Close()
		if werr != nil || cerr != nil {
			os.Remove(infoPath)
			return "", fmt.Errorf("trash %s: write %s: %w", path, infoPath, errors.Join(werr, cerr))
		}
		dest := filepath.Join(files, name)
		if _, err := os.Lstat(dest); err == nil {
			// A file without its record: keep both, take the next name.
			os.Remove(infoPath)
			continue
		}
		if err := os.Rename(abs, dest); err != nil {
			os.Remove(infoPath)
			if errors.Is(err, syscall.EXDEV) {
				return "", fmt.Errorf("trash %s: %w", path, ErrUnavailable)
			}
			return "", fmt.Errorf("trash %s: %w", path, err)
		}
		return dest, nil
	}
	return "", fmt.Errorf("trash %s: no free name in %s", path, files)
}

// escapePath writes an absolute path as the specification's Path key
// wants it: each segment percent-encoded (RFC 2396), slashes kept.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
