package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// TestGraphBatch drives $batch through msgraph-sdk-go-core's batch helper: per-item status, dependsOn,
// 424 for a failed dependency, ODataError decoding of a failed item and statistics per item.
func TestGraphBatch(t *testing.T) {
	t.Parallel()
	f := shared.Fixtures()
	g, ctx := adminGraph(t)
	grp := newGroup(t, g, uniqueName("grp-batch"))
	gid := *grp.GetId()

	batch := msgraphcore.NewBatchRequest(g.GetAdapter())
	add := func(ri *abstractions.RequestInformation, err error) msgraphcore.BatchItem {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		item, err := batch.AddBatchRequestStep(*ri)
		if err != nil {
			t.Fatal(err)
		}
		return item
	}
	getGroup := add(g.Groups().ByGroupId(gid).ToGetRequestInformation(ctx, &groups.GroupItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &groups.GroupItemRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}}}))
	addMember := add(g.Groups().ByGroupId(gid).Members().Ref().ToPostRequestInformation(ctx, refBody(f.N01.ID), nil))
	listMembers := add(g.Groups().ByGroupId(gid).Members().ToGetRequestInformation(ctx, nil))
	listMembers.DependsOnItem(addMember)
	addUnknown := add(g.Groups().ByGroupId(gid).Members().Ref().ToPostRequestInformation(ctx, refBody("00000000-0000-0000-0000-00000000dead"), nil))
	dependent := add(g.Groups().ByGroupId(gid).Owners().ToGetRequestInformation(ctx, nil))
	dependent.DependsOnItem(addUnknown)

	before := shared.Stats()
	resp, err := batch.Send(ctx, g.GetAdapter())
	if err != nil {
		t.Fatalf("send batch: %v", err)
	}
	codes := resp.GetStatusCodes()
	want := map[string]int32{*getGroup.GetId(): 200, *addMember.GetId(): 204, *listMembers.GetId(): 200, *addUnknown.GetId(): 404, *dependent.GetId(): 424}
	for id, status := range want {
		if codes[id] != status {
			t.Errorf("item %s: status %d, want %d", id, codes[id], status)
		}
	}
	got, err := msgraphcore.GetBatchResponseById[models.Groupable](resp, *getGroup.GetId(), models.CreateGroupFromDiscriminatorValue)
	if err != nil || *got.GetId() != gid {
		t.Fatalf("GetBatchResponseById: %v", err)
	}
	ml, err := msgraphcore.GetBatchResponseById[models.DirectoryObjectCollectionResponseable](resp, *listMembers.GetId(), models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue)
	if err != nil || len(ml.GetValue()) != 1 {
		t.Fatalf("members via batch: %v", err)
	}
	if _, ok := ml.GetValue()[0].(models.Userable); !ok {
		t.Errorf("batch member is %T, want a user", ml.GetValue()[0])
	}
	// With Graph's error mapping registered, a failed item decodes into an ODataError.
	_ = msgraphcore.RegisterError(msgraphcore.BatchRequestErrorRegistryKey, abstractions.ErrorMappings{
		"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue, "4XX": odataerrors.CreateODataErrorFromDiscriminatorValue, "5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	})
	_, err = msgraphcore.GetBatchResponseById[models.DirectoryObjectable](resp, *addUnknown.GetId(), models.CreateDirectoryObjectFromDiscriminatorValue)
	var oe *odataerrors.ODataError
	if !errorsAs(err, &oe) || oe.GetErrorEscaped() == nil || *oe.GetErrorEscaped().GetCode() != "Request_ResourceNotFound" {
		t.Errorf("failed item decoded as %T: %v", err, err)
	}

	after := shared.Stats()
	if after.BatchItems-before.BatchItems < 4 { // the 424 item never runs
		t.Errorf("batch items counted: %d", after.BatchItems-before.BatchItems)
	}
	if r := after.Routes["POST /v1.0/groups/{id}/members/$ref"]; r.BatchItems < 2 {
		t.Errorf("member adds inside the batch not counted per route: %+v", r)
	}
}

func TestGraphBatchValidation(t *testing.T) {
	t.Parallel()
	w := appWire(t, shared, "https://graph.microsoft.com/.default")
	post := func(body string) (int, string) {
		a := w.do(http.MethodPost, "/v1.0/$batch", body)
		if str(obj(a.Body, "error"), "message") == "" {
			t.Errorf("error body without message: %s", a.Raw)
		}
		return a.Status, str(obj(a.Body, "error"), "code")
	}
	var items []string
	for i := 0; i < 21; i++ {
		items = append(items, fmt.Sprintf(`{"id":"%d","method":"GET","url":"/groups"}`, i))
	}
	if status, code := post(`{"requests":[` + strings.Join(items, ",") + `]}`); status != 400 || code != "BadRequest" {
		t.Errorf("21 requests: %d %s", status, code)
	}
	if status, _ := post(`{"requests":[{"id":"1","method":"GET","url":"/groups"},{"id":"1","method":"GET","url":"/groups"}]}`); status != 400 {
		t.Errorf("duplicate ids: %d", status)
	}
	if status, _ := post(`{"requests":[{"id":"1","method":"POST","url":"/groups","body":{"displayName":"x"}}]}`); status != 400 {
		t.Errorf("body without Content-Type: %d", status)
	}

	// Item headers carry the exact "Content-Type" key the SDK looks up.
	a := w.do(http.MethodPost, "/v1.0/$batch", `{"requests":[{"id":"a","method":"GET","url":"/users/`+shared.Fixtures().N01.ID+`"}]}`)
	var out struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(a.Raw, &out); err != nil || len(out.Responses) != 1 {
		t.Fatalf("batch answer: %v", err)
	}
	if ct := out.Responses[0].Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") || out.Responses[0].Status != 200 {
		t.Errorf("item: status %d headers %v", out.Responses[0].Status, out.Responses[0].Headers)
	}
}

// TestGraphBatchReachesPIM: batch items are dispatched through the whole Graph pipeline, so PIM routes
// work inside a batch too.
func TestGraphBatchReachesPIM(t *testing.T) {
	t.Parallel()
	g := graphFor(t, shared, adminCred(t, shared))
	gid := *newGroup(t, g, uniqueName("grp-batch-pim")).GetId()
	a := appWire(t, shared, "https://graph.microsoft.com/.default").do(http.MethodPost, "/v1.0/$batch",
		`{"requests":[{"id":"p","method":"GET","url":"/policies/roleManagementPolicyAssignments?$filter=scopeId eq '`+gid+`' and scopeType eq 'Group'"}]}`)
	var out struct {
		Responses []struct {
			Status int `json:"status"`
			Body   struct {
				Value []map[string]any `json:"value"`
			} `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(a.Raw, &out); err != nil || len(out.Responses) != 1 {
		t.Fatalf("batch: %v", err)
	}
	if r := out.Responses[0]; r.Status != 200 || len(r.Body.Value) != 2 {
		t.Errorf("policy assignments inside a batch: status %d, %d items", r.Status, len(r.Body.Value))
	}
}
