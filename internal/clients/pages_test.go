package clients

import (
	"context"
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/go-cmp/cmp"
)

type armTestPage struct {
	Value []int
	last  bool
}

// armTestPager answers pages of two items; the page numbered failAt (from 1) fails.
func armTestPager(pages, failAt int) *runtime.Pager[armTestPage] {
	n := 0
	return runtime.NewPager(runtime.PagingHandler[armTestPage]{
		More: func(p armTestPage) bool { return !p.last },
		Fetcher: func(context.Context, *armTestPage) (armTestPage, error) {
			n++
			if n == failAt {
				return armTestPage{}, errors.New("page failed")
			}
			return armTestPage{Value: []int{2*n - 1, 2 * n}, last: n == pages}, nil
		},
	})
}

func TestARMItems(t *testing.T) {
	t.Parallel()
	values := func(p armTestPage) []int { return p.Value }
	got, err := ARMItems(t.Context(), armTestPager(3, 0), values)
	if err != nil || !cmp.Equal(got, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("three pages: %v, %v; want the six items in order", got, err)
	}
	got, err = ARMItems(t.Context(), armTestPager(3, 3), values)
	if err == nil || !cmp.Equal(got, []int{1, 2, 3, 4}) {
		t.Errorf("third page failing: %v, %v; want the first two pages' items and the error", got, err)
	}
}

type graphTestPage struct {
	value []string
	next  *string
}

func (p *graphTestPage) GetValue() []string        { return p.value }
func (p *graphTestPage) GetOdataNextLink() *string { return p.next }

// graphTestPageable is the page as the SDK hands it out: an interface, nil when there is no page.
type graphTestPageable = GraphPage[string]

func TestGraphItems(t *testing.T) {
	t.Parallel()
	link := func(s string) *string { return &s }
	pages := map[string]*graphTestPage{
		"p2": {value: []string{"c"}, next: link("p3")},
		"p3": {value: []string{"d", "e"}, next: link("")},
	}
	var asked []string
	next := func(_ context.Context, l string) (graphTestPageable, error) {
		asked = append(asked, l)
		if p, ok := pages[l]; ok {
			return p, nil
		}
		return nil, errors.New("no page " + l)
	}
	var first graphTestPageable = &graphTestPage{value: []string{"a", "b"}, next: link("p2")}

	got, err := GraphItems(t.Context(), first, nil, next)
	if err != nil || !cmp.Equal(got, []string{"a", "b", "c", "d", "e"}) || !cmp.Equal(asked, []string{"p2", "p3"}) {
		t.Errorf("three pages: %v, %v after asking %v; want a to e after asking p2, p3", got, err, asked)
	}
	if got, err := GraphItems(t.Context(), graphTestPageable(nil), nil, next); err != nil || len(got) != 0 {
		t.Errorf("nil first page: %v, %v; want nothing", got, err)
	}
	firstErr := errors.New("first request failed")
	if _, err := GraphItems(t.Context(), first, firstErr, next); !errors.Is(err, firstErr) {
		t.Errorf("first request failed: %v, want its error", err)
	}
	if _, err := GraphItems(t.Context(), graphTestPageable(&graphTestPage{next: link("p9")}), nil, next); err == nil {
		t.Error("a failing next page: no error")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	asked = nil
	if _, err := GraphItems(ctx, first, nil, next); !errors.Is(err, context.Canceled) || len(asked) != 0 {
		t.Errorf("ended context: %v after asking %v; want context.Canceled before any next page", err, asked)
	}
}
