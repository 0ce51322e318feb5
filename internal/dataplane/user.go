package dataplane

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// User is a scenario user at a terminal of their own: a private HOME (kubectl's discovery cache,
// kubelogin's token cache), their kubeconfig, and their credentials in kubelogin's environment.
type User struct {
	Name string // for transcripts: n01, p01
	dir  string
	env  []string
	bins map[string]string
}

// Options describe how the user's kubelogin signs in.
type Options struct {
	// UPN and Password are the user's, which kubelogin's ropc login reads from the environment.
	UPN, Password string
	// CAFile is the CA bundle to trust (the emulator's); empty trusts the system's.
	CAFile string
}

// NewUser prepares a user's terminal under dir with kubeconfig (already made for ropc).
func NewUser(dir, name string, kubeconfig []byte, o Options) (*User, error) {
	kubectl, err := Kubectl()
	if err != nil {
		return nil, err
	}
	kubelogin, err := Kubelogin()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, ".kube"), 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, ".kube", "config")
	if err := os.WriteFile(path, kubeconfig, 0o600); err != nil {
		return nil, err
	}
	u := &User{Name: name, dir: dir, bins: map[string]string{"kubectl": kubectl, "kubelogin": kubelogin}}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME" || k == "KUBECONFIG" || k == "PATH" || k == "SSL_CERT_FILE" || strings.HasPrefix(k, "XDG_") ||
			strings.HasPrefix(k, "AAD_") || strings.HasPrefix(k, "AZURE_"):
			continue
		}
		u.env = append(u.env, kv)
	}
	// kubectl runs the kubeconfig's `kubelogin`: the pinned one comes first on PATH.
	u.env = append(u.env, "HOME="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, ".cache"), "KUBECONFIG="+path,
		"PATH="+filepath.Dir(kubelogin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AAD_USER_PRINCIPAL_NAME="+o.UPN, "AAD_USER_PRINCIPAL_PASSWORD="+o.Password)
	if o.CAFile != "" {
		u.env = append(u.env, "SSL_CERT_FILE="+o.CAFile)
	}
	return u, nil
}

// Result is one command as a terminal shows it.
type Result struct {
	Args     []string
	Stdout   string
	Stderr   string
	Output   string // stdout and stderr interleaved as written
	ExitCode int
}

// Command is the command line as typed.
func (r Result) Command() string { return "$ " + strings.Join(r.Args, " ") }

// Transcript is the command line and what it printed.
func (r Result) Transcript() string {
	return strings.TrimRight(r.Command()+"\n"+r.Output, "\n")
}

// Run runs kubectl or kubelogin (args[0]) as the user. An error means the command could not run at all;
// a non-zero exit is in the Result.
func (u *User) Run(ctx context.Context, args ...string) (Result, error) {
	res := Result{Args: args}
	bin, ok := u.bins[args[0]]
	if !ok {
		return res, errors.New("dataplane: unknown command " + args[0])
	}
	cmd := exec.CommandContext(ctx, bin, args[1:]...)
	cmd.Env, cmd.Dir = u.env, u.dir
	var out, stdout, stderr bytes.Buffer
	shared := &lockedWriter{w: &out}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(shared, &stdout), io.MultiWriter(shared, &stderr)
	err := cmd.Run()
	res.Stdout, res.Stderr, res.Output = stdout.String(), stderr.String(), out.String()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.ExitCode = ee.ExitCode()
		return res, nil
	}
	return res, err
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
