// Package engine runs notebook cells: one Session holds one yaegi Go
// interpreter whose state (variables, functions, types, imports) persists
// from cell to cell, and Execute runs a cell, streaming its output, rich
// displays and result to a sink as they happen. The engine knows nothing of
// sockets; the Jupyter kernel and the runner wrap it.
//
// # Cells
//
// A cell may mix imports, declarations and statements in any order Go
// allows at the top of a notebook. The engine cuts it into runs of
// declarations and of statements and evaluates them in order; the last
// expression statement's value is displayed (end the cell with ';' to
// suppress it). A call returning (value, error) displays the value, or
// makes the error the cell's error. Redefining a func, var or const takes
// effect; redefining a type rebuilds the interpreter from the session's
// declarations, since yaegi would otherwise keep the old type.
//
// # Errors
//
// Compile errors, panics, os.Exit and log.Fatal become a *CellError with a
// traceback whose positions refer to the cells ("cell [3] line 2:5"); the
// session stays usable with its state. A panic in a goroutine that a cell
// started cannot be recovered in the process: it ends the process, which
// is why the server runs every kernel in a process of its own.
//
// # Interrupts
//
// Cancelling Execute's context stops the interpreted code at its next step
// in every goroutine, wakes channel operations, and cancels nmf fits,
// rank scans and time.Sleep calls made from cells. The next cell never
// starts before the stopped code has ended, so its output cannot leak.
package engine
