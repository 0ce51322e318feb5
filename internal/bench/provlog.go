package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// providerWaits is what the provider logged at WARN during one command about throttling: how often it
// waited on a 429's Retry-After and for how long in total (summed over Terraform's concurrent
// operations, so it can exceed the wall time), and how many 429s it gave up retrying (the wait would
// have passed the operation's deadline). The benchmark runs Terraform with TF_LOG_PROVIDER=WARN and
// TF_LOG_PATH; the provider logs nothing else at that level in a healthy run.
type providerWaits struct {
	Waits      int           `json:"waits"`
	Waited     time.Duration `json:"waitedNs"`
	Abandoned  int           `json:"abandoned"`
	OtherWarns int           `json:"otherWarnings"`
}

var retryAfterField = regexp.MustCompile(`retry_after_seconds=([0-9.]+)`)

// readProviderWaits parses a Terraform log file; a missing file is no waits.
func readProviderWaits(path string) (providerWaits, error) {
	var w providerWaits
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return w, nil
	}
	if err != nil {
		return w, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "[WARN]") || !strings.Contains(line, "provider") {
			continue
		}
		switch {
		case strings.Contains(line, "Throttled by Azure"):
			w.Waits++
			if m := retryAfterField.FindStringSubmatch(line); m != nil {
				if s, err := strconv.ParseFloat(m[1], 64); err == nil {
					w.Waited += time.Duration(s * float64(time.Second))
				}
			}
		case strings.Contains(line, "Not retrying"):
			w.Abandoned++
		default:
			w.OtherWarns++
		}
	}
	return w, sc.Err()
}
