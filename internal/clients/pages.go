package clients

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// ARMItems follows an ARM list to its last page and returns the items of every page (items picks them
// out of a page), in order. On a failed page request it returns the items of the pages before it with
// the error.
func ARMItems[P, T any](ctx context.Context, pager *runtime.Pager[P], items func(P) []T) ([]T, error) {
	var out []T
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return out, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// GraphPage is a page of a Graph collection as the SDK decodes it: its values and @odata.nextLink.
type GraphPage[T any] interface {
	GetValue() []T
	GetOdataNextLink() *string
}

// GraphItems returns the values of page and of the pages after it, each read by next from the previous
// page's @odata.nextLink, in order; a nil page has none. page and err are the answer to the first
// request: with an error, that error is returned. A failed page read, or the end of ctx, ends it with
// that error.
func GraphItems[T any, P GraphPage[T]](ctx context.Context, page P, err error, next func(ctx context.Context, link string) (P, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	var out []T
	for {
		if any(page) == nil {
			return out, nil
		}
		out = append(out, page.GetValue()...)
		link := page.GetOdataNextLink()
		if link == nil || *link == "" {
			return out, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if page, err = next(ctx, *link); err != nil {
			return nil, err
		}
	}
}
