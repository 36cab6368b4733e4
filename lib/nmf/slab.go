package nmf

import "unsafe"

// cellSlab is one allocation for the cells of a large CSV file, 5 bytes
// a cell: first each piece's cells as the reader parses them, in a
// region of its own (row and column label numbers in two bytes each,
// value codes in one), and, once the matrix by row is built from them,
// the matrix by column (row indices in four bytes, value codes in one).
// Reading 20M ratings so leaves no garbage the size of the ratings behind
// it, which with the heap's goal at twice what is live had let a read
// and fit touch more than twice the memory they keep.
//
// Bytes [0, 2n) hold the pieces' row numbers, [2n, 4n) their column
// numbers and [4n, 5n) their codes; later the column layout's indices
// take [0, 4k) and its codes [4n, 4n+k), for k ≤ n cells.
type cellSlab struct {
	words []int32 // 4-byte aligned, as the column indices need
	n     int     // the cells it has room for
}

func newCellSlab(n int) *cellSlab {
	return &cellSlab{words: make([]int32, (5*n+3)/4), n: n}
}

// at returns a pointer to byte off of the slab.
func (s *cellSlab) at(off int) unsafe.Pointer {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(s.words)), off)
}

// piece returns the regions for cells from to from+k, empty, with room
// for k cells each.
func (s *cellSlab) piece(from, k int) (rows, cols []uint16, codes []uint8) {
	if k == 0 {
		return []uint16{}, []uint16{}, []uint8{}
	}
	rows = unsafe.Slice((*uint16)(s.at(2*from)), k)
	cols = unsafe.Slice((*uint16)(s.at(2*s.n+2*from)), k)
	codes = unsafe.Slice((*uint8)(s.at(4*s.n+from)), k)
	return rows[:0], cols[:0], codes[:0]
}

// columns returns the storage of a column layout of k ≤ n cells, once
// the pieces are no longer needed.
func (s *cellSlab) columns(k int) (idx []int32, codes []uint8) {
	if k == 0 {
		return []int32{}, []uint8{}
	}
	return s.words[:k], unsafe.Slice((*uint8)(s.at(4*s.n)), k)
}
