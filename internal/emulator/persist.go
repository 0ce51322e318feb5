package emulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// stateVersion changes when the persisted layout does.
const stateVersion = 2

// persistedState is the --state file: the whole world, the fixtures and the clock offset.
type persistedState struct {
	Version     int             `json:"version"`
	SavedAt     time.Time       `json:"savedAt"`
	ClockOffset time.Duration   `json:"clockOffsetNanos"`
	Fixtures    Fixtures        `json:"fixtures"`
	Directory   json.RawMessage `json:"directory"`
	ARM         json.RawMessage `json:"arm"`
	PIM         json.RawMessage `json:"pim,omitempty"`
	ARMPIM      json.RawMessage `json:"armPim,omitempty"`
}

// stateJSON returns the current world as JSON (also served by GET /_emulator/state).
func (s *Server) stateJSON() ([]byte, error) {
	dir, err := s.dir.MarshalJSON()
	if err != nil {
		return nil, err
	}
	armState, err := s.arm.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var pimState []byte
	if s.pim != nil {
		if pimState, err = s.pim.MarshalJSON(); err != nil {
			return nil, err
		}
	}
	armPIMState, err := s.armpim.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(persistedState{
		Version: stateVersion, SavedAt: s.clock.Now(), ClockOffset: s.clock.Offset(), Fixtures: s.fixtures,
		Directory: dir, ARM: armState, PIM: pimState, ARMPIM: armPIMState,
	}, "", "  ")
}

// saveState writes the world atomically.
func (s *Server) saveState() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	b, err := s.stateJSON()
	if err != nil {
		return err
	}
	return writeFileAtomic(s.cfg.StatePath, ".azemu-state-*", b)
}

// writeFileAtomic replaces path with b through a temporary file (pattern) beside it, so that a reader
// never sees half a file. The file has mode 0600, as os.CreateTemp makes it: both files hold secrets.
func writeFileAtomic(path, pattern string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// markDirty schedules a save; saves coalesce so a burst of changes writes the file once or twice.
func (s *Server) markDirty() {
	if s.cfg.StatePath == "" {
		return
	}
	select {
	case s.dirty <- struct{}{}:
	default:
	}
}

func (s *Server) saver() {
	defer close(s.saverDone)
	for {
		select {
		case <-s.dirty:
			if err := s.saveState(); err != nil && s.cfg.Logf != nil {
				s.cfg.Logf("azemu: saving state: %v", err)
			}
		case <-s.stop:
			return
		}
	}
}
