// Package heapprofile is a benchmarking aid of the provider binary, off unless its environment variable
// is set: each provider process then writes the heap profile taken at its largest live heap and its
// memory and GC figures, which `go run ./internal/bench -heap-profiles DIR` collects per Terraform
// command (BENCHMARKS.md). Profiles hold type and function names, never values.
package heapprofile

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Env names the directory where each provider process writes heap-<pid>.pb.gz (`go tool pprof`), its
// goroutines at the same moment (heap-<pid>.goroutines.txt) and heap-<pid>.json (a Summary); unset,
// nothing is sampled or written.
const Env = "AKS_PROVIDER_HEAP_PROFILE_DIR"

// Summary is what the profiler learnt about its process.
type Summary struct {
	PID int `json:"pid"`
	// PeakLiveBytes is the largest heap live after a GC; the profile was written at that point.
	PeakLiveBytes uint64 `json:"peakLiveBytes"`
	// PeakHeapBytes is the largest heap in use (live and garbage not yet collected) seen by sampling,
	// and PeakGoalBytes the largest heap goal: beside PeakLiveBytes they say how much of the peak RSS
	// is GOGC's headroom rather than live data.
	PeakHeapBytes uint64 `json:"peakHeapBytes"`
	PeakGoalBytes uint64 `json:"peakGoalBytes"`
	// TotalAllocBytes is everything allocated; GCCycles the collections; GCCPUSeconds the collector's
	// CPU, of which GCIdleCPUSeconds ran on otherwise idle processors (marking that cost the program
	// nothing); UserCPUSeconds the CPU of the program's own code (the runtime's estimates).
	TotalAllocBytes  uint64  `json:"totalAllocBytes"`
	GCCycles         uint64  `json:"gcCycles"`
	GCCPUSeconds     float64 `json:"gcCpuSeconds"`
	GCIdleCPUSeconds float64 `json:"gcIdleCpuSeconds"`
	UserCPUSeconds   float64 `json:"userCpuSeconds"`
	PeakGoroutines   uint64  `json:"peakGoroutines"`
	MemoryLimit      int64   `json:"memoryLimitBytes"`
}

// GCBusyCPUSeconds is the collector's CPU less its marking on idle processors.
func (s *Summary) GCBusyCPUSeconds() float64 { return s.GCCPUSeconds - s.GCIdleCPUSeconds }

// Start samples the runtime's memory metrics every interval in the background when Env is set. A new
// peak of the live heap (10 % above the last one written) rewrites the profile, and every sample
// rewrites the summary, so the files stay current when Terraform ends the process without warning.
// stop ends the sampling (the provider never calls it: its process ends).
func Start(lookup func(string) (string, bool), interval time.Duration) (stop func()) {
	dir, ok := lookup(Env)
	if !ok || dir == "" {
		return func() {}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", Env, err)
		return func() {}
	}
	p := &profiler{base: filepath.Join(dir, fmt.Sprintf("heap-%d", os.Getpid())), s: Summary{PID: os.Getpid()}}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			p.sample()
			select {
			case <-quit:
				return
			case <-time.After(interval):
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

type profiler struct {
	base    string
	s       Summary
	written uint64
}

// sampled are the runtime/metrics read at each sample, in the order sample uses them.
var sampled = []string{
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/goal:bytes",
	"/gc/heap/allocs:bytes",
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/gc/mark/idle:cpu-seconds",
	"/cpu/classes/user:cpu-seconds",
	"/sched/goroutines:goroutines",
	"/gc/gomemlimit:bytes",
}

func (p *profiler) sample() {
	ms := make([]metrics.Sample, len(sampled))
	for i, name := range sampled {
		ms[i].Name = name
	}
	metrics.Read(ms)
	u := func(i int) uint64 {
		if ms[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return ms[i].Value.Uint64()
	}
	f := func(i int) float64 {
		if ms[i].Value.Kind() != metrics.KindFloat64 {
			return 0
		}
		return ms[i].Value.Float64()
	}
	live := u(0)
	s := &p.s
	s.PeakLiveBytes, s.PeakHeapBytes, s.PeakGoalBytes = max(s.PeakLiveBytes, live), max(s.PeakHeapBytes, u(1)), max(s.PeakGoalBytes, u(2))
	s.TotalAllocBytes, s.GCCycles = u(3), u(4)
	s.GCCPUSeconds, s.GCIdleCPUSeconds, s.UserCPUSeconds = f(5), f(6), f(7)
	s.PeakGoroutines, s.MemoryLimit = max(s.PeakGoroutines, u(8)), int64(u(9))
	if live > p.written+p.written/10 {
		p.written = live
		// debug=0: the gzipped protobuf `go tool pprof` reads; its in-use figures are as of the last GC.
		writeAtomically(p.base+".pb.gz", func(w io.Writer) error { return pprof.Lookup("heap").WriteTo(w, 0) })
		writeAtomically(p.base+".goroutines.txt", func(w io.Writer) error { return pprof.Lookup("goroutine").WriteTo(w, 1) })
	}
	writeAtomically(p.base+".json", func(w io.Writer) error { return json.NewEncoder(w).Encode(s) })
}

// writeAtomically writes a file under a temporary name and renames it: Terraform may end the process
// in the middle of a write, and a reader must never see half a file.
func writeAtomically(path string, write func(io.Writer) error) {
	tmp := path + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return
	}
	err = write(out)
	if cerr := out.Close(); err == nil && cerr == nil {
		_ = os.Rename(tmp, path)
	}
}

// Largest reads the summaries the processes wrote into dir and returns the one with the largest live
// heap (nil when there is none).
func Largest(dir string) (*Summary, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "heap-*.json"))
	if err != nil {
		return nil, err
	}
	var best *Summary
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var s Summary
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if best == nil || s.PeakLiveBytes > best.PeakLiveBytes {
			best = &s
		}
	}
	return best, nil
}
