package emulator

import (
	"errors"
	"time"
)

// Server is a running emulator.
type Server struct {
	cfg Config
}

// Start starts an emulator with cfg. The surface is final; the implementation is being filled in.
func Start(cfg Config) (*Server, error) {
	return nil, errors.New("emulator: not implemented yet")
}

// URL returns the base URL, https://127.0.0.1:PORT.
func (s *Server) URL() string { return "" }

// Env returns the env-file variables in order.
func (s *Server) Env() []EnvVar { return nil }

// WriteEnvFile writes `export NAME=value` lines for Env to path.
func (s *Server) WriteEnvFile(path string) error { return errors.New("not implemented") }

// Fixtures returns the seeded objects.
func (s *Server) Fixtures() Fixtures { return Fixtures{} }

// Now returns the emulator clock.
func (s *Server) Now() time.Time { return time.Now() }

// AdvanceClock moves the emulator clock forward by d.
func (s *Server) AdvanceClock(d time.Duration) {}

// Stats returns request statistics.
func (s *Server) Stats() Stats { return Stats{} }

// ResetStats zeroes the statistics.
func (s *Server) ResetStats() {}

// SetFaults replaces the fault-injection settings.
func (s *Server) SetFaults(f Faults) {}

// SetReplicationDelay changes the replication delay.
func (s *Server) SetReplicationDelay(d time.Duration) {}

// Snapshot returns a deep copy of the world.
func (s *Server) Snapshot() Snapshot { return Snapshot{} }

// Close stops the server and saves the state.
func (s *Server) Close() error { return nil }
