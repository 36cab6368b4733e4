// Package proc reads what the benchmarks report of processes from Linux's
// /proc: resident memory, children, and the processes of a kernel.
package proc

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// RSS returns a process's resident set size in kilobytes, or 0.
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// Children lists the running processes whose parent is pid.
func Children(pid int) []int {
	var out []int
	each(func(p int, stat, _ string) {
		if i := strings.LastIndexByte(stat, ')'); i > 0 {
			if f := strings.Fields(stat[i+1:]); len(f) > 1 && f[1] == strconv.Itoa(pid) {
				out = append(out, p)
			}
		}
	})
	return out
}

// Kernel lists the running processes started with kernel id's connection
// file, and the file.
func Kernel(id string) (pids []int, files []string) {
	each(func(p int, _, cmdline string) {
		for _, arg := range strings.Split(cmdline, "\x00") {
			if strings.HasSuffix(arg, "kernel-"+id+".json") {
				pids = append(pids, p)
				files = append(files, arg)
				return
			}
		}
	})
	return pids, files
}

// each calls f for every running (not zombie) process.
func each(f func(pid int, stat, cmdline string)) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil || strings.Contains(string(stat), ") Z ") {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		f(pid, string(stat), string(cmdline))
	}
}
