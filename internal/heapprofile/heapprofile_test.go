package heapprofile

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestStartWritesProfileAndSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profiles")
	stop := Start(func(name string) (string, bool) { return map[string]string{Env: dir}[name], name == Env }, 10*time.Millisecond)
	defer stop()
	var s *Summary
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		if s, err = Largest(dir); err != nil {
			t.Fatal(err)
		}
		if s != nil && s.PeakLiveBytes > 0 {
			break
		}
		_ = make([]byte, 1<<20) // give the collector something to run for
	}
	if s == nil || s.PID != os.Getpid() || s.PeakLiveBytes == 0 || s.GCCycles == 0 {
		t.Fatalf("summary = %+v, want this process's, after a GC", s)
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("heap-%d.pb.gz", os.Getpid()))); err != nil {
		t.Errorf("no heap profile beside the summary: %v", err)
	}
}
