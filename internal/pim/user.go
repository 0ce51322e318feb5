package pim

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
)

// ErrUserNotFound: no user has this object ID or user principal name.
var ErrUserNotFound = errors.New("user not found")

// User is a directory user as the provider reports it.
type User struct {
	ID                string
	UserPrincipalName string
	DisplayName       string
	Mail              string
}

// LookupUser reads a user by object ID or user principal name with one GET (Graph accepts either in
// the same path). A missing user is ErrUserNotFound.
func LookupUser(ctx context.Context, c *clients.Client, idOrUPN string) (*User, error) {
	if strings.TrimSpace(idOrUPN) == "" {
		return nil, errors.New("a user object ID or user principal name is required")
	}
	m, err := clients.Graph(c).Users().ByUserId(idOrUPN).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{
			Select: []string{"id", "userPrincipalName", "displayName", "mail"},
		}})
	if err != nil {
		if clients.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s", ErrUserNotFound, idOrUPN)
		}
		return nil, err
	}
	return userFromModel(m), nil
}

func userFromModel(m models.Userable) *User {
	return &User{
		ID:                deref(m.GetId()),
		UserPrincipalName: deref(m.GetUserPrincipalName()),
		DisplayName:       deref(m.GetDisplayName()),
		Mail:              deref(m.GetMail()),
	}
}
