package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"nmfkernel/lib/nmf"
)

func TestUserCounts(t *testing.T) {
	counts := userCounts(rand.New(rand.NewPCG(20, 20)), ml20)
	total, most := 0, 0
	for _, n := range counts {
		if n < 20 || n > ml20.films/3 {
			t.Fatalf("a user with %d ratings; want 20 to %d", n, ml20.films/3)
		}
		total += n
		most = max(most, n)
	}
	if len(counts) != ml20.users || total != ml20.ratings {
		t.Errorf("%d users with %d ratings, want %d with %d", len(counts), total, ml20.users, ml20.ratings)
	}
	if most < 1000 {
		t.Errorf("the most active user has %d ratings; the tail is not long", most)
	}
}

func TestSortSearch(t *testing.T) {
	cum := []float64{1, 3, 6}
	for _, tc := range []struct {
		x    float64
		want int
	}{{0, 0}, {0.99, 0}, {1, 1}, {2.5, 1}, {3, 2}, {5.9, 2}, {6, 3}} {
		if got := sortSearch(cum, tc.x); got != tc.want {
			t.Errorf("sortSearch(%g) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

// TestChild runs the measuring child's code on a small synthetic set: the
// CSV must read back as the ratings written, and both fits must report.
func TestChild(t *testing.T) {
	dir := t.TempDir()
	small := shape{users: 300, films: 240, ratings: 9000}
	csvPath, binPath := filepath.Join(dir, "ratings.csv"), filepath.Join(dir, "triples.f64")
	sumSq, err := writeSynthetic(csvPath, binPath, small, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nmf.ReadTriples(csvPath, "userId", "movieId", "rating")
	if err != nil {
		t.Fatal(err)
	}
	r, c := m.Dims()
	if stored := r*c - m.Missing(); stored != small.ratings || r != small.users {
		t.Errorf("read %d ratings of %d users, want %d of %d", stored, r, small.ratings, small.users)
	}
	if info, err := os.Stat(binPath); err != nil || info.Size() != int64(24*small.ratings) {
		t.Errorf("triples file: %v, %d bytes, want %d", err, info.Size(), 24*small.ratings)
	}
	saved := childFlags
	defer func() { childFlags = saved }()
	for _, tc := range []struct {
		mode      string
		target    float64
		wantReach bool
	}{
		{"masked", 0, false},
		{"zeros", 0.99, true},  // reached at once
		{"zeros", 1e-9, false}, // never reached
	} {
		childFlags.mode, childFlags.csv, childFlags.target, childFlags.sumSq = tc.mode, csvPath, tc.target, sumSq
		var out bytes.Buffer
		if err := child(&out); err != nil {
			t.Fatalf("%s: %v", tc.mode, err)
		}
		var res childResult
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%s: report %q: %v", tc.mode, out.String(), err)
		}
		if res.Reached != tc.wantReach || res.Iterations == 0 || res.PeakRSSMB <= 0 || res.RelErr <= 0 || res.RelErr >= 1 {
			t.Errorf("%s to %g: %+v", tc.mode, tc.target, res)
		}
	}
}
