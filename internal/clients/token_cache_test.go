package clients

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

type scriptedCredential struct {
	mu     sync.Mutex
	calls  int
	expiry time.Time
	fail   bool
}

func (c *scriptedCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.fail {
		return azcore.AccessToken{}, errors.New("az: not logged in")
	}
	return azcore.AccessToken{Token: "t", ExpiresOn: c.expiry}, nil
}

func TestTokenCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	inner := &scriptedCredential{expiry: now.Add(time.Hour)}
	cred, ok := NewCachingCredential(inner).(*cachingCredential)
	if !ok {
		t.Fatal("NewCachingCredential does not return the cache")
	}
	cred.now = func() time.Time { return now }
	ctx := t.Context()
	graph := policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}, EnableCAE: true}
	arm := policy.TokenRequestOptions{Scopes: []string{"https://management.core.windows.net//.default"}, EnableCAE: true}

	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cred.GetToken(ctx, graph); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if inner.calls != 1 {
		t.Fatalf("20 concurrent Graph requests made %d token requests, want 1", inner.calls)
	}
	if _, err := cred.GetToken(ctx, arm); err != nil || inner.calls != 2 {
		t.Fatalf("another scope is another token: calls %d, err %v", inner.calls, err)
	}
	withClaims := graph
	withClaims.Claims = `{"access_token":{"nbf":{"essential":true}}}`
	if _, err := cred.GetToken(ctx, withClaims); err != nil || inner.calls != 3 {
		t.Fatalf("a claims challenge bypasses the cached token: calls %d", inner.calls)
	}

	// 56 minutes later the token is inside the 5-minute refresh margin.
	now = now.Add(56 * time.Minute)
	inner.expiry = now.Add(time.Hour)
	if _, err := cred.GetToken(ctx, graph); err != nil || inner.calls != 4 {
		t.Fatalf("refresh before expiry: calls %d, err %v", inner.calls, err)
	}

	// A failed refresh keeps serving the still-valid token and does not hammer the credential.
	now = now.Add(56 * time.Minute)
	inner.fail = true
	for range 5 {
		if _, err := cred.GetToken(ctx, graph); err != nil {
			t.Fatalf("still-valid token not served: %v", err)
		}
	}
	if inner.calls != 5 {
		t.Fatalf("failed refresh retried %d times, want once", inner.calls-4)
	}
	now = now.Add(5 * time.Minute) // expired now
	if _, err := cred.GetToken(ctx, graph); err == nil {
		t.Fatal("an expired token must not be served")
	}
}
