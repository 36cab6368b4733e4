package nmf

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// memoryLimit is the cgroup limit the streamed fit runs under, and
// streamedRatings the ratings of the file it reads (12.6 bytes each: the
// file is 1.3 times the limit).
const (
	memoryLimit     = 96 << 20
	streamedRatings = 10_000_000
)

// TestFitStreamedUnderMemoryLimit fits a ratings file larger than the
// memory the process may use: the child process runs in a cgroup limited
// to 96 MB (cgroup v1's memory controller; the test needs root and skips
// without it).
func TestFitStreamedUnderMemoryLimit(t *testing.T) {
	if path := os.Getenv("NMF_STREAMED_CHILD"); path != "" {
		streamedChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("skipping the memory-limit test in -short mode")
	}
	base := "/sys/fs/cgroup/memory"
	group := filepath.Join(base, fmt.Sprintf("nmfkernel-test-%d", os.Getpid()))
	if err := os.Mkdir(group, 0o755); err != nil {
		t.Skipf("skipping: cannot make a memory cgroup (cgroup v1 and root needed): %v", err)
	}
	defer os.Remove(group)
	if err := os.WriteFile(filepath.Join(group, "memory.limit_in_bytes"), []byte(strconv.Itoa(memoryLimit)), 0o644); err != nil {
		t.Skipf("skipping: cannot limit the cgroup's memory: %v", err)
	}
	path := filepath.Join(t.TempDir(), "ratings.csv")
	writeLargeRatings(t, path, streamedRatings)
	st, _ := os.Stat(path)
	if st.Size() <= memoryLimit {
		t.Fatalf("the file (%d bytes) is not larger than the limit", st.Size())
	}
	// The child is this test binary, or under the race detector (whose
	// shadow memory would make any limit meaningless) a plain build of it.
	bin := os.Args[0]
	if raceBuild {
		bin = filepath.Join(t.TempDir(), "nmf.test")
		if out, err := exec.Command("go", "test", "-c", "-o", bin, "nmfkernel/lib/nmf").CombinedOutput(); err != nil {
			t.Fatalf("build the test binary without the race detector: %v\n%s", err, out)
		}
	}
	// The shell joins the cgroup, then becomes the test binary.
	cmd := exec.Command("sh", "-c", `echo $$ > "$1" && exec "$2" -test.run '^TestFitStreamedUnderMemoryLimit$' -test.v`, "sh",
		filepath.Join(group, "cgroup.procs"), bin)
	cmd.Env = append(os.Environ(), "NMF_STREAMED_CHILD="+path)
	out, err := cmd.CombinedOutput()
	peak, _ := os.ReadFile(filepath.Join(group, "memory.max_usage_in_bytes"))
	failcnt, _ := os.ReadFile(filepath.Join(group, "memory.failcnt"))
	t.Logf("file %d MB; cgroup limit %d MB, peak usage %s bytes (page cache included), %s times at the limit\n%s",
		st.Size()>>20, memoryLimit>>20, strings.TrimSpace(string(peak)), strings.TrimSpace(string(failcnt)), out)
	if err != nil || !strings.Contains(string(out), "streamed fit done") {
		t.Fatalf("the streamed fit did not finish under the limit: %v", err)
	}
}

// streamedChild is the process in the cgroup.
func streamedChild(t *testing.T, path string) {
	src, err := StreamTriples(path, "userId", "movieId", "rating")
	if err != nil {
		t.Fatal(err)
	}
	m, err := FitStreamed(context.Background(), src, StreamedOptions{Components: 10, Passes: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	status, _ := os.ReadFile("/proc/self/status")
	hwm := ""
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			hwm = strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	r, c := src.Dims()
	t.Logf("streamed fit done: %d×%d, %d ratings, %d passes, RelErr %.4f, peak RSS %s", r, c, src.listed, m.Iterations, m.RelErr, hwm)
}

// writeLargeRatings writes n ratings of 40,000 users × 10,000 films,
// grouped by user.
func writeLargeRatings(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "userId,movieId,rating")
	const users, films = 40000, 10000
	r := rand.New(rand.NewPCG(3, 4))
	per := n / users
	seen := make([]int, films+1)
	for u := 1; u <= users; u++ {
		for k := 0; k < per; k++ {
			film := 1 + r.IntN(films)
			for seen[film] == u {
				film = 1 + r.IntN(films)
			}
			seen[film] = u
			fmt.Fprintf(w, "%d,%d,%d\n", u, film, 1+r.IntN(5))
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
