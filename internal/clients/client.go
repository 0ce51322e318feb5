// Package clients builds the authenticated Microsoft Graph and Azure Resource Manager clients the
// provider uses, once per provider instance: the credential (with a token cache), the Graph service
// client (host allow-list and base URL for any cloud), the ARM clients, one retry decision for both
// pipelines, request logging with secrets removed, error classification, consistency waits and
// $batch (BatchRead packs the reads of concurrent resources into shared batches), the Graph and ARM
// pacers that slow down before a budget runs out, PerInstance and Memo for what a domain package keeps
// for one provider instance (one Terraform command), and the Clock the provider reads the time of day
// from. It knows nothing about AKS or PIM.
package clients

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v6"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
)

// Client is everything a resource needs to talk to Entra ID, Graph and ARM. It is safe for concurrent use.
type Client struct {
	TenantID       string
	SubscriptionID string
	Endpoints      Endpoints

	// graph is the Graph service client, reached through Graph(c); see there why it is not a field.
	graph unsafe.Pointer
	// GraphAdapter is Graph's request adapter, for requests the builders cannot express and for Batch.
	GraphAdapter abstractions.RequestAdapter

	RoleAssignments *armauthorization.RoleAssignmentsClient
	RoleDefinitions *armauthorization.RoleDefinitionsClient
	Permissions     *armauthorization.PermissionsClient
	ManagedClusters *armcontainerservice.ManagedClustersClient
	AgentPools      *armcontainerservice.AgentPoolsClient
	// Schedules are the clients of PIM for Azure resources.
	Schedules *ScheduleClients

	// Consistency are the defaults for WaitConsistent (provider settings consistency_*).
	Consistency ConsistencyOptions
	// PrincipalNotFoundTimeout bounds how long a role assignment create keeps retrying PrincipalNotFound
	// (replication of a new principal) before failing (provider setting principal_not_found_retry_timeout).
	PrincipalNotFoundTimeout time.Duration

	// Credential is the cached credential every pipeline uses.
	Credential azcore.TokenCredential

	// SharedReads lets reads of many resources share requests within this provider instance (provider
	// setting shared_reads): $batch requests packed across resources, one list of the subscription's
	// role assignments or clusters instead of a read per resource.
	SharedReads bool

	clock     Clock
	retry     RetryOptions
	callerMu  sync.Mutex
	callerOID string
	// instance holds the domain packages' per-instance state (PerInstance).
	instance sync.Map
	// collector packs the $batch reads of concurrent callers (BatchRead); pacer slows Graph down when
	// its budget runs low.
	collector batchCollector
	pacer     *graphPacer
}

// Config is what New needs. Credential is required; everything else has a default.
type Config struct {
	TenantID       string
	SubscriptionID string
	Credential     azcore.TokenCredential
	// Endpoints default to the public cloud.
	Endpoints Endpoints
	// UserAgent is "terraform-provider-aks/<version>".
	UserAgent string
	// Transport carries every request (nil: a clone of http.DefaultTransport). Tests inject fakes here.
	Transport http.RoundTripper

	Retry                    RetryOptions
	Consistency              ConsistencyOptions
	PrincipalNotFoundTimeout time.Duration
	// SharedReads: see Client.SharedReads.
	SharedReads bool
	// RedactValues are literal secrets to remove from logs in addition to the ones recognised by name.
	RedactValues []string
	// Clock is the time of day the client's users compare with the service's timestamps (nil: the wall
	// clock); see Clock.
	Clock Clock
}

// DefaultPrincipalNotFoundTimeout is a few minutes: enough for the usual replication delay of a new
// group, short enough that a wrong principal ID fails promptly (azurerm's 30 minutes is the bug).
const DefaultPrincipalNotFoundTimeout = 5 * time.Minute

// New builds the clients. It makes no network call; the first request acquires the first token.
func New(_ context.Context, cfg Config) (*Client, error) {
	if cfg.Credential == nil {
		return nil, errors.New("clients.New: no credential")
	}
	if cfg.Endpoints == (Endpoints{}) {
		cfg.Endpoints, _ = EnvironmentEndpoints(EnvironmentPublic)
	}
	if err := cfg.Endpoints.Validate(); err != nil {
		return nil, err
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-aks/dev"
	}
	if cfg.Transport == nil {
		cfg.Transport = defaultTransport()
	}
	if cfg.Consistency == (ConsistencyOptions{}) {
		cfg.Consistency = DefaultConsistencyOptions()
	}
	if cfg.PrincipalNotFoundTimeout <= 0 {
		cfg.PrincipalNotFoundTimeout = DefaultPrincipalNotFoundTimeout
	}
	retry := cfg.Retry.withDefaults()
	log := newRedactor(cfg.RedactValues...)
	cred := NewCachingCredential(cfg.Credential)

	c := &Client{
		TenantID:                 cfg.TenantID,
		SubscriptionID:           cfg.SubscriptionID,
		Endpoints:                cfg.Endpoints,
		Consistency:              cfg.Consistency,
		PrincipalNotFoundTimeout: cfg.PrincipalNotFoundTimeout,
		Credential:               cred,
		clock:                    cfg.Clock,
		SharedReads:              cfg.SharedReads,
		retry:                    retry,
		pacer:                    &graphPacer{},
	}
	c.collector.c = c
	var err error
	var graph *msgraphsdk.GraphServiceClient
	if graph, c.GraphAdapter, err = newGraph(cred, cfg.Endpoints, cfg.Transport, retry, c.pacer, log, cfg.UserAgent); err != nil {
		return nil, fmt.Errorf("building the Graph client: %w", err)
	}
	c.graph = unsafe.Pointer(graph)
	opts := armOptions(cfg.Endpoints, cfg.Transport, retry, &armPacer{}, log, cfg.UserAgent)
	if c.RoleAssignments, err = armauthorization.NewRoleAssignmentsClient(cfg.SubscriptionID, cred, opts); err != nil {
		return nil, fmt.Errorf("building the role assignments client: %w", err)
	}
	if c.RoleDefinitions, err = armauthorization.NewRoleDefinitionsClient(cred, opts); err != nil {
		return nil, fmt.Errorf("building the role definitions client: %w", err)
	}
	if c.Permissions, err = armauthorization.NewPermissionsClient(cfg.SubscriptionID, cred, opts); err != nil {
		return nil, fmt.Errorf("building the permissions client: %w", err)
	}
	if c.ManagedClusters, err = armcontainerservice.NewManagedClustersClient(cfg.SubscriptionID, cred, opts); err != nil {
		return nil, fmt.Errorf("building the managed clusters client: %w", err)
	}
	if c.AgentPools, err = armcontainerservice.NewAgentPoolsClient(cfg.SubscriptionID, cred, opts); err != nil {
		return nil, fmt.Errorf("building the agent pools client: %w", err)
	}
	if c.Schedules, err = newScheduleClients(cred, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// Graph returns c's Microsoft Graph service client, rooted at {GraphEndpoint}/v1.0, whose token provider
// only trusts the Graph host.
//
// It is a function rather than a field or method of Client to keep the provider binary small. The
// plugin framework's dependencies use reflection to call methods by name (text/template through
// go-plugin's net/rpc, golang.org/x/net/trace through gRPC), so the linker keeps every exported method
// of every type reflection could reach, and a *Client reaches reflection: it is the provider data, an
// interface value. A typed field (or a method returning the service client) makes the whole Graph
// request-builder tree reachable through the service client's methods: the stripped binary was 131 MB
// with the field and is 50 MB without it (make bench). Keep Graph builder types out of Client's fields
// and method signatures.
func Graph(c *Client) *msgraphsdk.GraphServiceClient {
	return (*msgraphsdk.GraphServiceClient)(c.graph)
}

// CallerObjectID is the object ID (oid claim) of the principal the provider authenticates as, read from
// a Graph token (no Graph call) and cached.
func (c *Client) CallerObjectID(ctx context.Context) (string, error) {
	c.callerMu.Lock()
	defer c.callerMu.Unlock()
	if c.callerOID != "" {
		return c.callerOID, nil
	}
	tok, err := c.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.Endpoints.GraphScope()}, EnableCAE: true})
	if err != nil {
		return "", fmt.Errorf("acquiring a Graph token to identify the caller: %w", err)
	}
	claims, err := tokenClaims(tok.Token)
	if err != nil {
		return "", err
	}
	if claims.OID == "" {
		return "", errors.New("the Graph access token has no oid claim")
	}
	c.callerOID = claims.OID
	return c.callerOID, nil
}

type accessTokenClaims struct {
	OID string `json:"oid"`
	TID string `json:"tid"`
}

// tokenClaims decodes (without verifying: the token came from our own credential) a JWT's payload.
func tokenClaims(token string) (accessTokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return accessTokenClaims{}, errors.New("the access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return accessTokenClaims{}, fmt.Errorf("decoding the access token: %w", err)
	}
	var claims accessTokenClaims
	if err := json.Unmarshal(payload, &claims); err != nil {
		return accessTokenClaims{}, fmt.Errorf("decoding the access token claims: %w", err)
	}
	return claims, nil
}
