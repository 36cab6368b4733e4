package gomod

import (
	"fmt"
	"strings"

	"golang.org/x/mod/module"
)

// Directives are the %go lines of a cell.
type Directives struct {
	// Pins are the modules of `%go get MODULE[@VERSION]...` lines; a
	// version left out is "latest".
	Pins []Module
	// List is set by a `%go list` line: show what the kernel has compiled in.
	List bool
	// Packages are those of `%go import PACKAGE...` lines: compile them
	// in without importing them into the session (kernel run sends it to
	// build once for a whole notebook).
	Packages []string
}

// ParseDirectives finds the %go lines of a cell (a line whose first
// non-blank characters are "%go") and returns them with the cell's code,
// in which each directive line is left blank so that line numbers stay.
func ParseDirectives(code string) (Directives, string, error) {
	var d Directives
	if !strings.Contains(code, "%go") {
		return d, code, nil
	}
	lines := strings.Split(code, "\n")
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "%go" {
			continue
		}
		lines[i] = ""
		if len(f) < 2 {
			return d, "", fmt.Errorf("line %d: %%go needs a subcommand (%%go get MODULE[@VERSION] or %%go list)", i+1)
		}
		switch f[1] {
		case "get":
			if len(f) == 2 {
				return d, "", fmt.Errorf("line %d: %%go get names no module (write %%go get MODULE[@VERSION])", i+1)
			}
			for _, arg := range f[2:] {
				if strings.HasPrefix(arg, "-") {
					return d, "", fmt.Errorf("line %d: %%go get takes modules, not flags (%s)", i+1, arg)
				}
				p, v, _ := strings.Cut(arg, "@")
				if p == "" || module.CheckPath(p) != nil {
					return d, "", fmt.Errorf("line %d: %q is not MODULE[@VERSION]", i+1, arg)
				}
				if v == "" {
					v = "latest"
				}
				d.Pins = append(d.Pins, Module{Path: p, Version: v})
			}
		case "list":
			d.List = true
		case "import":
			for _, arg := range f[2:] {
				if err := module.CheckImportPath(arg); err != nil {
					return d, "", fmt.Errorf("line %d: %%go import takes package paths, not flags or anything else (%s: %v)", i+1, arg, err)
				}
			}
			d.Packages = append(d.Packages, f[2:]...)
		default:
			return d, "", fmt.Errorf("line %d: unknown %%go subcommand %q (there are get, list and import)", i+1, f[1])
		}
	}
	return d, strings.Join(lines, "\n"), nil
}
