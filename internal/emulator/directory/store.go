// Package directory is the emulator's Entra directory: users, service principals (with their app
// registrations), security groups, members and owners (including the time-bound memberships PIM
// creates), the Microsoft Graph handlers for them and Graph JSON batching. It implements pim.Directory
// for the PIM engine, arm.Directory for ARM principal lookups and entra.Directory for sign-in.
package directory

import (
	"encoding/json"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/router"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/storekit"
)

// User is a directory user.
type User struct {
	ID                string     `json:"id"`
	UserPrincipalName string     `json:"userPrincipalName"`
	DisplayName       string     `json:"displayName"`
	GivenName         string     `json:"givenName,omitempty"`
	Surname           string     `json:"surname,omitempty"`
	Mail              string     `json:"mail,omitempty"`
	MailNickname      string     `json:"mailNickname,omitempty"`
	JobTitle          string     `json:"jobTitle,omitempty"`
	AccountEnabled    bool       `json:"accountEnabled"`
	Password          string     `json:"password,omitempty"`
	CreatedAt         time.Time  `json:"createdAt"`
	DeletedAt         *time.Time `json:"deletedAt,omitempty"`
	// SignInSessionsValidFrom is set by revokeSignInSessions: refresh tokens issued before it are refused.
	SignInSessionsValidFrom *time.Time `json:"signInSessionsValidFrom,omitempty"`
}

// Group is a directory group.
type Group struct {
	ID                 string     `json:"id"`
	DisplayName        string     `json:"displayName"`
	Description        *string    `json:"description,omitempty"`
	MailNickname       string     `json:"mailNickname"`
	MailEnabled        bool       `json:"mailEnabled"`
	SecurityEnabled    bool       `json:"securityEnabled"`
	GroupTypes         []string   `json:"groupTypes"`
	IsAssignableToRole *bool      `json:"isAssignableToRole,omitempty"`
	Visibility         *string    `json:"visibility,omitempty"`
	SecurityIdentifier string     `json:"securityIdentifier"`
	CreatedAt          time.Time  `json:"createdAt"`
	DeletedAt          *time.Time `json:"deletedAt,omitempty"`
	// Extra holds the properties the emulator keeps as sent (extraGroupProps).
	Extra map[string]json.RawMessage `json:"extra,omitempty"`
}

// ServicePrincipal is an application's identity in the tenant, with the application permissions
// granted to it (app roles) by resource.
type ServicePrincipal struct {
	ID          string              `json:"id"`
	AppID       string              `json:"appId"`
	DisplayName string              `json:"displayName"`
	AppRoles    map[string][]string `json:"appRoles,omitempty"`
	CreatedAt   time.Time           `json:"createdAt"`
	DeletedAt   *time.Time          `json:"deletedAt,omitempty"`
}

// App is an app registration's credentials and sign-in settings.
type App struct {
	AppID              string              `json:"appId"`
	DisplayName        string              `json:"displayName"`
	ServicePrincipalID string              `json:"servicePrincipalId"`
	Secrets            []string            `json:"secrets,omitempty"`
	CertificatesDER    [][]byte            `json:"certificates,omitempty"`
	Federated          []Federated         `json:"federated,omitempty"`
	PublicClient       bool                `json:"publicClient,omitempty"`
	DelegatedScopes    map[string][]string `json:"delegatedScopes,omitempty"`
}

// Federated is a federated identity credential of an app.
type Federated struct {
	Issuer   string `json:"issuer"`
	Subject  string `json:"subject"`
	Audience string `json:"audience"`
}

// Relationship is a permanent (direct) membership or ownership.
type Relationship struct {
	GroupID     string     `json:"groupId"`
	PrincipalID string     `json:"principalId"`
	Kind        string     `json:"kind"` // "member" or "owner"
	AddedAt     time.Time  `json:"addedAt"`
	RemovedAt   *time.Time `json:"removedAt,omitempty"`
}

// Timed is a time-bound membership or ownership created by PIM.
type Timed struct {
	GroupID     string    `json:"groupId"`
	PrincipalID string    `json:"principalId"`
	Kind        string    `json:"kind"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end,omitempty"`
	ScheduleID  string    `json:"scheduleId"`
}

// Options configure a Store.
type Options struct {
	TenantID string
	Domain   string
	Now      func() time.Time
	// Rand drives generated IDs and the order of $batch responses; seeded by the server.
	Rand *rand.Rand
	// ShuffleBatchResponses returns $batch responses in random order, as Graph may.
	ShuffleBatchResponses bool
	// SelectOmitsID: $select without id answers objects without id.
	SelectOmitsID bool
	// RemoveMissingIs400: removing a member or owner that is not there answers 400 instead of 404 (the
	// graph.remove-non-member variant).
	RemoveMissingIs400 bool
	// MissingReferenceIs400: a reference to an object not (yet) visible answers 400 instead of 404 (the
	// graph.missing-reference variant).
	MissingReferenceIs400 bool
	// GetByIDsNeedsDirectoryRead: directoryObjects/getByIds answers only callers with Directory.Read.All.
	GetByIDsNeedsDirectoryRead bool
}

// Store is the directory. Methods are safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	opt    Options
	delay  time.Duration
	users  map[string]*User
	groups map[string]*Group
	sps    map[string]*ServicePrincipal
	apps   map[string]*App // by lower-case appId
	rels   []*Relationship
	timed  map[string]*Timed // by lower-case scheduleId + kind
	storekit.Hooks
	rt      *router.Router
	batchTo http.Handler // where $batch items go; see SetBatchDispatcher
}

// New returns an empty directory.
func New(opt Options) *Store {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Rand == nil {
		opt.Rand = rand.New(rand.NewSource(time.Now().UnixNano()))
	}
	s := &Store{
		opt:    opt,
		users:  map[string]*User{},
		groups: map[string]*Group{},
		sps:    map[string]*ServicePrincipal{},
		apps:   map[string]*App{},
		timed:  map[string]*Timed{},
	}
	s.rt = s.buildRoutes()
	s.batchTo = s
	return s
}

// TenantID returns the tenant ID.
func (s *Store) TenantID() string { return s.opt.TenantID }

// Domain returns the verified domain.
func (s *Store) Domain() string { return s.opt.Domain }

// SetReplicationDelay changes how long new objects stay invisible and deleted ones visible.
func (s *Store) SetReplicationDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// newID returns a random GUID from the seeded source (callers hold s.mu).
func (s *Store) newID() string { return storekit.NewGUID(s.opt.Rand) }

func key(id string) string { return strings.ToLower(id) }

// visible reports whether an object created at created (and deleted at deleted) can be seen at now:
// replication hides it for the delay after creation and keeps it for the delay after deletion.
func (s *Store) visible(created time.Time, deleted *time.Time, now time.Time) bool {
	if now.Before(created.Add(s.delay)) {
		return false
	}
	return deleted == nil || now.Before(deleted.Add(s.delay))
}

// unlockChanged ends a change of the store: it releases s.mu and runs the change hooks.
func (s *Store) unlockChanged() {
	s.mu.Unlock()
	s.Fire()
}

// commit ends a Graph write that changed the store with its 204 (callers hold s.mu, which it releases).
func (s *Store) commit(w http.ResponseWriter) {
	s.unlockChanged()
	odata.WriteNoContent(w)
}

// live reports whether an object exists on the primary (writes see it at once).
func live(deleted *time.Time) bool { return deleted == nil }

// persisted is the JSON form of the directory.
type persisted struct {
	Users  []*User             `json:"users"`
	Groups []*Group            `json:"groups"`
	SPs    []*ServicePrincipal `json:"servicePrincipals"`
	Apps   []*App              `json:"apps"`
	Rels   []*Relationship     `json:"relationships"`
	Timed  []*Timed            `json:"timed"`
}

// MarshalJSON returns the directory's state for persistence.
func (s *Store) MarshalJSON() ([]byte, error) {
	return storekit.Save(&s.mu, func() any {
		return persisted{Users: storekit.Values(s.users), Groups: storekit.Values(s.groups), SPs: storekit.Values(s.sps),
			Apps: storekit.Values(s.apps), Rels: s.rels, Timed: storekit.Values(s.timed)}
	})
}

// UnmarshalJSON replaces the directory's state with a persisted one.
func (s *Store) UnmarshalJSON(b []byte) error {
	return storekit.Load(&s.mu, b, func(p *persisted) {
		s.users = storekit.Index(p.Users, func(u *User) string { return key(u.ID) })
		s.groups = storekit.Index(p.Groups, func(g *Group) string { return key(g.ID) })
		s.sps = storekit.Index(p.SPs, func(sp *ServicePrincipal) string { return key(sp.ID) })
		s.apps = storekit.Index(p.Apps, func(a *App) string { return key(a.AppID) })
		s.rels = p.Rels
		s.timed = storekit.Index(p.Timed, func(t *Timed) string { return timedKey(t.ScheduleID, t.Kind) })
	})
}

// UserCount is the number of users in the tenant (deleted ones included until purged): Graph's
// identity-and-access budget depends on it.
func (s *Store) UserCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}
