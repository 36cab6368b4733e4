// Package engine runs notebook cells: one Session holds one yaegi Go
// interpreter whose state (variables, functions, types, imports) persists
// from cell to cell, and Execute runs a cell, streaming its output, rich
// displays and result to a sink as they happen. The engine knows nothing of
// sockets; the Jupyter kernel and the runner wrap it.
//
// # Cells
//
// A cell may mix imports, declarations and statements in any order. It
// is parsed once into one Go file (declarations at the top, statements in
// a function), type-checked whole by go/types against the session's
// package before any of it runs, lowered by text edits into Go yaegi runs
// as Go would (see lowering), and run: a top-level defer runs when the
// cell ends, func main runs once. The last expression statement's value
// is displayed (end the cell with ';' to suppress it); a call returning
// (value, error) displays the value, or makes the error the cell's error.
// Unchanged declarations are no-ops; a changed type rebuilds the
// interpreter from the session's declarations and keeps the values of the
// variables that do not involve it.
//
// # Errors
//
// Compile errors, panics, os.Exit and log.Fatal become a *CellError with a
// traceback whose positions refer to the cells ("cell [3], line 2:5"); the
// session stays usable with its state. A panic in a goroutine that cell
// code started is recovered there and reported; one in a goroutine that
// compiled code started ends the process, which is why the server runs
// every kernel in a process of its own.
//
// # Interrupts
//
// Cancelling Execute's context stops the interpreted code at its next step
// in every goroutine, wakes channel operations, and cancels nmf fits,
// rank scans and time.Sleep calls made from cells. The next cell never
// starts before the stopped code has ended, so its output cannot leak.
package engine
