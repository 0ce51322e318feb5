package clients

import (
	"context"
	"fmt"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// GraphSendRaw sends a request built by a Graph request builder (ToGetRequestInformation, ...) through
// the same pipeline (token, retries, logging) and returns the JSON body as received, for properties the
// SDK's models cannot carry as sent: the generated enum parsers match one spelling each and yield nil for
// any other. A failure is the SDK's *odataerrors.ODataError, as from the builder itself.
func (c *Client) GraphSendRaw(ctx context.Context, info *abstractions.RequestInformation) ([]byte, error) {
	v, err := c.GraphAdapter.SendPrimitive(ctx, info, "[]byte", abstractions.ErrorMappings{
		"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	})
	if err != nil {
		return nil, err
	}
	b, _ := v.([]byte)
	return b, nil
}

// Decode parses a Graph JSON body into a model, e.g.
// Decode[models.Groupable](body, models.CreateGroupFromDiscriminatorValue).
func Decode[T serialization.Parsable](body []byte, factory serialization.ParsableFactory) (T, error) {
	var zero T
	if len(body) == 0 {
		return zero, fmt.Errorf("the answer has no JSON body")
	}
	node, err := jsonserialization.NewJsonParseNode(body)
	if err != nil {
		return zero, err
	}
	v, err := node.GetObjectValue(factory)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("the answer decoded to %T", v)
	}
	return t, nil
}
