package pim

// ptr and deref bridge the Graph SDK's pointer-typed model fields.
func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
