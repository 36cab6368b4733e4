package trash

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestMove(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" {
		t.Skip("the freedesktop.org trash is for Linux and BSD")
	}
	root := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(root, "share"))
	for i, name := range []string{"a b%.txt", "a b%.txt", "a b%.txt"} {
		p := filepath.Join(root, name)
		os.WriteFile(p, []byte{byte('0' + i)}, 0o644)
		dest, err := Move(p)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"a b%.txt", "a b%.2.txt", "a b%.3.txt"}[i]
		if filepath.Base(dest) != want {
			t.Errorf("trashed as %s, want %s", filepath.Base(dest), want)
		}
		info, err := os.ReadFile(filepath.Join(root, "share", "Trash", "info", want+".trashinfo"))
		if err != nil || !strings.Contains(string(info), "Path="+filepath.ToSlash(root)+"/a%20b%25.txt\n") {
			t.Errorf("record %q %v", info, err)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
	if _, err := Move(filepath.Join(root, "missing")); err == nil {
		t.Error("trashing a missing file succeeded")
	}
}
