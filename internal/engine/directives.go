package engine

// Directives are the lines of a cell that are not Go: "!cmd" runs a shell
// command, "%name args" a line directive (%cd, %env, %time, %test,
// %help), and a first line "%%name" makes the whole cell a cell directive
// (%%bash, %%sh, %%time). A directive is recognised only at the start of a
// line (column 1), outside strings and comments, and never where the line
// before leaves a Go expression open (an operator, a comma or an opening
// bracket at its end: "ok := a &&\n!b" is Go), so Go code is never misread.
//
// A cell's line directives and its Go code run in the order they are
// written: the Go between two directives is one run, keeping its lines'
// numbers in the cell, so errors point at the cell's own lines.

import (
	"fmt"
	"strings"
)

// cellPart is a run of Go code or one line directive.
type cellPart struct {
	// code is the cell with every line outside this run blanked (so
	// positions are the cell's), for a Go part.
	code string
	// directive is set for a line directive.
	directive *directive
}

// directive is one "!cmd" or "%name args" line, or a cell's "%%name".
type directive struct {
	line int    // 1-based line in the cell
	name string // "!" for a shell command; else the name after % or %%
	arg  string // the rest of the line, trimmed
	// rest, for a cell directive, is the cell after its first line.
	rest string
	// restLine is the line of the cell where rest starts.
	restLine int
}

// cellPlan is how a cell runs: a cell directive, or parts in order.
type cellPlan struct {
	cell  *directive
	parts []cellPart
}

// hasDirectives reports whether a plan is anything but plain Go.
func (p cellPlan) hasDirectives() bool {
	if p.cell != nil {
		return true
	}
	for _, part := range p.parts {
		if part.directive != nil {
			return true
		}
	}
	return false
}

// planCell splits a cell into its directives and its Go code.
func planCell(code string) cellPlan {
	lines := strings.SplitAfter(code, "\n")
	first := 0
	for first < len(lines) && strings.TrimSpace(lines[first]) == "" {
		first++
	}
	if first < len(lines) && strings.HasPrefix(lines[first], "%%") {
		head := strings.TrimRight(lines[first], "\r\n")
		name, arg, _ := strings.Cut(strings.TrimPrefix(head, "%%"), " ")
		return cellPlan{cell: &directive{
			line: first + 1, name: strings.TrimSpace(name), arg: strings.TrimSpace(arg),
			rest: strings.Join(lines[first+1:], ""), restLine: first + 2,
		}}
	}
	at := directiveLines(code)
	if len(at) == 0 {
		return cellPlan{parts: []cellPart{{code: code}}}
	}
	var plan cellPlan
	var goLines []int // lines (0-based) of the current Go run
	flush := func() {
		if len(goLines) == 0 {
			return
		}
		keep := map[int]bool{}
		nonBlank := false
		for _, l := range goLines {
			keep[l] = true
			if strings.TrimSpace(lines[l]) != "" {
				nonBlank = true
			}
		}
		goLines = nil
		if !nonBlank {
			return
		}
		var b strings.Builder
		for i, l := range lines {
			if keep[i] {
				b.WriteString(l)
			} else if strings.HasSuffix(l, "\n") {
				b.WriteString("\n")
			}
		}
		plan.parts = append(plan.parts, cellPart{code: b.String()})
	}
	for i, l := range lines {
		if !at[i] {
			goLines = append(goLines, i)
			continue
		}
		flush()
		text := strings.TrimRight(l, "\r\n")
		d := &directive{line: i + 1}
		if strings.HasPrefix(text, "!") {
			d.name, d.arg = "!", strings.TrimSpace(text[1:])
		} else {
			name, arg, _ := strings.Cut(strings.TrimPrefix(text, "%"), " ")
			d.name, d.arg = strings.TrimSpace(name), strings.TrimSpace(arg)
		}
		plan.parts = append(plan.parts, cellPart{directive: d})
	}
	flush()
	return plan
}

// directiveLines finds the lines (0-based) that are directives: "!" or
// "%" in column 1, in Go's normal lexical state (not in a string, raw
// string or comment), where the line before does not leave an
// expression open.
func directiveLines(code string) map[int]bool {
	var at map[int]bool
	const (
		normal = iota
		lineComment
		blockComment
		rawString
		interpreted
		runeLit
	)
	state := normal
	line := 0
	var last byte      // the last significant byte in the normal state
	var lastTwo string // and the two before it, for ++ and --
	for i := 0; i < len(code); i++ {
		c := code[i]
		atLineStart := i == 0 || code[i-1] == '\n'
		if atLineStart && state == normal && (c == '!' || c == '%') && !opensExpression(last, lastTwo) {
			if at == nil {
				at = map[int]bool{}
			}
			at[line] = true
			// The directive's text is not Go: skip to the end of its line.
			for i < len(code) && code[i] != '\n' {
				i++
			}
			if i < len(code) {
				line++
			}
			last, lastTwo = 0, ""
			continue
		}
		switch state {
		case normal:
			switch {
			case c == '/' && i+1 < len(code) && code[i+1] == '/':
				state = lineComment
				i++
			case c == '/' && i+1 < len(code) && code[i+1] == '*':
				state = blockComment
				i++
			case c == '`':
				state = rawString
				last = c
			case c == '"':
				state = interpreted
				last = c
			case c == '\'':
				state = runeLit
				last = c
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			default:
				if last != 0 {
					lastTwo = string([]byte{last, c})
				}
				last = c
			}
		case lineComment:
			if c == '\n' {
				state = normal
			}
		case blockComment:
			if c == '*' && i+1 < len(code) && code[i+1] == '/' {
				state = normal
				i++
			}
		case rawString:
			if c == '`' {
				state = normal
			}
		case interpreted, runeLit:
			quote := byte('"')
			if state == runeLit {
				quote = '\''
			}
			if c == '\\' {
				i++
				if i < len(code) && code[i] == '\n' {
					line++
				}
			} else if c == quote || c == '\n' {
				state = normal
			}
		}
		if c == '\n' {
			line++
		}
	}
	return at
}

// opensExpression reports whether a line ending in last (lastTwo being
// its last two significant bytes) continues on the next line.
func opensExpression(last byte, lastTwo string) bool {
	if lastTwo == "++" || lastTwo == "--" {
		return false
	}
	return strings.IndexByte("+-*/%&|^<>=!:,.([{", last) >= 0 && last != 0
}

// directiveHelp lists the directives, one line each (%help).
var directiveHelp = []struct{ name, text string }{
	{"!CMD", "run CMD in the shell (sh -c) in the working folder; output streams, interrupt stops it, a non-zero exit fails the cell"},
	{"%%bash, %%sh", "as the first line: run the rest of the cell as a bash or sh script"},
	{"%cd [DIR]", "change the working folder (of cells and shell commands) to DIR, or to your home; prints it"},
	{"%env", "list the environment; %env NAME shows one variable; %env NAME=VALUE sets it for cells and shell commands"},
	{"%time GO", "run the Go code on the rest of the line and print how long it took"},
	{"%%time", "as the first line: run the rest of the cell and print how long it took"},
	{"%test [flags]", "run the notebook's Test, Benchmark, Example and Fuzz (seed corpus) functions as go test does (-run, -bench, -benchmem, -count, -v, -benchtime, -skip, -short, -failfast)"},
	{"%go get M@V", "pin a module's version for the cell's imports (%go list shows the modules compiled in; handled by the kernel process)"},
	{"%help", "this list"},
}

func helpText() string {
	var b strings.Builder
	b.WriteString("Directives (at the start of a line; everything else is Go):\n")
	for _, h := range directiveHelp {
		fmt.Fprintf(&b, "  %-15s %s\n", h.name, h.text)
	}
	return b.String()
}
