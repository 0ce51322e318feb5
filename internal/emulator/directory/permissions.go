package directory

import (
	"net/http"
	"slices"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator/odata"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/reqctx"
)

// Graph permissions (application roles or delegated scopes; any one of a set suffices), per the
// permission tables of the Graph v1.0 reference for each operation.
var (
	permReadUsers    = []string{"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permWriteUsers   = []string{"User.ReadWrite.All", "Directory.ReadWrite.All"}
	permMe           = []string{"User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permReadGroups   = []string{"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permCreateGroup  = []string{"Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	permWriteGroup   = []string{"Group.ReadWrite.All", "Directory.ReadWrite.All"}
	permWriteMembers = []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	permReadSPs      = []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permReadAll      = []string{"Directory.Read.All", "Directory.ReadWrite.All"}
	permRoleAssign   = []string{"RoleManagement.ReadWrite.Directory"}
	permRevoke       = []string{"User.RevokeSessions.All", "User.ReadWrite.All", "Directory.ReadWrite.All"}

	// An application with Group.Create may also change the groups it owns (canManageGroup checks the
	// ownership once the group is found).
	permWriteOwnGroup   = append(slices.Clone(permWriteGroup), "Group.Create")
	permWriteOwnMembers = append(slices.Clone(permWriteMembers), "Group.Create")
)

func caller(r *http.Request) reqctx.Caller {
	c, _ := reqctx.CallerFrom(r.Context())
	return c
}

// allowed reports whether the caller holds any of perms.
func allowed(r *http.Request, perms []string) bool {
	c, ok := reqctx.CallerFrom(r.Context())
	return ok && c.HasPermission(perms...)
}

// require writes 403 Authorization_RequestDenied and returns false when the caller lacks all of perms.
func require(w http.ResponseWriter, r *http.Request, perms []string) bool {
	if allowed(r, perms) {
		return true
	}
	odata.WriteErr(w, r, odata.Forbidden())
	return false
}

// requireID is require, then Graph's 400 for an object ID that is not a GUID.
func requireID(w http.ResponseWriter, r *http.Request, perms []string, id string) bool {
	return require(w, r, perms) && validID(w, r, id)
}

// validID writes Graph's 400 and returns false for an object ID that is not a GUID.
func validID(w http.ResponseWriter, r *http.Request, id string) bool {
	if isGUID(id) {
		return true
	}
	odata.WriteErr(w, r, invalidID(id))
	return false
}

// readPermsFor returns the permissions that allow reading an object of the given @odata.type, for the
// polymorphic endpoints (directoryObjects, members): Directory.Read.All or the type's own read permission.
// Whether real Graph accepts the type-specific permission on /directoryObjects is UNCONFIRMED; the
// emulator does, which lets the least-privilege admin resolve the principals it manages.
func readPermsFor(odataType string) []string {
	switch odataType {
	case TypeUser:
		return permReadUsers
	case TypeGroup:
		return permReadGroups
	case TypeServicePrincipal:
		return permReadSPs
	}
	return permReadAll
}
