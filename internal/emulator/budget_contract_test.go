package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/arm"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/throttle"
)

const armScope = "https://management.core.windows.net//.default"

// TestARMBudgetHeadersWithoutEnforcement: the buckets of the reference's §2.1 feed the remaining-budget
// headers on every answer (reads 250, writes and deletes 200 per principal, the global bucket 15 times
// that), and without enforcement an empty bucket refuses nothing.
func TestARMBudgetHeadersWithoutEnforcement(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{})
	f := srv.Fixtures()
	cred := adminCred(t, srv)
	url := srv.URL() + f.ClusterID + "?api-version=2025-02-01"
	first := rawRequest(t, srv, cred, armScope, http.MethodGet, url)
	if got := first.Header.Get("x-ms-ratelimit-remaining-subscription-reads"); got != "249" {
		t.Errorf("remaining reads after the first read: %q, want 249", got)
	}
	if got := first.Header.Get("x-ms-ratelimit-remaining-subscription-global-reads"); got != "3749" {
		t.Errorf("remaining global reads after the first read: %q, want 3749 (15 x 250 - 1)", got)
	}
	second := rawRequest(t, srv, cred, armScope, http.MethodGet, url)
	if got, _ := strconv.Atoi(second.Header.Get("x-ms-ratelimit-remaining-subscription-reads")); got > 249 {
		t.Errorf("remaining reads after the second read: %d, want at most 249 (a second later the bucket has refilled 25)", got)
	}
	del := rawRequest(t, srv, cred, armScope, http.MethodDelete, srv.URL()+"/subscriptions/"+f.SubscriptionID+
		"/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001?api-version=2022-04-01")
	if got := del.Header.Get("x-ms-ratelimit-remaining-subscription-deletes"); got != "199" {
		t.Errorf("remaining deletes after the first delete: %q, want 199", got)
	}
	// Far past the read bucket, nothing is refused while the budget is not enforced.
	srv.SetThrottling(emulator.Throttling{ARM: arm.Throttling{Reads: throttle.Rate{Size: 2, PerSecond: 0.001}}})
	for i := range 4 {
		if resp := rawRequest(t, srv, cred, armScope, http.MethodGet, url); resp.StatusCode != http.StatusOK {
			t.Fatalf("read %d with an empty, unenforced bucket: %d", i+1, resp.StatusCode)
		}
	}
}

// TestARMBudgetEnforced: with enforcement an empty bucket answers 429 with Retry-After and ARM's
// throttling body; buckets are per principal; the SDK's own retry waits and succeeds.
func TestARMBudgetEnforced(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{Throttling: emulator.Throttling{ARM: arm.Throttling{
		Enforce: true, Reads: throttle.Rate{Size: 3, PerSecond: 1},
	}}})
	f := srv.Fixtures()
	cred := adminCred(t, srv)
	url := srv.URL() + f.ClusterID + "?api-version=2025-02-01"
	var throttled *http.Response
	for i := range 10 {
		resp := rawRequest(t, srv, cred, armScope, http.MethodGet, url)
		if resp.StatusCode == http.StatusTooManyRequests {
			throttled = resp
			if i < 3 {
				t.Errorf("throttled at read %d; the bucket holds 3", i+1)
			}
			break
		}
	}
	if throttled == nil {
		t.Fatal("10 reads into a bucket of 3 refilling 1/s were never throttled")
	}
	if ra, err := strconv.Atoi(throttled.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds >= 1", throttled.Header.Get("Retry-After"))
	}
	if got := throttled.Header.Get("x-ms-ratelimit-remaining-subscription-reads"); got != "0" {
		t.Errorf("remaining reads on the 429: %q, want 0", got)
	}
	if code := errorBody(t, throttled); code != "TooManyRequests" {
		t.Errorf("429 code %q, want TooManyRequests", code)
	}
	if srv.Stats().Throttled["arm"] < 1 {
		t.Errorf("the 429 is not counted: %+v", srv.Stats().Throttled)
	}
	// Another principal has its own bucket (the global one is 15 times larger).
	other := userCred(t, srv, f.N01)
	if resp := rawRequest(t, srv, other, armScope, http.MethodGet, url); resp.StatusCode == http.StatusTooManyRequests {
		t.Errorf("n01 throttled by the admin's bucket")
	}
	// azcore's retry policy reads Retry-After and tries again: the SDK call succeeds after the wait.
	mc, err := armcontainerservice.NewManagedClustersClient(f.SubscriptionID, cred, armOptions(srv))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range 5 {
		if _, err := mc.Get(ctxT(t), f.ResourceGroup, f.ClusterName, nil); err != nil {
			t.Fatalf("SDK read while throttled: %v", err)
		}
	}
	if time.Since(start) < 500*time.Millisecond {
		t.Errorf("5 reads from an empty bucket refilling 1/s took %s: nothing was throttled", time.Since(start))
	}
}

// graphBatch posts a raw JSON $batch and returns the item answers by ID.
func graphBatch(t *testing.T, srv *emulator.Server, token string, items []string) map[string]batchAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/v1.0/$batch", strings.NewReader(`{"requests":[`+strings.Join(items, ",")+`]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("$batch answered %d; throttled items must come back inside a 200", resp.StatusCode)
	}
	var body struct {
		Responses []batchAnswer `json:"responses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	out := map[string]batchAnswer{}
	for _, a := range body.Responses {
		out[a.ID] = a
	}
	return out
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
}

// TestGraphBudgetPerBatchItem: Graph charges each $batch item to the application's budget (§1.5) and
// answers a throttled item, not the batch, with 429, Retry-After and x-ms-throttle-information; PIM
// requests are outside the identity-and-access budget (§1.3); writes have their own quota.
func TestGraphBudgetPerBatchItem(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{Throttling: emulator.Throttling{Graph: emulator.GraphThrottling{
		Enforce: true, ReadRU: throttle.Rate{Size: 6, PerSecond: 0.01}, Writes: throttle.Rate{Size: 2, PerSecond: 0.01},
	}}})
	f := srv.Fixtures()
	tok := plainToken(t, srv)
	var items []string
	for i := range 8 { // 1 RU each ($select)
		items = append(items, fmt.Sprintf(`{"id":"%d","method":"GET","url":"/users/%s?$select=id"}`, i+1, f.N01.ID))
	}
	items = append(items, fmt.Sprintf(`{"id":"pim","method":"GET","url":"/identityGovernance/privilegedAccess/group/eligibilitySchedules?$filter=principalId eq '%s'"}`, f.N01.ID))
	answers := graphBatch(t, srv, tok, items)
	served, throttledN := 0, 0
	for id, a := range answers {
		switch {
		case id == "pim":
			if a.Status != http.StatusOK {
				t.Errorf("PIM item answered %d; PIM is not in the identity-and-access budget", a.Status)
			}
		case a.Status == http.StatusOK:
			served++
			if a.Headers["X-Ms-Resource-Unit"] != "1" {
				t.Errorf("item %s: x-ms-resource-unit %q, want 1", id, a.Headers["X-Ms-Resource-Unit"])
			}
		case a.Status == http.StatusTooManyRequests:
			throttledN++
			if ra, err := strconv.Atoi(a.Headers["Retry-After"]); err != nil || ra < 1 {
				t.Errorf("item %s: Retry-After %q", id, a.Headers["Retry-After"])
			}
			if a.Headers["X-Ms-Throttle-Information"] != "ResourceUnitLimitExceeded" {
				t.Errorf("item %s: x-ms-throttle-information %q", id, a.Headers["X-Ms-Throttle-Information"])
			}
			if !strings.HasPrefix(a.Headers["X-Ms-Throttle-Scope"], "Tenant_Application/Read/"+f.AdminClientID+"/") {
				t.Errorf("item %s: x-ms-throttle-scope %q", id, a.Headers["X-Ms-Throttle-Scope"])
			}
		default:
			t.Errorf("item %s answered %d", id, a.Status)
		}
	}
	if served != 6 || throttledN != 2 {
		t.Errorf("8 one-RU items into a 6 RU bucket: %d served, %d throttled; want 6 and 2", served, throttledN)
	}
	if got := srv.Stats().Throttled["graph"]; got != 2 {
		t.Errorf("throttled items counted: %d, want 2", got)
	}

	// Writes: a separate quota of 2 (each write also costs 1 RU, so give the RU bucket room first). A new
	// rate keeps the bucket's level, which the reads above emptied: refill it, or whether the writes find
	// RU depends on how many milliseconds pass before they arrive.
	srv.SetThrottling(emulator.Throttling{Graph: emulator.GraphThrottling{
		Enforce: true, ReadRU: throttle.Rate{Size: 1000, PerSecond: 1000}, Writes: throttle.Rate{Size: 2, PerSecond: 0.01},
	}})
	srv.RefillBudgets()
	var writes []string
	for i := range 3 {
		writes = append(writes, fmt.Sprintf(`{"id":"w%d","method":"POST","url":"/groups","headers":{"Content-Type":"application/json"},`+
			`"body":{"displayName":"budget-%d","mailEnabled":false,"mailNickname":"budget-%d-%d","securityEnabled":true}}`, i, i, i, time.Now().UnixNano()))
	}
	wa := graphBatch(t, srv, tok, writes)
	created, limited := 0, 0
	for _, a := range wa {
		switch a.Status {
		case http.StatusCreated:
			created++
		case http.StatusTooManyRequests:
			limited++
			if a.Headers["X-Ms-Throttle-Information"] != "WriteLimitExceeded" {
				t.Errorf("throttled write: x-ms-throttle-information %q, want WriteLimitExceeded", a.Headers["X-Ms-Throttle-Information"])
			}
		}
	}
	if created != 2 || limited != 1 {
		t.Errorf("3 group creates into a write quota of 2: %d created, %d throttled", created, limited)
	}
}

// TestGraphBudgetTopLevel: a request outside $batch is charged the same way and answered 429 itself.
func TestGraphBudgetTopLevel(t *testing.T) {
	t.Parallel()
	srv := startEmulator(t, emulator.Config{Throttling: emulator.Throttling{Graph: emulator.GraphThrottling{
		Enforce: true, ReadRU: throttle.Rate{Size: 2.2, PerSecond: 0.01},
	}}})
	tok := plainToken(t, srv)
	// GET users costs 2 RU (listed exception), so the second list does not fit.
	first := doWithToken(t, srv, tok, srv.URL()+"/v1.0/users")
	second := doWithToken(t, srv, tok, srv.URL()+"/v1.0/users")
	if first.StatusCode != http.StatusOK || first.Header.Get("x-ms-resource-unit") != "2" {
		t.Errorf("first users list: %d, x-ms-resource-unit %q; want 200 and 2", first.StatusCode, first.Header.Get("x-ms-resource-unit"))
	}
	if second.StatusCode != http.StatusTooManyRequests || second.Header.Get("Retry-After") == "" {
		t.Errorf("second users list: %d, Retry-After %q; want 429 with Retry-After", second.StatusCode, second.Header.Get("Retry-After"))
	}
	if first.Header.Get("x-ms-throttle-limit-percentage") == "" {
		t.Errorf("no x-ms-throttle-limit-percentage after using 2 of 2.2 RU (above 0.8 of the limit it is sent)")
	}
}
