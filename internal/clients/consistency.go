package clients

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ConsistencyOptions tune WaitConsistent. Entra ID and ARM replicate asynchronously: a write can be
// followed by reads from replicas that have not seen it yet, so a single good read proves little.
type ConsistencyOptions struct {
	// Successes is how many consecutive positive checks make a state "consistent".
	Successes int
	// Interval is the pause between checks.
	Interval time.Duration
	// Timeout bounds the wait when it is shorter than the context's deadline (0: the context only).
	Timeout time.Duration
}

// DefaultConsistencyOptions: the first read that sees the change, polling two seconds apart until one
// does, at most ten minutes. Microsoft's guidance is to trust a write's answer and retry reads that do
// not see it yet; more consecutive reads cost two seconds and a request each on every write (make bench:
// three reads made an apply of 560 resources send 1,120 more requests and sleep 37 minutes in total,
// spread over Terraform's ten workers). Users who want the azuread provider's caution raise the setting.
func DefaultConsistencyOptions() ConsistencyOptions {
	return ConsistencyOptions{Successes: 1, Interval: 2 * time.Second, Timeout: 10 * time.Minute}
}

// ErrNotConsistent is wrapped by WaitConsistent when the deadline passes first.
var ErrNotConsistent = errors.New("the change did not become consistently visible in time")

// WaitConsistent calls check until it reports true opts.Successes times in a row; a false resets the
// count. check should map "not there yet" (e.g. IsNotFound) to false and return an error only for
// failures that waiting cannot fix: that error ends the wait at once. The wait is bounded by ctx and
// opts.Timeout, never by a bare sleep; the first check runs immediately.
func WaitConsistent(ctx context.Context, opts ConsistencyOptions, check func(ctx context.Context) (bool, error)) error {
	d := DefaultConsistencyOptions()
	if opts.Successes < 1 {
		opts.Successes = d.Successes
	}
	if opts.Interval <= 0 {
		opts.Interval = d.Interval
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	streak, checks := 0, 0
	for {
		ok, err := check(ctx)
		checks++
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%w (%d of %d consecutive checks passed after %d checks): %w", ErrNotConsistent, streak, opts.Successes, checks, ctx.Err())
			}
			return err
		}
		if ok {
			streak++
			if streak >= opts.Successes {
				return nil
			}
		} else {
			streak = 0
		}
		if err := sleep(ctx, opts.Interval); err != nil {
			return fmt.Errorf("%w (%d of %d consecutive checks passed after %d checks): %w", ErrNotConsistent, streak, opts.Successes, checks, err)
		}
	}
}

// WaitConsistent is WaitConsistent with the client's configured options.
func (c *Client) WaitConsistent(ctx context.Context, check func(ctx context.Context) (bool, error)) error {
	return WaitConsistent(ctx, c.Consistency, check)
}

// RetryFor repeats op while retryable(err) holds, pausing interval between tries, for at most window
// (and never past ctx). It returns op's last error when the window closes, so the caller can explain
// what kept failing (e.g. PrincipalNotFound after the replication window). interval <= 0 means 5 s.
func RetryFor(ctx context.Context, window, interval time.Duration, retryable func(error) bool, op func(ctx context.Context) error) error {
	if interval <= 0 {
		interval = 5 * time.Second
	}
	deadline := time.Now().Add(window)
	for {
		err := op(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if ctx.Err() != nil || time.Now().Add(interval).After(deadline) {
			return err
		}
		if d, ok := ctx.Deadline(); ok && time.Now().Add(interval).After(d) {
			return err
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// Backoff returns a waiter for polling what the service decides on its own clock (a schedule old enough
// to remove, an approval): each call sleeps, starting at interval (1 s when <= 0) and doubling up to 30 s,
// and returns ctx's error if it ends first.
func Backoff(interval time.Duration) func(ctx context.Context) error {
	d := interval
	if d <= 0 {
		d = time.Second
	}
	return func(ctx context.Context) error {
		if err := sleep(ctx, d); err != nil {
			return err
		}
		d = min(2*d, 30*time.Second)
		return nil
	}
}
