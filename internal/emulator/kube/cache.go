package kube

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// CacheTTLs are the lifetimes of cached authorization decisions in AKS's two layers: guard's own cache,
// and the API server's cache of webhook answers (allowed and denied). A zero lifetime disables a layer.
type CacheTTLs struct {
	Guard        time.Duration // guard --azure.cache-ttl-minutes
	Authorized   time.Duration // kube-apiserver --authorization-webhook-cache-authorized-ttl
	Unauthorized time.Duration // kube-apiserver --authorization-webhook-cache-unauthorized-ttl
}

// AKSCacheTTLs are the lifetimes AKS documents: 3 minutes in guard, 5 minutes in the API server, so a
// decision may outlive a role change (or the end of a PIM activation) by up to 8 minutes.
func AKSCacheTTLs() CacheTTLs {
	return CacheTTLs{Guard: 3 * time.Minute, Authorized: 5 * time.Minute, Unauthorized: 5 * time.Minute}
}

type cached struct {
	d       decision
	expires time.Time
}

// decisionCache holds webhook decisions by subject, action and scope, on the emulator clock.
type decisionCache struct {
	mu      sync.Mutex
	ttl     CacheTTLs
	guard   map[string]cached
	webhook map[string]cached
}

func newDecisionCache(ttl CacheTTLs) *decisionCache {
	c := &decisionCache{}
	c.reset(ttl)
	return c
}

func (c *decisionCache) reset(ttl CacheTTLs) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ttl, c.guard, c.webhook = ttl, map[string]cached{}, map[string]cached{}
}

func cacheKey(principals []string, action, scope string) string {
	p := append([]string(nil), principals[1:]...)
	sort.Strings(p)
	return strings.ToLower(principals[0] + "|" + strings.Join(p, ",") + "|" + action + "|" + scope)
}

// get returns a cached decision and the layer that held it. A guard hit is copied into the API server's
// layer, as the API server caches every webhook answer it receives.
func (c *decisionCache) get(key string, now time.Time) (decision, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.webhook[key]; ok && now.Before(e.expires) {
		return e.d, "API server webhook cache, expires " + e.expires.UTC().Format("15:04:05"), true
	}
	if e, ok := c.guard[key]; ok && now.Before(e.expires) {
		c.putWebhook(key, e.d, now)
		return e.d, "guard cache, expires " + e.expires.UTC().Format("15:04:05"), true
	}
	return decision{}, "", false
}

func (c *decisionCache) put(key string, d decision, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl.Guard > 0 {
		c.guard[key] = cached{d: d, expires: now.Add(c.ttl.Guard)}
	}
	c.putWebhook(key, d, now)
}

func (c *decisionCache) putWebhook(key string, d decision, now time.Time) {
	ttl := c.ttl.Unauthorized
	if d.Allowed {
		ttl = c.ttl.Authorized
	}
	if ttl > 0 {
		c.webhook[key] = cached{d: d, expires: now.Add(ttl)}
	}
}
