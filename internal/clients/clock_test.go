package clients

import (
	"testing"
	"time"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// TestClientClock: the client's time of day is the clock it was built with, the wall clock without one.
func TestClientClock(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	c, err := New(t.Context(), Config{Credential: newFakeCredential(), SubscriptionID: "sub-1", Clock: fixedClock(at)})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Now(); !got.Equal(at) {
		t.Errorf("Now() = %v, want the injected %v", got, at)
	}
	wall, err := New(t.Context(), Config{Credential: newFakeCredential(), SubscriptionID: "sub-1"})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(wall.Now()); d < 0 || d > time.Minute {
		t.Errorf("Now() without a clock is %v from the wall clock", d)
	}
	var none *Client
	if d := time.Since(none.Now()); d < 0 || d > time.Minute {
		t.Errorf("a nil client's Now() is %v from the wall clock (validation runs before Configure)", d)
	}
}
