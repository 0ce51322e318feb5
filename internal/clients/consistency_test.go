package clients

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func contextWithTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	t.Helper()
	return context.WithTimeout(t.Context(), d)
}

func TestWaitConsistent(t *testing.T) {
	t.Parallel()
	errBoom := errors.New("boom")
	cases := map[string]struct {
		answers  []any // bool or error, the last repeats
		deadline time.Duration
		wantErr  error
		wantN    int
		wantTime time.Duration
	}{
		"three in a row":             {answers: []any{true}, deadline: time.Minute, wantN: 3, wantTime: 2 * time.Second},
		"a miss resets the streak":   {answers: []any{true, true, false, true, true, true}, deadline: time.Minute, wantN: 6, wantTime: 5 * time.Second},
		"never consistent":           {answers: []any{true, false}, deadline: 9500 * time.Millisecond, wantErr: ErrNotConsistent, wantN: 10, wantTime: 9500 * time.Millisecond},
		"a failure ends the wait":    {answers: []any{true, errBoom}, deadline: time.Minute, wantErr: errBoom, wantN: 2, wantTime: time.Second},
		"deadline exceeded is typed": {answers: []any{false}, deadline: 3500 * time.Millisecond, wantErr: context.DeadlineExceeded, wantN: 4, wantTime: 3500 * time.Millisecond},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := contextWithTimeout(t, tc.deadline)
				defer cancel()
				n := 0
				start := time.Now()
				err := WaitConsistent(ctx, ConsistencyOptions{Successes: 3, Interval: time.Second}, func(context.Context) (bool, error) {
					a := tc.answers[min(n, len(tc.answers)-1)]
					n++
					if e, ok := a.(error); ok {
						return false, e
					}
					b, _ := a.(bool)
					return b, nil
				})
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
				if n != tc.wantN || time.Since(start) != tc.wantTime {
					t.Errorf("%d checks in %v, want %d in %v", n, time.Since(start), tc.wantN, tc.wantTime)
				}
			})
		})
	}
}

func TestRetryFor(t *testing.T) {
	t.Parallel()
	errReplicating := errors.New("PrincipalNotFound")
	errOther := errors.New("bad request")
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		isReplicating := func(err error) bool { return errors.Is(err, errReplicating) }

		n := 0
		err := RetryFor(ctx, time.Minute, 5*time.Second, isReplicating, func(context.Context) error {
			n++
			if n < 4 {
				return errReplicating
			}
			return nil
		})
		if err != nil || n != 4 {
			t.Errorf("recovering op: err %v after %d tries", err, n)
		}

		n = 0
		start := time.Now()
		err = RetryFor(ctx, 12*time.Second, 5*time.Second, isReplicating, func(context.Context) error { n++; return errReplicating })
		if !errors.Is(err, errReplicating) || n != 3 || time.Since(start) != 10*time.Second {
			t.Errorf("window: err %v, %d tries in %v", err, n, time.Since(start))
		}

		n = 0
		err = RetryFor(ctx, time.Minute, time.Second, isReplicating, func(context.Context) error { n++; return errOther })
		if !errors.Is(err, errOther) || n != 1 {
			t.Errorf("non-retryable: err %v after %d tries", err, n)
		}
	})
}
