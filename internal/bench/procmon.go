package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// procPeak is what the monitor learnt about the processes of one Terraform command.
type procPeak struct {
	// ProviderHWMKB is the largest VmHWM (peak resident set) of any terraform-provider-aks process.
	ProviderHWMKB int64 `json:"providerPeakRssKB"`
	// ProviderCPU is the CPU time (user+system) of the provider processes, summed over processes.
	ProviderCPU time.Duration `json:"providerCpuNs"`
	// ProviderProcesses is how many provider processes Terraform started during the command.
	ProviderProcesses int `json:"providerProcesses"`
	// TerraformHWMKB is the VmHWM of the terraform process itself.
	TerraformHWMKB int64 `json:"terraformPeakRssKB"`
	// TerraformCPU is the CPU time of the terraform process.
	TerraformCPU time.Duration `json:"terraformCpuNs"`
	// BenchCPU is the CPU time of this process (the in-process emulator, mostly) during the command:
	// on a small machine the emulator competes with Terraform and the provider for the same cores.
	BenchCPU time.Duration `json:"benchCpuNs"`
}

// procMonitor samples /proc while a Terraform command runs. VmHWM is the kernel's own high-water mark of
// a process's resident set, so sampling only has to see each process once near its end; it polls
// quickly because the provider processes of validate/plan/apply can be short-lived.
type procMonitor struct {
	rootPID  func() int
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}

	mu        sync.Mutex
	providers map[int]procSample // by pid: the last sample
	terraform procSample
}

type procSample struct {
	hwmKB int64
	cpu   time.Duration
}

// providerBinary is the plugin's executable name (what tfrun.BuildProvider writes).
const providerBinary = "terraform-provider-aks"

// clkTck is USER_HZ, the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux the project runs on.
const clkTck = 100

func startProcMonitor(rootPID func() int, interval time.Duration) *procMonitor {
	m := &procMonitor{rootPID: rootPID, interval: interval, stop: make(chan struct{}), done: make(chan struct{}), providers: map[int]procSample{}}
	go m.loop()
	return m
}

func (m *procMonitor) loop() {
	defer close(m.done)
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		m.sample()
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
	}
}

// Stop ends sampling and returns the peaks seen.
func (m *procMonitor) Stop() procPeak {
	close(m.stop)
	<-m.done
	m.mu.Lock()
	defer m.mu.Unlock()
	p := procPeak{TerraformHWMKB: m.terraform.hwmKB, TerraformCPU: m.terraform.cpu, ProviderProcesses: len(m.providers)}
	for _, s := range m.providers {
		p.ProviderHWMKB = max(p.ProviderHWMKB, s.hwmKB)
		p.ProviderCPU += s.cpu
	}
	return p
}

func (m *procMonitor) sample() {
	root := m.rootPID()
	if root <= 0 {
		return
	}
	if s, ok := readProc(root); ok {
		m.mu.Lock()
		m.terraform = maxSample(m.terraform, s)
		m.mu.Unlock()
	}
	for _, pid := range children(root) {
		if known := m.isKnownProvider(pid); !known && !isProvider(pid) {
			continue
		}
		if s, ok := readProc(pid); ok {
			m.mu.Lock()
			m.providers[pid] = maxSample(m.providers[pid], s)
			m.mu.Unlock()
		}
	}
}

func (m *procMonitor) isKnownProvider(pid int) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.providers[pid]
	return ok
}

// children lists a process's children from /proc/<pid>/task/<tid>/children: a few small reads per
// sample, where scanning all of /proc every 20 ms cost the benchmark more CPU than the provider used
// on a busy machine.
func children(pid int) []int {
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		return nil
	}
	var out []int
	for _, t := range tasks {
		data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "task", t.Name(), "children"))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// isProvider tells the provider plugin among Terraform's children by its executable's name (comm is
// truncated to 15 bytes, so the command line is used).
func isProvider(pid int) bool {
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil {
		return false
	}
	arg0, _, _ := bytes.Cut(cmdline, []byte{0})
	return filepath.Base(string(arg0)) == providerBinary
}

func maxSample(a, b procSample) procSample {
	return procSample{hwmKB: max(a.hwmKB, b.hwmKB), cpu: max(a.cpu, b.cpu)}
}

// readProc reads a process's VmHWM and CPU time.
func readProc(pid int) (procSample, bool) {
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return procSample{}, false
	}
	hwm, ok := parseVmHWM(status)
	if !ok {
		return procSample{}, false
	}
	s := procSample{hwmKB: hwm}
	if stat, err := os.ReadFile(filepath.Join(dir, "stat")); err == nil {
		s.cpu = parseStatCPU(stat)
	}
	return s, true
}

// parseVmHWM extracts VmHWM (kB) from /proc/<pid>/status.
func parseVmHWM(status []byte) (int64, bool) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			return 0, false
		}
		v, err := strconv.ParseInt(string(f[0]), 10, 64)
		return v, err == nil
	}
	return 0, false
}

// parseStatCPU returns utime+stime (fields 14 and 15 of /proc/<pid>/stat).
func parseStatCPU(stat []byte) time.Duration {
	closing := bytes.LastIndexByte(stat, ')')
	if closing < 0 {
		return 0
	}
	f := bytes.Fields(stat[closing+1:])
	// After comm: state(3) ppid(4) ... utime(14) stime(15) → indexes 11 and 12 here.
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+s) * time.Second / clkTck
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
