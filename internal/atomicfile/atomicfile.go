// Package atomicfile writes files through a temporary file in the same
// directory and a rename, so a failed write never leaves a half-written
// file where a good one was.
package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// Write calls write with a temporary file beside path and renames it over
// path when write and the close succeed. The file keeps the mode of the
// file it replaces, or gets 0644.
func Write(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	werr := write(f)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := os.Chmod(tmp, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
