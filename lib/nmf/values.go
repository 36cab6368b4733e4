package nmf

import (
	"math"
	"slices"
)

// Matrices of ratings hold few distinct values (0.5 to 5 in steps of a
// half: ten), and twenty million of them as float64s take 160 MB in each
// of the two layouts a masked fit keeps. Values of a sparse matrix with
// at most maxCodes distinct ones are kept as one-byte codes into a
// dictionary instead: exactly the same values, an eighth of the memory.

// maxCodes is the number of distinct values one-byte codes can name.
const maxCodes = 256

// valueDict numbers distinct values (by their bits, so -0 and 0, and
// NaNs of different payloads, are different values) in the order first
// seen, up to maxCodes of them.
type valueDict struct {
	vals []float64
	// slots is an open-addressing table on the values' bits: code+1 of
	// the value hashed there, 0 for an empty slot. Twice maxCodes slots
	// keep probes short.
	slots [2 * maxCodes]uint16
}

// code returns v's code, numbering it if new, or false when v is new and
// maxCodes values are already numbered.
func (d *valueDict) code(v float64) (uint8, bool) {
	b := math.Float64bits(v)
	h := (b * 0x9e3779b97f4a7c15) >> (64 - 9) // 9 bits: len(slots) == 512
	for {
		s := d.slots[h]
		if s == 0 {
			if len(d.vals) == maxCodes {
				return 0, false
			}
			d.vals = append(d.vals, v)
			d.slots[h] = uint16(len(d.vals))
			return uint8(len(d.vals) - 1), true
		}
		if math.Float64bits(d.vals[s-1]) == b {
			return uint8(s - 1), true
		}
		h = (h + 1) % uint64(len(d.slots))
	}
}

// codedValues is a growing list of values kept as codes while they have
// at most maxCodes distinct ones, and as float64s from the first value
// past that on. Its zero value is an empty coded list.
type codedValues struct {
	vals  []float64 // the values, once plain
	codes []uint8   // value e is dict.vals[codes[e]], while coded
	dict  *valueDict
	plain bool
}

// add appends v.
func (c *codedValues) add(v float64) {
	if !c.plain {
		if c.dict == nil {
			c.dict = new(valueDict)
		}
		if k, ok := c.dict.code(v); ok {
			c.codes = append(c.codes, k)
			return
		}
		c.decode()
	}
	c.vals = append(c.vals, v)
}

// decode turns the list into plain float64s.
func (c *codedValues) decode() {
	c.vals = make([]float64, len(c.codes), cap(c.codes))
	for e, k := range c.codes {
		c.vals[e] = c.dict.vals[k]
	}
	c.codes, c.dict, c.plain = nil, nil, true
}

// grow makes room for n more values.
func (c *codedValues) grow(n int) {
	if c.plain {
		c.vals = slices.Grow(c.vals, n)
		return
	}
	c.codes = slices.Grow(c.codes, n)
}

// list returns the values as a cellList's: plain ones, or codes and their
// dictionary.
func (c *codedValues) list() (vals []float64, codes []uint8, dict []float64) {
	if c.plain {
		return c.vals, nil, nil
	}
	if c.dict == nil {
		return nil, []uint8{}, nil
	}
	return nil, c.codes, c.dict.vals
}

// labelNums is a growing list of label numbers, kept in two bytes each
// while they are below 1<<16 (a piece of a ratings file names a few
// thousand users and films) and in four from the first past that on.
type labelNums struct {
	narrow []uint16
	wide   []int32
	isWide bool
}

// add appends n (0 ≤ n ≤ maxSparseDim).
func (l *labelNums) add(n int) {
	if !l.isWide {
		if n <= math.MaxUint16 {
			l.narrow = append(l.narrow, uint16(n))
			return
		}
		l.wide = make([]int32, len(l.narrow), max(cap(l.narrow), 2*len(l.narrow)))
		for e, m := range l.narrow {
			l.wide[e] = int32(m)
		}
		l.narrow, l.isWide = nil, true
	}
	l.wide = append(l.wide, int32(n))
}

// len returns the number of label numbers listed.
func (l *labelNums) len() int {
	if l.isWide {
		return len(l.wide)
	}
	return len(l.narrow)
}

// grow makes room for n more numbers.
func (l *labelNums) grow(n int) {
	if l.isWide {
		l.wide = slices.Grow(l.wide, n)
		return
	}
	l.narrow = slices.Grow(l.narrow, n)
}

// list returns the numbers, narrow or wide (the other nil).
func (l *labelNums) list() (narrow []uint16, wide []int32) {
	if l.isWide {
		return nil, l.wide
	}
	if l.narrow == nil {
		return []uint16{}, nil
	}
	return l.narrow, nil
}
