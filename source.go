// Package nmfkernel holds the kernel's own Go source, embedded in the
// binary so that a running kernel can build a copy of itself with the Go
// modules a notebook imports compiled in (see internal/gomod). Test files
// come along with their packages but are not written out.
package nmfkernel

import "embed"

// Source is the module's source: go.mod, go.sum and every package the
// kernel command is built from, with the files they embed.
//
//go:embed go.mod go.sum source.go cmd/kernel/*.go internal/*/*.go internal/gomod/gendecl/*.go lib/*/*.go lib/*/*.s lib/*/*/*.go symbols/*.go symbols/*/*.go symbols/docs/docs.json.gz internal/webapp/dist lib/display/echarts/echarts.min.js
var Source embed.FS
