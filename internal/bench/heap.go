package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aks-pim/terraform-provider-aks/internal/heapprofile"
	"github.com/aks-pim/terraform-provider-aks/internal/tfrun"
)

// withHeapProfiles returns ws with the provider's profiling hook (internal/heapprofile) pointed at a
// directory of its own for the command about to run, or ws itself without -heap-profiles.
func (b *bencher) withHeapProfiles(ws *tfrun.Workspace, p phase, mode string) (*tfrun.Workspace, string) {
	if b.o.HeapProfiles == "" || mode == modeTerraform {
		return ws, ""
	}
	name := fmt.Sprintf("%02d-%s-%s", len(b.res.Phases)+1, strings.ReplaceAll(string(p), "@", "-at-"), mode)
	dir := filepath.Join(b.o.HeapProfiles, name)
	cp := ws.In(ws.Dir)
	cp.Env = append(cp.Env, heapprofile.Env+"="+dir)
	return cp, dir
}

// readHeap is the summary of the command's provider process with the largest live heap.
func readHeap(dir string) (*heapprofile.Summary, error) {
	if dir == "" {
		return nil, nil
	}
	return heapprofile.Largest(dir)
}

// heapCell renders a table cell from a phase's heap figures ("-" without them).
func heapCell(f func(*heapprofile.Summary) string) func(p phaseResult) string {
	return func(p phaseResult) string {
		if p.Heap == nil {
			return "-"
		}
		return f(p.Heap)
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
