package nmf

import (
	"errors"
	"fmt"
)

// Errors returned (wrapped) by this package. Test for them with errors.Is.
var (
	// ErrEmpty reports input with no rows, no columns or no data.
	ErrEmpty = errors.New("empty matrix")
	// ErrNegative reports a negative value where NMF needs non-negative data.
	ErrNegative = errors.New("negative value")
	// ErrNotNumber reports a cell that is neither a number nor a missing-value marker.
	ErrNotNumber = errors.New("not a number")
	// ErrNotFinite reports an infinite value.
	ErrNotFinite = errors.New("infinite value")
	// ErrFieldCount reports a CSV row with a different number of fields than the header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrDuplicateLabel reports a row or column label that appears twice.
	ErrDuplicateLabel = errors.New("duplicate label")
	// ErrUnknownLabel reports a row or column label that is not in the matrix.
	ErrUnknownLabel = errors.New("unknown label")
	// ErrShape reports dimensions that do not fit together.
	ErrShape = errors.New("dimension mismatch")
	// ErrOption reports an invalid Options value.
	ErrOption = errors.New("invalid option")
	// ErrNoData reports a fit on a matrix whose cells are all missing.
	ErrNoData = errors.New("no observed values")
	// ErrNotGrouped reports a long-form file streamed by StreamTriples
	// whose lines for one row are not together.
	ErrNotGrouped = errors.New("rows not grouped")
)

// ParseError is returned by ParseCSV, ReadCSV, ParseTriples and ReadTriples
// for input they cannot turn into a matrix. Like encoding/csv's ParseError it
// carries the position: Line is the 1-based line of the input and Column the
// 1-based field number within that line (0 when the error concerns the whole
// line).
type ParseError struct {
	Path   string // file name, empty when parsing from a reader
	Line   int
	Column int
	Err    error
}

// Error formats the error with its file and position.
func (e *ParseError) Error() string {
	where := ""
	if e.Path != "" {
		where = e.Path + ":"
	}
	if e.Column > 0 {
		return fmt.Sprintf("%sline %d, column %d: %v", where, e.Line, e.Column, e.Err)
	}
	return fmt.Sprintf("%sline %d: %v", where, e.Line, e.Err)
}

// Unwrap returns the underlying error, such as ErrNegative.
func (e *ParseError) Unwrap() error { return e.Err }
