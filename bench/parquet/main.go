//go:build linux

// Command parquet times reading ratings from Parquet against reading the
// same ratings from CSV: it generates ratings of MovieLens-20M's shape
// (138,493 users × 26,744 films, 20,000,263 ratings, 0.5–5 in halves),
// has DuckDB (lib/nmf/testdata/duckdb, npm) write them as Parquet, and
// reads each file with nmf.ReadTriples and nmf.ReadParquet in fresh
// processes, alternating, printing each read's time and peak memory and
// the medians.
//
//	go run ./bench/parquet -runs 3
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"nmfkernel/lib/nmf"
)

func main() {
	runs := flag.Int("runs", 3, "reads of each file")
	dir := flag.String("dir", "", "keep the generated files here (default: a temporary folder, removed)")
	child := flag.String("child", "", "internal: read this file (csv or parquet) and print JSON")
	ratings := flag.Int("ratings", 20000263, "ratings to generate")
	flag.Parse()
	if *child != "" {
		if err := read(*child); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := run(*runs, *dir, *ratings); err != nil {
		fmt.Fprintln(os.Stderr, "parquet:", err)
		os.Exit(1)
	}
}

func run(runs int, dir string, n int) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "bench-parquet-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	csv, pq := filepath.Join(dir, "ratings.csv"), filepath.Join(dir, "ratings.parquet")
	if _, err := os.Stat(csv); err != nil {
		start := time.Now()
		if err := generate(csv, n); err != nil {
			return err
		}
		fmt.Printf("generated %d ratings in %v\n", n, time.Since(start).Round(time.Second))
	}
	if _, err := os.Stat(pq); err != nil {
		duck, _ := filepath.Abs(filepath.Join("lib", "nmf", "testdata", "duckdb"))
		absCSV, _ := filepath.Abs(csv)
		absPQ, _ := filepath.Abs(pq)
		cmd := exec.Command("node", "duckdb.mjs", "convert", absCSV, absPQ)
		cmd.Dir = duck
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("DuckDB (cd lib/nmf/testdata/duckdb && npm ci): %v\n%s", err, out)
		}
	}
	for _, p := range []string{csv, pq} {
		st, _ := os.Stat(p)
		fmt.Printf("%s: %.0f MB\n", filepath.Base(p), float64(st.Size())/(1<<20))
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	times := map[string][]float64{}
	mem := map[string][]float64{}
	for r := 0; r < runs; r++ {
		for _, p := range []string{csv, pq} {
			out, err := exec.Command(exe, "-child", p).Output()
			if err != nil {
				return fmt.Errorf("read %s: %w", p, err)
			}
			var res struct{ Seconds, PeakMB float64 }
			if err := json.Unmarshal(out, &res); err != nil {
				return err
			}
			name := filepath.Ext(p)[1:]
			times[name] = append(times[name], res.Seconds)
			mem[name] = append(mem[name], res.PeakMB)
			fmt.Printf("run %d  %-8s  %6.2f s  peak RSS %5.0f MB\n", r+1, name, res.Seconds, res.PeakMB)
		}
	}
	med := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
	fmt.Printf("\nmedians of %d: ReadTriples (CSV) %.2f s, %.0f MB; ReadParquet %.2f s, %.0f MB (%.2f× the CSV's time)\n",
		runs, med(times["csv"]), med(mem["csv"]), med(times["parquet"]), med(mem["parquet"]), med(times["parquet"])/med(times["csv"]))
	return nil
}

// read reads one file and prints its time and the process's peak memory.
func read(path string) error {
	start := time.Now()
	var m *nmf.Matrix
	var err error
	if strings.HasSuffix(path, ".parquet") {
		m, err = nmf.ReadParquet(path, "userId", "movieId", "rating")
	} else {
		m, err = nmf.ReadTriples(path, "userId", "movieId", "rating")
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	r, c := m.Dims()
	if r == 0 || c == 0 {
		return fmt.Errorf("an empty matrix")
	}
	peak, err := peakMB()
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]float64{"Seconds": secs, "PeakMB": peak})
}

func peakMB() (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM")
}

// generate writes n ratings of MovieLens-20M's shape, users in order and
// each user's films distinct, as userId,movieId,rating lines.
func generate(path string, n int) error {
	const users, films = 138493, 26744
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "userId,movieId,rating,timestamp")
	r := rand.New(rand.NewPCG(20, 16))
	seen := map[int32]bool{}
	written := 0
	for u := 1; u <= users && written < n; u++ {
		per := (n - written) / (users - u + 1)
		clear(seen)
		for k := 0; k < per; k++ {
			var film int32
			for {
				// Popular films more often, as in MovieLens.
				film = int32(float64(films)*r.Float64()*r.Float64()) + 1
				if !seen[film] {
					break
				}
			}
			seen[film] = true
			rating := float64(1+r.IntN(10)) / 2
			fmt.Fprintf(w, "%d,%d,%s,%d\n", u, film, strconv.FormatFloat(rating, 'f', -1, 64), 1400000000+r.IntN(100000000))
			written++
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
