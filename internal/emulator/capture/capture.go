// Package capture holds a handler's answer back instead of sending it: the $batch handler turns each
// item's answer into a JSON response item, and the front door discards an answer to simulate a response
// lost after the change was made.
package capture

import (
	"bytes"
	"net/http"
)

// Recorder is an http.ResponseWriter that keeps what a handler wrote.
type Recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

// New returns a recorder whose answer starts with header (nil: none) and status 200.
func New(header http.Header) *Recorder {
	if header == nil {
		header = http.Header{}
	}
	return &Recorder{header: header, status: http.StatusOK}
}

func (r *Recorder) Header() http.Header { return r.header }

// WriteHeader keeps the first status written, as net/http does.
func (r *Recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *Recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// Status is the status the handler answered.
func (r *Recorder) Status() int { return r.status }

// Body is what the handler wrote.
func (r *Recorder) Body() []byte { return r.body.Bytes() }

// CopyTo sends the recorded answer to w.
func (r *Recorder) CopyTo(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
