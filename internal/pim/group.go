package pim

import (
	"fmt"
	"slices"
	"strings"
)

// GroupSpec is the desired state of a PIM-governed security group.
type GroupSpec struct {
	DisplayName string
	Description string
	// MailNickname is required by Graph even for security groups; DeriveMailNickname gives the default.
	MailNickname     string
	AssignableToRole bool
	// Owners are object IDs. Empty means "the caller": a group created by an app without owners cannot be
	// administered later by anyone but a directory administrator.
	Owners []string
	// Members are the direct, permanent members. They are only managed when ManageMembers is true, so
	// that members added by PIM activations never count as drift when membership is not managed.
	Members       []string
	ManageMembers bool
}

// Group is a group as read from Graph.
type Group struct {
	ID               string
	DisplayName      string
	Description      string
	MailNickname     string
	AssignableToRole bool
	SecurityEnabled  bool
	MailEnabled      bool
	GroupTypes       []string
	Owners           []string
	// Members is only filled when the read asked for members.
	Members []string
	// PIMOnboarded: PIM has processed a request for the group or its policy was changed. Onboarding
	// cannot be undone, so once true it stays true.
	PIMOnboarded bool
}

// Characters Graph rejects in mailNickname, besides anything outside printable ASCII.
const groupNicknameForbidden = "@()\\[]\";:.<>, "

// groupMaxNickname is Graph's limit on mailNickname.
const groupMaxNickname = 64

// DeriveMailNickname turns a display name into a valid mailNickname: runs of characters Graph rejects
// become one '-', leading and trailing '-' are dropped, and the result is cut to 64 characters. It is
// deterministic, which is what lets a re-applied create find a group whose create response was lost.
func DeriveMailNickname(displayName string) string {
	var b strings.Builder
	dash := false
	for _, r := range displayName {
		if r > 0x20 && r < 0x7f && !strings.ContainsRune(groupNicknameForbidden, r) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > groupMaxNickname {
		s = strings.TrimRight(s[:groupMaxNickname], "-")
	}
	if s == "" {
		s = "group"
	}
	return s
}

// ValidateMailNickname checks a mailNickname the way Graph does: 1-64 printable ASCII characters, none
// of @()\[]";:.<> , or space.
func ValidateMailNickname(s string) error {
	if s == "" || len(s) > groupMaxNickname {
		return fmt.Errorf("mail nickname must be 1 to %d characters long, got %d", groupMaxNickname, len(s))
	}
	for _, r := range s {
		if r <= 0x20 || r >= 0x7f || strings.ContainsRune(groupNicknameForbidden, r) {
			return fmt.Errorf("mail nickname %q contains %q; only printable ASCII without @()\\[]\";:.<>, or spaces is allowed", s, r)
		}
	}
	return nil
}

// Nickname returns the spec's mailNickname, derived from the display name when not set.
func (s GroupSpec) Nickname() string {
	if s.MailNickname != "" {
		return s.MailNickname
	}
	return DeriveMailNickname(s.DisplayName)
}

// Validate checks the spec before any request is made.
func (s GroupSpec) Validate() error {
	if strings.TrimSpace(s.DisplayName) == "" {
		return fmt.Errorf("display name must not be empty")
	}
	if len(s.DisplayName) > 256 {
		return fmt.Errorf("display name must be at most 256 characters long")
	}
	if err := ValidateMailNickname(s.Nickname()); err != nil {
		return err
	}
	for _, id := range slices.Concat(s.Owners, s.Members) {
		if !IsObjectID(id) {
			return fmt.Errorf("%q is not an object ID (a GUID)", id)
		}
	}
	return nil
}

// memberDiff returns which IDs to add and which to remove to turn current into desired; IDs compare
// case-insensitively, and the results keep desired's (or current's) spelling, sorted for stable requests.
func memberDiff(current, desired []string) (add, remove []string) {
	cur := memberSet(current)
	want := memberSet(desired)
	for k, v := range want {
		if _, ok := cur[k]; !ok {
			add = append(add, v)
		}
	}
	for k, v := range cur {
		if _, ok := want[k]; !ok {
			remove = append(remove, v)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove
}

func memberSet(ids []string) map[string]string {
	m := make(map[string]string, len(ids))
	for _, id := range ids {
		m[strings.ToLower(id)] = id
	}
	return m
}
