package clients

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Tokens are refreshed this long before they expire, as azcore's bearer policy does.
const tokenRefreshMargin = 5 * time.Minute

// After a failed refresh of a still-valid token, wait this long before asking the credential again, so
// a broken `az` is not spawned on every request.
const tokenRefreshRetryAfter = 30 * time.Second

// cachingCredential keeps tokens per tenant + scopes + claims + CAE for the life of the provider
// process. The Azure CLI credential and kiota's token provider cache nothing: without this every Graph
// request would run `az account get-access-token`.
type cachingCredential struct {
	inner   azcore.TokenCredential
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*tokenEntry
}

type tokenEntry struct {
	mu          sync.Mutex // serialises refreshes of one key, so concurrent callers share one token request
	token       azcore.AccessToken
	valid       bool
	nextAttempt time.Time
}

// NewCachingCredential wraps cred with the process-wide token cache. New applies it to Config.Credential;
// it is exported for callers that hand a credential to other SDK clients.
func NewCachingCredential(cred azcore.TokenCredential) azcore.TokenCredential {
	if c, ok := cred.(*cachingCredential); ok {
		return c
	}
	return &cachingCredential{inner: cred, now: time.Now, entries: map[string]*tokenEntry{}}
}

func tokenKey(opts policy.TokenRequestOptions) string {
	scopes := slices.Clone(opts.Scopes)
	slices.Sort(scopes)
	return strings.Join([]string{opts.TenantID, strings.Join(scopes, " "), opts.Claims, strconv.FormatBool(opts.EnableCAE)}, "\x00")
}

func (c *cachingCredential) entry(key string) *tokenEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		e = &tokenEntry{}
		c.entries[key] = e
	}
	return e
}

func (c *cachingCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	e := c.entry(tokenKey(opts))
	e.mu.Lock()
	defer e.mu.Unlock()

	now := c.now()
	if e.valid && !needsRefresh(e.token, now) {
		return e.token, nil
	}
	if e.valid && now.Before(e.token.ExpiresOn) && now.Before(e.nextAttempt) {
		return e.token, nil
	}
	tok, err := c.inner.GetToken(ctx, opts)
	if err != nil {
		if e.valid && now.Before(e.token.ExpiresOn) {
			e.nextAttempt = now.Add(tokenRefreshRetryAfter)
			tflog.Warn(ctx, "Token refresh failed; using the cached token until it expires", map[string]any{
				"scopes": strings.Join(opts.Scopes, " "), "expires_on": e.token.ExpiresOn.UTC().Format(time.RFC3339), "error": err.Error(),
			})
			return e.token, nil
		}
		return azcore.AccessToken{}, err
	}
	e.token, e.valid, e.nextAttempt = tok, true, time.Time{}
	tflog.Debug(ctx, "Acquired access token", map[string]any{
		"scopes": strings.Join(opts.Scopes, " "), "expires_on": tok.ExpiresOn.UTC().Format(time.RFC3339),
	})
	return tok, nil
}

func needsRefresh(t azcore.AccessToken, now time.Time) bool {
	if !t.RefreshOn.IsZero() && !now.Before(t.RefreshOn) {
		return true
	}
	return !now.Before(t.ExpiresOn.Add(-tokenRefreshMargin))
}
