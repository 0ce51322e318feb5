package clients

import "time"

// Clock is the provider's time of day: the "now" it compares with the service's timestamps (a
// schedule's start and end, an activation's age, how long ago a create was sent) and puts into requests
// (a schedule's start). The wall clock in production; test harnesses give the emulator's clock, so the
// provider and the emulated service agree on the time when a test moves it (emulator.Server.AdvanceClock),
// or a clock of their own. How long the provider waits and sleeps (retry intervals, replication windows,
// timeouts) is measured in real elapsed time, which no clock moves.
type Clock interface {
	Now() time.Time
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// WallClock is the real time.
var WallClock Clock = wallClock{}

// Now is the client's time of day (its Clock, or the wall clock).
func (c *Client) Now() time.Time {
	if c == nil || c.clock == nil {
		return time.Now()
	}
	return c.clock.Now()
}
