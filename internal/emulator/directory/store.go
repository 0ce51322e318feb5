// Package directory is the emulator's Entra directory: users, service principals (with their app
// registrations), security groups, members and owners (including the time-bound memberships PIM
// creates), the Microsoft Graph handlers for them and Graph JSON batching. It implements pim.Directory
// for the PIM engine, arm.Directory for ARM principal lookups and entra.Directory for sign-in.
package directory

import (
	"encoding/json"
	"maps"
	"math/rand"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

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
	s.mu.Lock()
	defer s.mu.Unlock()
	var p persisted
	p.Users = slices.Collect(maps.Values(s.users))
	p.Groups = slices.Collect(maps.Values(s.groups))
	p.SPs = slices.Collect(maps.Values(s.sps))
	p.Apps = slices.Collect(maps.Values(s.apps))
	p.Rels = s.rels
	p.Timed = slices.Collect(maps.Values(s.timed))
	sort.Slice(p.Users, func(i, j int) bool { return p.Users[i].ID < p.Users[j].ID })
	sort.Slice(p.Groups, func(i, j int) bool { return p.Groups[i].ID < p.Groups[j].ID })
	sort.Slice(p.SPs, func(i, j int) bool { return p.SPs[i].ID < p.SPs[j].ID })
	sort.Slice(p.Apps, func(i, j int) bool { return p.Apps[i].AppID < p.Apps[j].AppID })
	sort.Slice(p.Timed, func(i, j int) bool { return p.Timed[i].ScheduleID < p.Timed[j].ScheduleID })
	return json.Marshal(p)
}

// UnmarshalJSON replaces the directory's state with a persisted one.
func (s *Store) UnmarshalJSON(b []byte) error {
	var p persisted
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users, s.groups, s.sps, s.apps, s.timed = map[string]*User{}, map[string]*Group{}, map[string]*ServicePrincipal{}, map[string]*App{}, map[string]*Timed{}
	for _, u := range p.Users {
		s.users[key(u.ID)] = u
	}
	for _, g := range p.Groups {
		s.groups[key(g.ID)] = g
	}
	for _, sp := range p.SPs {
		s.sps[key(sp.ID)] = sp
	}
	for _, a := range p.Apps {
		s.apps[key(a.AppID)] = a
	}
	s.rels = p.Rels
	for _, t := range p.Timed {
		s.timed[timedKey(t.ScheduleID, t.Kind)] = t
	}
	return nil
}

// UserCount is the number of users in the tenant (deleted ones included until purged): Graph's
// identity-and-access budget depends on it.
func (s *Store) UserCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users)
}
