package orm

import (
	"math"
	"math/rand"
	"testing"
)

// TestIntTableMatchesMap runs random puts, gets, deletes and reserves on an
// intTable and on a map side by side, with keys drawn from serial runs,
// clusters, the whole int64 range and its two ends, and compares every
// answer.
func TestIntTableMatchesMap(t *testing.T) {
	gens := map[string]func(r *rand.Rand, i int) int64{
		"serial":   func(r *rand.Rand, i int) int64 { return int64(i) + 1 },
		"shuffled": func(r *rand.Rand, i int) int64 { return r.Int63n(5000) + 1 },
		"backward": func(r *rand.Rand, i int) int64 { return 100000 - int64(i) },
		"negative": func(r *rand.Rand, i int) int64 { return -r.Int63n(3000) },
		"sparse":   func(r *rand.Rand, i int) int64 { return r.Int63() - r.Int63() },
		"clusters": func(r *rand.Rand, i int) int64 {
			return []int64{0, 1 << 40, -(1 << 50)}[r.Intn(3)] + r.Int63n(500)
		},
		"ends": func(r *rand.Rand, i int) int64 {
			switch r.Intn(4) {
			case 0:
				return math.MaxInt64 - r.Int63n(100)
			case 1:
				return math.MinInt64 + r.Int63n(100)
			case 2:
				return r.Int63n(100)
			}
			return -r.Int63n(100)
		},
	}
	for name, gen := range gens {
		t.Run(name, func(t *testing.T) {
			for seed := int64(1); seed <= 20; seed++ {
				r := rand.New(rand.NewSource(seed))
				var tab intTable
				want := map[int64]*state{}
				states := make([]state, 64)
				for i := 0; i < 3000; i++ {
					k := gen(r, i)
					switch op := r.Intn(10); {
					case op < 5:
						st := &states[r.Intn(len(states))]
						tab.put(k, st)
						want[k] = st
					case op < 8:
						// a key put before, or a new one
						if r.Intn(2) == 0 {
							for kk := range want {
								k = kk
								break
							}
						}
						tab.del(k)
						delete(want, k)
					case op < 9:
						tab.reserve(r.Intn(2000))
					}
					if got := tab.get(k); got != want[k] {
						t.Fatalf("seed %d step %d: get(%d) = %p, want %p", seed, i, k, got, want[k])
					}
					if tab.len() != len(want) {
						t.Fatalf("seed %d step %d: len %d, want %d", seed, i, tab.len(), len(want))
					}
				}
				for k, st := range want {
					if got := tab.get(k); got != st {
						t.Fatalf("seed %d: at the end get(%d) = %p, want %p", seed, k, got, st)
					}
				}
				if len(tab.slots) > 8*(len(want)+64)+4*tab.hint+1<<16 {
					t.Errorf("seed %d: a window of %d slots for %d keys", seed, len(tab.slots), len(want))
				}
			}
		})
	}
	var nilTab *intTable
	if nilTab.get(1) != nil || nilTab.len() != 0 {
		t.Error("a nil table is not empty")
	}
	nilTab.del(1) // no panic
}
