package pim

// Summary is a copy of the engine's state for test assertions and the server's Snapshot.
type Summary struct{}

// Summary returns counts and copies of schedules and policies.
func (e *Engine) Summary() Summary {
	return Summary{}
}
