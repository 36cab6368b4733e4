package main

import (
	"math/rand/v2"
	"testing"
)

func TestUserCounts(t *testing.T) {
	counts := userCounts(rand.New(rand.NewPCG(20, 20)))
	total, most := 0, 0
	for _, n := range counts {
		if n < 20 || n > ml20Films/3 {
			t.Fatalf("a user with %d ratings; want 20 to %d", n, ml20Films/3)
		}
		total += n
		most = max(most, n)
	}
	if len(counts) != ml20Users || total != ml20Ratings {
		t.Errorf("%d users with %d ratings, want %d with %d", len(counts), total, ml20Users, ml20Ratings)
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
