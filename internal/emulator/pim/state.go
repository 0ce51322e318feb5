package pim

type state struct{}

func newState() *state { return &state{} }
