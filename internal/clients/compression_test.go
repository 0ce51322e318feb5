package clients

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// Graph request bodies go out uncompressed: kiota's default gzip allocated a new flate writer per
// request (about 800 KB), the largest single allocation of a 560-resource plan in make bench.
func TestGraphRequestBodiesAreNotCompressed(t *testing.T) {
	t.Parallel()
	tr := &fakeTransport{handler: func(r *http.Request, body []byte) *http.Response {
		return jsonResponse(http.StatusCreated, map[string]any{"id": "g-1", "displayName": "x"})
	}}
	c, err := New(t.Context(), Config{Credential: newFakeCredential(), SubscriptionID: "sub-1", Transport: tr})
	if err != nil {
		t.Fatal(err)
	}
	g := models.NewGroup()
	g.SetDisplayName(ptrTo("x"))
	if _, err := Graph(c).Groups().Post(t.Context(), g, nil); err != nil {
		t.Fatal(err)
	}
	seen := tr.requests()
	if len(seen) != 1 {
		t.Fatalf("%d requests, want 1", len(seen))
	}
	if enc := seen[0].Header.Get("Content-Encoding"); enc != "" {
		t.Errorf("Content-Encoding %q, want none", enc)
	}
	var body map[string]any
	if err := json.Unmarshal(seen[0].Body, &body); err != nil || body["displayName"] != "x" {
		t.Errorf("body is not the plain JSON group: %q (%v)", seen[0].Body, err)
	}
}

func ptrTo[T any](v T) *T { return &v }
