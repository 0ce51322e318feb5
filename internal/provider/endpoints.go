package provider

import (
	"context"
	"net/http"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// endpoints composes the cloud: the metadata document (metadata_host) or the named environment, then
// each explicit endpoint setting on top.
func (r resolved) endpoints(ctx context.Context, client *http.Client) (clients.Endpoints, error) {
	var e clients.Endpoints
	if r.metadataHost != "" {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		var err error
		if e, err = clients.DiscoverEndpoints(ctx, r.metadataHost, r.environment.v, client); err != nil {
			return clients.Endpoints{}, err
		}
	} else {
		e, _ = clients.EnvironmentEndpoints(r.environment.v)
	}
	for name, v := range r.overrides {
		switch name {
		case attrAuthorityHost:
			e.AuthorityHost = v
		case attrGraphEndpoint:
			e.GraphEndpoint = v
		case attrGraphAudience:
			e.GraphAudience = v
		case attrResourceManagerEndpoint:
			e.ResourceManagerEndpoint = v
		case attrResourceManagerAudience:
			e.ResourceManagerAudience = v
		}
	}
	return e, e.Validate()
}

// defaultTransport clones http.DefaultTransport so the provider never mutates the shared one.
func defaultTransport() http.RoundTripper {
	if t, ok := http.DefaultTransport.(*http.Transport); ok {
		c := t.Clone()
		c.ResponseHeaderTimeout = 3 * time.Minute
		return c
	}
	return http.DefaultTransport
}
