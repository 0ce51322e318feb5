package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report prints the readable account of the run and records every expectation that was not met.
type report struct {
	out      io.Writer
	n        int
	start    time.Time
	ready    time.Time // when the provider was built and the emulator up
	stepAt   time.Time
	failures []string
}

func newReport(out io.Writer) *report {
	now := time.Now()
	return &report{out: out, start: now, stepAt: now}
}

// section starts a part of the story (a section of SCENARIO.md).
func (r *report) section(title string) {
	fmt.Fprintf(r.out, "\n== %s\n", title)
}

// step announces what happens next.
func (r *report) step(format string, args ...any) {
	r.n++
	r.stepAt = time.Now()
	fmt.Fprintf(r.out, "%3d. %s\n", r.n, fmt.Sprintf(format, args...))
}

// info adds a line of detail to the current step.
func (r *report) info(format string, args ...any) {
	fmt.Fprintf(r.out, "       %s\n", fmt.Sprintf(format, args...))
}

// expect records whether an expected outcome was met; what says it in the reader's words.
func (r *report) expect(ok bool, what string, args ...any) bool {
	msg := fmt.Sprintf(what, args...)
	if ok {
		fmt.Fprintf(r.out, "       ✔ %s\n", msg)
		return true
	}
	fmt.Fprintf(r.out, "       ✘ %s  <-- NOT AS EXPECTED\n", msg)
	r.failures = append(r.failures, fmt.Sprintf("step %d: %s", r.n, msg))
	return false
}

// fail records an error that stops the step.
func (r *report) fail(err error) {
	fmt.Fprintf(r.out, "       ✘ %v\n", err)
	r.failures = append(r.failures, fmt.Sprintf("step %d: %v", r.n, err))
}

// done closes a step with its duration.
func (r *report) done() {
	fmt.Fprintf(r.out, "       (%s)\n", time.Since(r.stepAt).Round(10*time.Millisecond))
}

func (r *report) ok() bool { return len(r.failures) == 0 }

// yesNo renders an access bit.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// accessMatrix is who can do what in each phase of the story, as each judge (ARM's permissions API,
// kubectl, ssh) says, and what the scenario expects.
type accessMatrix struct {
	phases []string
	rows   []matrixRow
}

type matrixRow struct {
	user, what, judge string
	got, want         map[string]bool
}

func (m *accessMatrix) set(phase, user, what, judge string, got, want bool) {
	found := false
	for _, p := range m.phases {
		if p == phase {
			found = true
		}
	}
	if !found {
		m.phases = append(m.phases, phase)
	}
	for i := range m.rows {
		if m.rows[i].user == user && m.rows[i].what == what && m.rows[i].judge == judge {
			m.rows[i].got[phase], m.rows[i].want[phase] = got, want
			return
		}
	}
	m.rows = append(m.rows, matrixRow{user: user, what: what, judge: judge, got: map[string]bool{phase: got}, want: map[string]bool{phase: want}})
}

// observed is what the judges found for user and capability in phase: true only when every judge
// allowed it (they must agree; a disagreement is reported where it is observed).
func (m *accessMatrix) observed(phase, user, what string) (allowed, ok bool) {
	allowed = true
	for _, row := range m.rows {
		if row.user == user && row.what == what {
			if got, seen := row.got[phase]; seen {
				ok = true
				allowed = allowed && got
			}
		}
	}
	return allowed && ok, ok
}

// print renders the matrix, one line per user, capability and judge (the user and capability written
// once); a cell whose access differs from the expectation is marked with '!'.
func (m *accessMatrix) print(out io.Writer) {
	userW, whatW, judgeW := len("user"), len("can"), len("judge")
	for _, r := range m.rows {
		userW, whatW, judgeW = max(userW, len(r.user)), max(whatW, len(r.what)), max(judgeW, len(r.judge))
	}
	colW := make([]int, len(m.phases))
	for i, p := range m.phases {
		colW[i] = max(len(p), 4)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %-*s  %-*s  %-*s", userW, "user", whatW, "can", judgeW, "judge")
	for i, p := range m.phases {
		fmt.Fprintf(&b, "  %-*s", colW[i], p)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "  %s  %s  %s", strings.Repeat("-", userW), strings.Repeat("-", whatW), strings.Repeat("-", judgeW))
	for i := range m.phases {
		fmt.Fprintf(&b, "  %s", strings.Repeat("-", colW[i]))
	}
	b.WriteString("\n")
	for i, r := range m.rows {
		user, what := r.user, r.what
		if i > 0 && m.rows[i-1].user == r.user && m.rows[i-1].what == r.what {
			user, what = "", ""
		}
		fmt.Fprintf(&b, "  %-*s  %-*s  %-*s", userW, user, whatW, what, judgeW, r.judge)
		for i, p := range m.phases {
			cell := "-"
			if got, ok := r.got[p]; ok {
				cell = yesNo(got)
				if got != r.want[p] {
					cell += "!"
				}
			}
			fmt.Fprintf(&b, "  %-*s", colW[i], cell)
		}
		b.WriteString("\n")
	}
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
}
