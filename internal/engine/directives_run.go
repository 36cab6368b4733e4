package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// directiveError is a directive that failed: an unknown name, a shell
// command that exited non-zero, a %cd to a folder that is not there.
type directiveError struct {
	name string // the error's name: DirectiveError, ShellError
	line int    // the directive's line in the cell
	msg  string
}

func (e *directiveError) Error() string { return e.msg }

// runCode runs a cell: plain Go as before, or its directives and Go runs
// in order.
func (s *Session) runCode(ctx context.Context, seq, count int, code string) error {
	if !strings.ContainsAny(code, "!%") { // most cells: no directive can be there
		return s.runWithImports(ctx, seq, count, code)
	}
	plan := planCell(code)
	if !plan.hasDirectives() {
		return s.runWithImports(ctx, seq, count, code)
	}
	s.result, s.resultIsCall = nil, false
	if plan.cell != nil {
		return s.runCellDirective(ctx, seq, count, code, plan.cell)
	}
	return s.runParts(ctx, seq, count, code, plan.parts)
}

// runParts runs a cell's parts in order, stopping at the first error. The
// last expression's value is shown when the cell ends in Go.
func (s *Session) runParts(ctx context.Context, seq, count int, code string, parts []cellPart) error {
	first := true
	for _, p := range parts {
		s.result, s.resultIsCall = nil, false
		if p.directive != nil {
			if err := s.runDirective(ctx, seq, count, code, p.directive); err != nil {
				return err
			}
			continue
		}
		runSeq := seq
		if !first {
			runSeq = s.nextSeq(count, code)
		}
		first = false
		if err := s.runWithImports(ctx, runSeq, count, p.code); err != nil {
			return err
		}
	}
	return nil
}

// nextSeq numbers another run of the current cell (its code is the
// whole cell's, whose line numbers the run keeps).
func (s *Session) nextSeq(count int, code string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.seqCount[s.seq] = count
	s.seqCode[s.seq] = code
	return s.seq
}

// runCellDirective runs a cell whose first line is %%name.
func (s *Session) runCellDirective(ctx context.Context, seq, count int, code string, d *directive) error {
	switch d.name {
	case "bash", "sh":
		if runtime.GOOS == "windows" {
			return &directiveError{"DirectiveError", d.line, "%%" + d.name + " needs a Unix shell"}
		}
		if d.arg != "" {
			return &directiveError{"DirectiveError", d.line, "%%" + d.name + " takes no arguments (the script is the rest of the cell)"}
		}
		return s.shell(ctx, d, []string{d.name, "-c", d.rest})
	case "time":
		// The rest of the cell, at its own lines, timed.
		rest := strings.Repeat("\n", d.restLine-1) + d.rest
		return s.timed(func() error { return s.runCode(ctx, seq, count, rest) })
	case "":
		return &directiveError{"DirectiveError", d.line, "a cell directive needs a name: %%bash, %%sh or %%time (%help lists them)"}
	}
	return &directiveError{"DirectiveError", d.line, fmt.Sprintf("unknown cell directive %%%%%s: %%%%bash, %%%%sh and %%%%time are known (%%help lists every directive)", d.name)}
}

// runDirective runs one line directive.
func (s *Session) runDirective(ctx context.Context, seq, count int, code string, d *directive) error {
	switch d.name {
	case "!":
		if d.arg == "" {
			return &directiveError{"DirectiveError", d.line, "! needs a command"}
		}
		if runtime.GOOS == "windows" {
			return s.shell(ctx, d, []string{"cmd", "/C", d.arg})
		}
		return s.shell(ctx, d, []string{"sh", "-c", d.arg})
	case "cd":
		return s.changeDir(d)
	case "env":
		return s.env(ctx, d)
	case "time":
		if d.arg == "" {
			return &directiveError{"DirectiveError", d.line, "%time needs Go code on its line (or %%time as a cell's first line to time the cell)"}
		}
		// The code at its own line and column: "%time " becomes spaces.
		lines := strings.Count(code[:lineOffset(code, d.line)], "\n")
		stmt := strings.Repeat("\n", lines) + strings.Repeat(" ", len("%time ")) + d.arg
		return s.timed(func() error {
			return s.runWithImports(ctx, s.nextSeq(count, code), count, stmt)
		})
	case "test":
		return s.runTests(ctx, seq, count, code, d)
	case "help":
		fmt.Fprint(s.stdout, helpText())
		return nil
	case "go":
		return &directiveError{"DirectiveError", d.line, "%go is handled by the kernel process, which builds modules in: run the notebook in one (kernel serve, Jupyter, or kernel run without --in-process)"}
	case "":
		return &directiveError{"DirectiveError", d.line, "a lone % is not a directive (%help lists them)"}
	}
	return &directiveError{"DirectiveError", d.line, fmt.Sprintf("unknown directive %%%s (%%help lists them: %s)", d.name, directiveNames())}
}

func directiveNames() string {
	return "!, %%bash, %%sh, %cd, %env, %time, %%time, %test, %go, %help"
}

// lineOffset is the byte offset of line (1-based) in code.
func lineOffset(code string, line int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(code[off:], '\n')
		if i < 0 {
			return len(code)
		}
		off += i + 1
	}
	return off
}

// shell runs argv in the working folder with the session's environment,
// its output streamed to the cell; an interrupt stops it (its whole
// process group), and a non-zero exit fails the cell.
func (s *Session) shell(ctx context.Context, d *directive, argv []string) error {
	s.flushOutput()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	cmd.Env = s.processEnv()
	cmd.WaitDelay = 2 * time.Second // a background child holding the output open
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return &directiveError{"ShellError", d.line, fmt.Sprintf("cannot run %s: %v", argv[0], err)}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		interruptProcessGroup(cmd)
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			killProcessGroup(cmd)
			<-done
		}
		s.flushOutput()
		return ctx.Err()
	}
	s.flushOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		what := "the command"
		if d.name != "!" {
			what = "the %%" + d.name + " script"
		}
		msg := fmt.Sprintf("%s exited with status %d", what, exit.ExitCode())
		if exit.ExitCode() == 127 {
			msg += " (127: command not found)"
		}
		return &directiveError{"ShellError", d.line, msg}
	}
	if err != nil {
		return &directiveError{"ShellError", d.line, err.Error()}
	}
	return nil
}

// processEnv is the environment shell commands get: the session's.
func (s *Session) processEnv() []string {
	if s.opt.Env != nil {
		return slices.Clone(s.opt.Env)
	}
	return os.Environ()
}

// changeDir is %cd: the kernel's working folder, which cells' relative
// paths and shell commands use.
func (s *Session) changeDir(d *directive) error {
	dir := d.arg
	if dir == "" || dir == "~" || strings.HasPrefix(dir, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return &directiveError{"DirectiveError", d.line, "%cd: no home folder: " + err.Error()}
		}
		dir = filepath.Join(home, strings.TrimPrefix(strings.TrimPrefix(dir, "~"), "/"))
	}
	dir = strings.Trim(dir, `"'`)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		why := "no such folder"
		if err == nil {
			why = "not a folder"
		} else if !os.IsNotExist(err) {
			why = err.Error()
		}
		return &directiveError{"DirectiveError", d.line, fmt.Sprintf("%%cd %s: %s; the working folder is still %s", d.arg, why, cwd())}
	}
	if err := os.Chdir(dir); err != nil {
		return &directiveError{"DirectiveError", d.line, "%cd: " + err.Error()}
	}
	fmt.Fprintln(s.stdout, cwd())
	return nil
}

func cwd() string {
	d, err := os.Getwd()
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return d
}

// env is %env: list, show one, or set a variable for cells (the
// interpreter's environment) and shell commands (the process's).
func (s *Session) env(ctx context.Context, d *directive) error {
	if d.arg == "" {
		v, err := s.eval(ctx, "__nmfkernelOS.Environ()")
		if err != nil {
			return err
		}
		vars, _ := v.Interface().([]string)
		vars = slices.Clone(vars)
		slices.Sort(vars)
		for _, kv := range vars {
			fmt.Fprintln(s.stdout, kv)
		}
		return nil
	}
	name, value, set := strings.Cut(d.arg, "=")
	if !set {
		name, value, set = strings.Cut(d.arg, " ")
	}
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if name == "" || strings.ContainsAny(name, " \t=") {
		return &directiveError{"DirectiveError", d.line, fmt.Sprintf("%%env %s: not a variable name (%%env NAME=VALUE sets one)", d.arg)}
	}
	if !set {
		v, err := s.eval(ctx, fmt.Sprintf("__nmfkernelOS.Getenv(%q)", name))
		if err != nil {
			return err
		}
		fmt.Fprintln(s.stdout, v.Interface())
		return nil
	}
	if _, err := s.eval(ctx, fmt.Sprintf("__nmfkernelOS.Setenv(%q, %q)", name, value)); err != nil {
		return err
	}
	os.Setenv(name, value)
	if s.opt.Env != nil {
		s.opt.Env = slices.DeleteFunc(s.opt.Env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
		s.opt.Env = append(s.opt.Env, name+"="+value)
	}
	fmt.Fprintf(s.stdout, "env: %s=%s\n", name, value)
	return nil
}

// timed runs f and prints its wall and CPU time as IPython's %time does.
func (s *Session) timed(f func() error) error {
	user0, sys0 := cpuTimes()
	t0 := time.Now()
	err := f()
	wall := time.Since(t0)
	user1, sys1 := cpuTimes()
	s.flushOutput()
	if user1 >= 0 {
		user, sys := user1-user0, sys1-sys0
		fmt.Fprintf(s.stdout, "CPU times: user %s, sys %s, total %s\n", shortDuration(user), shortDuration(sys), shortDuration(user+sys))
	}
	fmt.Fprintf(s.stdout, "Wall time: %s\n", shortDuration(wall))
	return err
}

// shortDuration writes d with three significant digits, as IPython's
// %time does ("1.23 ms", "456 µs", "42 µs", "2.5 s").
func shortDuration(d time.Duration) string {
	v := float64(d)
	for _, u := range []struct {
		name  string
		scale float64
	}{{"s", 1e9}, {"ms", 1e6}, {"µs", 1e3}} {
		if v >= u.scale {
			return fmt.Sprintf("%.3g %s", v/u.scale, u.name)
		}
	}
	return fmt.Sprintf("%.3g ns", v)
}
