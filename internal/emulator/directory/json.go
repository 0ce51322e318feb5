package directory

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// Graph @odata.type values of directory objects.
const (
	TypeUser             = "#microsoft.graph.user"
	TypeGroup            = "#microsoft.graph.group"
	TypeServicePrincipal = "#microsoft.graph.servicePrincipal"
)

// defaultUserProps are the user properties Graph returns without $select.
var defaultUserProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeStr(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// userJSON is the full Graph representation of a user; withType adds @odata.type.
func userJSON(u *User, withType bool) map[string]any {
	m := map[string]any{
		"id": u.ID, "businessPhones": []string{}, "displayName": u.DisplayName, "givenName": strOrNil(u.GivenName),
		"jobTitle": strOrNil(u.JobTitle), "mail": strOrNil(u.Mail), "mobilePhone": nil, "officeLocation": nil,
		"preferredLanguage": nil, "surname": strOrNil(u.Surname), "userPrincipalName": u.UserPrincipalName,
		"accountEnabled": u.AccountEnabled, "createdDateTime": timeStr(u.CreatedAt), "mailNickname": strOrNil(u.MailNickname),
		"userType": "Member", "deletedDateTime": nil, "signInSessionsValidFromDateTime": timeStr(u.CreatedAt),
	}
	if u.SignInSessionsValidFrom != nil {
		m["signInSessionsValidFromDateTime"] = timeStr(*u.SignInSessionsValidFrom)
	}
	if withType {
		m["@odata.type"] = TypeUser
	}
	return m
}

// defaultUser trims a full user map to the default property set.
func defaultUser(m map[string]any) map[string]any {
	out := map[string]any{"id": m["id"]}
	if t, ok := m["@odata.type"]; ok {
		out["@odata.type"] = t
	}
	for _, p := range defaultUserProps {
		out[p] = m[p]
	}
	return out
}

func groupJSON(g *Group, withType bool) map[string]any {
	var desc any
	if g.Description != nil {
		desc = *g.Description
	}
	var assignable any
	if g.IsAssignableToRole != nil {
		assignable = *g.IsAssignableToRole
	}
	var vis any
	if g.Visibility != nil {
		vis = *g.Visibility
	}
	types := g.GroupTypes
	if types == nil {
		types = []string{}
	}
	m := map[string]any{
		"id": g.ID, "deletedDateTime": nil, "classification": nil, "createdDateTime": timeStr(g.CreatedAt),
		"creationOptions": []string{}, "description": desc, "displayName": g.DisplayName, "expirationDateTime": nil,
		"groupTypes": types, "isAssignableToRole": assignable, "mail": nil, "mailEnabled": g.MailEnabled,
		"mailNickname": g.MailNickname, "membershipRule": nil, "membershipRuleProcessingState": nil,
		"onPremisesDomainName": nil, "onPremisesLastSyncDateTime": nil, "onPremisesNetBiosName": nil,
		"onPremisesSamAccountName": nil, "onPremisesSecurityIdentifier": nil, "onPremisesSyncEnabled": nil,
		"preferredDataLocation": nil, "preferredLanguage": nil, "proxyAddresses": []string{},
		"renewedDateTime": timeStr(g.CreatedAt), "resourceBehaviorOptions": []string{}, "resourceProvisioningOptions": []string{},
		"securityEnabled": g.SecurityEnabled, "securityIdentifier": g.SecurityIdentifier, "theme": nil,
		"uniqueName": nil, "visibility": vis, "onPremisesProvisioningErrors": []string{}, "serviceProvisioningErrors": []string{},
	}
	if withType {
		m["@odata.type"] = TypeGroup
	}
	return m
}

func spJSON(sp *ServicePrincipal, tenantID string, withType bool) map[string]any {
	m := map[string]any{
		"id": sp.ID, "deletedDateTime": nil, "accountEnabled": true, "appId": sp.AppID, "appDisplayName": sp.DisplayName,
		"appOwnerOrganizationId": tenantID, "displayName": sp.DisplayName, "servicePrincipalNames": []string{sp.AppID},
		"servicePrincipalType": "Application", "signInAudience": "AzureADMyOrg", "tags": []string{}, "appRoles": []any{},
		"createdDateTime": timeStr(sp.CreatedAt),
	}
	if withType {
		m["@odata.type"] = TypeServicePrincipal
	}
	return m
}

// securityIdentifier derives a stable S-1-12-1 SID from a group ID, the shape Entra uses.
func securityIdentifier(id string) string {
	sum := sha256.Sum256([]byte(id))
	return fmt.Sprintf("S-1-12-1-%d-%d-%d-%d", binary.LittleEndian.Uint32(sum[0:4]), binary.LittleEndian.Uint32(sum[4:8]),
		binary.LittleEndian.Uint32(sum[8:12]), binary.LittleEndian.Uint32(sum[12:16]))
}
