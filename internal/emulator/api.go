package emulator

import (
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/armpim"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/pim"
)

// EnvVar is one line of the env file (`export Name=Value`).
type EnvVar struct {
	Name  string
	Value string
}

// User is a seeded user account.
type User struct {
	ID          string
	UPN         string
	Password    string
	DisplayName string
}

// Fixtures are the seeded objects tests and the env file refer to.
type Fixtures struct {
	TenantID       string
	SubscriptionID string
	Domain         string // verified domain of the tenant (UPN suffix)
	Location       string

	ClusterID         string // the first cluster (aks-demo)
	ClusterName       string
	ResourceGroup     string
	NodeResourceGroup string
	NodePools         []string
	ClusterIDs        []string // every seeded cluster, ClusterID first

	AdminClientID       string // the admin app (confidential client) ...
	AdminClientSecret   string
	AdminObjectID       string // ... and its service principal's object ID
	AdminCertificatePEM []byte // certificate and PKCS#8 private key of the admin app, for certificate credentials
	FederatedIssuer     string // a federated credential of the admin app: tokens minted by MintFederatedToken
	FederatedSubject    string
	FederatedAudience   string

	PublicClientID string // the public client users sign in through (password grant)
	N01            User   // normal user
	P01            User   // privileged user (approver in the scenario)
}

// Stats are request counts since start or the last reset.
type Stats struct {
	Since       time.Time             `json:"since"`
	Requests    int64                 `json:"requests"`   // HTTP requests to login, Graph and ARM (not the admin API)
	BatchItems  int64                 `json:"batchItems"` // requests carried inside Graph $batch
	Routes      map[string]RouteStats `json:"routes"`     // by "METHOD template", batch items included
	Injected429 int64                 `json:"injected429"`
	Injected5xx int64                 `json:"injected5xx"`
	Dropped     int64                 `json:"dropped"` // writes applied whose connection was then dropped
	// Throttled counts the 429s the budgets answered, by API ("graph", "arm"; $batch items included), and
	// RetryAfterSeconds sums the Retry-After they asked for.
	Throttled         map[string]int64 `json:"throttled,omitempty"`
	RetryAfterSeconds int64            `json:"retryAfterSeconds,omitempty"`
}

// RouteStats counts the requests of one route.
type RouteStats struct {
	Count      int64            `json:"count"`
	BatchItems int64            `json:"batchItems"` // how many of Count came inside a $batch
	Status     map[string]int64 `json:"status"`     // by HTTP status code
}

// Faults are the fault-injection knobs that can change while the emulator runs.
type Faults struct {
	Latency            time.Duration `json:"latency"`
	Rate429            float64       `json:"rate429"`
	Rate5xx            float64       `json:"rate5xx"`
	Status5xx          int           `json:"status5xx,omitempty"` // status of injected 5xx answers; default 503
	RetryAfter         time.Duration `json:"retryAfter"`
	DropAfterWriteRate float64       `json:"dropAfterWriteRate"`
	// Next429 and Next5xx make the next that many Graph/ARM requests (or $batch items) fail that way,
	// deterministically, before the rates apply.
	Next429 int `json:"next429,omitempty"`
	Next5xx int `json:"next5xx,omitempty"`
	// DropNext are one-shot triggers: each drops the connection of the next write matching it, after the
	// write has been applied.
	DropNext []DropRule `json:"dropNext,omitempty"`
}

// DropRule matches a write by method and route template (the statistics label without the method), e.g.
// {"PUT", "{scope...}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"} or
// {"POST", "/v1.0/groups"}. A Route ending in "*" matches templates with that prefix; an empty Route matches all.
type DropRule struct {
	Method string `json:"method"`
	Route  string `json:"route"`
}

// Snapshot is a deep copy of the emulated world for test assertions.
type Snapshot struct {
	Now               time.Time
	Users             []SnapshotUser
	Groups            []SnapshotGroup
	ServicePrincipals []SnapshotServicePrincipal
	RoleAssignments   []SnapshotRoleAssignment
	PIM               pim.Summary
	// ARMPIM is PIM for Azure resources: its schedules, pending approvals and changed policies.
	ARMPIM armpim.Summary
}

// SnapshotUser is a user as stored.
type SnapshotUser struct {
	ID, UserPrincipalName, DisplayName string
	Deleted                            bool
}

// SnapshotGroup is a group with its relationships as effective now.
type SnapshotGroup struct {
	ID, DisplayName, Description, MailNickname string
	SecurityEnabled, MailEnabled               bool
	Deleted                                    bool
	Members, Owners                            []string // effective now: direct and active time-bound
	TimedMembers, TimedOwners                  []SnapshotTimedRelationship
}

// SnapshotTimedRelationship is a time-bound (PIM) membership or ownership.
type SnapshotTimedRelationship struct {
	PrincipalID string
	Start, End  time.Time
	ScheduleID  string
}

// SnapshotServicePrincipal is a service principal with its Graph application permissions.
type SnapshotServicePrincipal struct {
	ID, AppID, DisplayName string
	GraphPermissions       []string
}

// SnapshotRoleAssignment is an Azure role assignment.
type SnapshotRoleAssignment struct {
	ID, Name, Scope, RoleDefinitionID, RoleName, PrincipalID, PrincipalType, Description string
	CreatedOn                                                                            time.Time
}
