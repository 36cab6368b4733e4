package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
)

// shape is the size of a synthetic ratings set.
type shape struct{ users, films, ratings int }

// ml20 is MovieLens-20M's shape: 138,493 users, 26,744 films, 20,000,000
// ratings.
var ml20 = shape{users: 138_493, films: 26_744, ratings: 20_000_000}

// writeSynthetic writes ratings with MovieLens-20M's shape and a long-tailed
// popularity, fixed by seed, as a long-form CSV (userId,movieId,rating, one
// rating per line, grouped by user like MovieLens' file) and as raw
// little-endian triples for fit_sklearn.py (see writeTriples). Film
// popularity follows Zipf's law (weight 1/(rank+10)); user activity is
// log-normal with at least 20 ratings per user, as MovieLens keeps only
// users with 20 or more. Ratings are 0.5 to 5 in half steps, from a user
// bias, a film bias and noise.
func writeSynthetic(csvPath, binPath string, sh shape, seed uint64) (sumSq float64, err error) {
	rng := rand.New(rand.NewPCG(seed, 20))
	cum := make([]float64, sh.films) // cumulative popularity
	total := 0.0
	for j := range cum {
		total += 1 / float64(j+10)
		cum[j] = total
	}
	// Films are numbered in a shuffled order so that popularity does not
	// follow the label.
	filmID := rng.Perm(sh.films)
	counts := userCounts(rng, sh)
	filmBias := make([]float64, sh.films)
	for j := range filmBias {
		filmBias[j] = 0.5 * rng.NormFloat64()
	}

	cf, err := os.Create(csvPath)
	if err != nil {
		return 0, err
	}
	defer cf.Close()
	bf, err := os.Create(binPath)
	if err != nil {
		return 0, err
	}
	defer bf.Close()
	cw, bw := bufio.NewWriterSize(cf, 1<<20), bufio.NewWriterSize(bf, 1<<20)
	cw.WriteString("userId,movieId,rating\n")
	seen := make([]bool, sh.films)
	var films []int
	line := make([]byte, 0, 64)
	triple := make([]byte, 24)
	for u, n := range counts {
		films = films[:0]
		for len(films) < n {
			j := min(sortSearch(cum, rng.Float64()*total), sh.films-1)
			if !seen[j] {
				seen[j] = true
				films = append(films, j)
			}
		}
		slices.Sort(films)
		userBias := 3.5 + 0.4*rng.NormFloat64()
		for _, j := range films {
			seen[j] = false
			r := math.Round(2*(userBias+filmBias[j]+0.7*rng.NormFloat64())) / 2
			r = min(max(r, 0.5), 5)
			sumSq += r * r
			line = line[:0]
			line = strconv.AppendInt(line, int64(u+1), 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, int64(filmID[j]+1), 10)
			line = append(line, ',')
			line = strconv.AppendFloat(line, r, 'f', 1, 64)
			line = append(line, '\n')
			cw.Write(line)
			binary.LittleEndian.PutUint64(triple[0:], math.Float64bits(float64(u)))
			binary.LittleEndian.PutUint64(triple[8:], math.Float64bits(float64(filmID[j])))
			binary.LittleEndian.PutUint64(triple[16:], math.Float64bits(r))
			bw.Write(triple)
		}
	}
	if err := cw.Flush(); err != nil {
		return 0, fmt.Errorf("write %s: %w", csvPath, err)
	}
	if err := bw.Flush(); err != nil {
		return 0, fmt.Errorf("write %s: %w", binPath, err)
	}
	return sumSq, nil
}

// userCounts draws each user's number of ratings: log-normal, at least 20,
// at most a third of the films, scaled to sh.ratings in all (which must be
// between 20 and a third of the films per user).
func userCounts(rng *rand.Rand, sh shape) []int {
	raw := make([]float64, sh.users)
	sum := 0.0
	for u := range raw {
		raw[u] = math.Exp(1.2 * rng.NormFloat64())
		sum += raw[u]
	}
	counts := make([]int, sh.users)
	spare := sh.ratings - 20*sh.users
	total := 0
	for u, x := range raw {
		counts[u] = min(20+int(x/sum*float64(spare)), sh.films/3)
		total += counts[u]
	}
	// Hand out what rounding and the cap left, one rating per user in turn.
	for u := 0; total < sh.ratings; u = (u + 1) % sh.users {
		if counts[u] < sh.films/3 {
			counts[u]++
			total++
		}
	}
	return counts
}

// sortSearch returns the first index whose cumulative weight exceeds x.
func sortSearch(cum []float64, x float64) int {
	lo, hi := 0, len(cum)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if cum[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
