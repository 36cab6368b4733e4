package jupyter

import "sync"

// ReplayGuard remembers the signatures of the messages a kernel accepted,
// so that a signed message captured and sent again (from any socket or
// identity) is refused, as jupyter_client's Session does with its digest
// history. It keeps the last Size signatures.
type ReplayGuard struct {
	Size int // 65536 (jupyter_client's digest_history_size) when zero

	mu    sync.Mutex
	seen  map[string]struct{}
	order []string // ring of the signatures in seen, oldest at next
	next  int
}

// Seen records sig and reports whether it was seen before. An empty
// signature (unsigned messages, no key) is never a replay.
func (g *ReplayGuard) Seen(sig []byte) bool {
	if len(sig) == 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	size := g.Size
	if size <= 0 {
		size = 1 << 16
	}
	if g.seen == nil {
		g.seen = make(map[string]struct{}, min(size, 1024))
	}
	key := string(sig)
	if _, ok := g.seen[key]; ok {
		return true
	}
	if len(g.order) < size {
		g.order = append(g.order, key)
	} else {
		delete(g.seen, g.order[g.next])
		g.order[g.next] = key
		g.next = (g.next + 1) % size
	}
	g.seen[key] = struct{}{}
	return false
}

// Signature returns the signature frame of a wire message, or nil.
func Signature(frames [][]byte) []byte {
	_, rest, err := split(frames)
	if err != nil {
		return nil
	}
	return rest[0]
}
