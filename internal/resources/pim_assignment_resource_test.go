package resources_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/aks-pim/terraform-provider-aks/internal/acctest"
	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/pim"
)

// aksServerApp is the AKS AAD server application, whose tokens carry the user's groups (kubelogin asks for
// them): what the cluster authorizes kubectl with.
const aksServerApp = "6dae42f8-4368-4678-94ff-3960e28e3630"

func pimAccAssignmentConfig(group, principal, policyBody, body string) string {
	return pimAccGroupScheduleConfig("aks_pim_assignment", "active_assignment", group, principal, policyBody, body)
}

// pimAccTokenGroups signs u in afresh and returns the groups claim of a token for the AKS server app.
func pimAccTokenGroups(t *testing.T, u acctest.User) []string {
	t.Helper()
	tok, err := acctest.UserClient(t, u).Credential.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{aksServerApp + "/.default"}})
	if err != nil {
		t.Fatalf("token of %s for AKS: %v", u.UPN, err)
	}
	parts := strings.Split(tok.Token, ".")
	if len(parts) != 3 {
		t.Fatalf("token of %s is not a JWT", u.UPN)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Groups []string `json:"groups"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Groups
}

// pimAccMember checks that principal is (or is not) a member of group: in Graph's member list, and in
// the groups claim of a token the user gets afresh.
func pimAccMember(t *testing.T, c *clients.Client, group string, u acctest.User, want bool) resource.TestCheckFunc {
	return func(*terraform.State) error {
		resp, err := clients.Graph(c).Groups().ByGroupId(group).Members().Get(context.Background(), nil)
		if err != nil {
			return err
		}
		listed := slices.ContainsFunc(resp.GetValue(), func(m models.DirectoryObjectable) bool {
			return m.GetId() != nil && pim.SameObjectID(*m.GetId(), u.ObjectID)
		})
		if listed != want {
			return fmt.Errorf("%s listed among the members of group %s: %v, want %v", u.UPN, group, listed, want)
		}
		if !acctest.Live() {
			inToken := slices.ContainsFunc(pimAccTokenGroups(t, u), func(g string) bool { return pim.SameObjectID(g, group) })
			if inToken != want {
				return fmt.Errorf("group %s in the groups claim of a new token of %s: %v, want %v", group, u.UPN, inToken, want)
			}
		}
		return nil
	}
}

func TestAccPIMAssignment_basic(t *testing.T) {
	c := pimAccClient(t)
	admin := acctest.NewGroup(t, c, "admin")
	user := acctest.Fixture(t).N01
	key := pim.EligibilityKey{Kind: pim.GroupActive, GroupID: admin, PrincipalID: user.ObjectID, AccessID: pim.AccessMember}
	addr := "aks_pim_assignment.test"
	const why = "  justification = \"incident INC-2087\"\n"
	cfg := func(policy, body string) string {
		return pimAccAssignmentConfig(admin, user.ObjectID, policy, why+body)
	}
	idBeforeUpdate, idUpdated := acctest.ChangedAcross(addr, "id")

	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: resource.ComposeTestCheckFunc(
			pimAccNotEligible(c, key),
			pimAccMember(t, c, admin, user, false),
		),
		Steps: []resource.TestStep{
			{
				Config: cfg("", `  duration = "P30D"`+"\n"),
				Check: resource.ComposeTestCheckFunc(
					pimAccEligibility(c, key, 30*24*time.Hour),
					pimAccEligibilityEnds(c, key, addr, 30*24*time.Hour),
					pimAccMember(t, c, admin, user, true),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					acctest.Attr(addr, "id", knownvalue.StringRegexp(regexp.MustCompile("^"+admin+"_member_[0-9a-f-]{36}$"))),
					acctest.Attr(addr, "status", knownvalue.StringExact("Provisioned")),
					acctest.Attr(addr, "effective_end_date_time", knownvalue.NotNull()),
					idBeforeUpdate,
				},
			},
			acctest.Unchanged(cfg("", `  duration = "P30D"`+"\n")),
			// Import by schedule ID, then by group/principal/access: the justification comes back from the
			// request that made the schedule.
			acctest.ImportVerify(addr, "", "policy_active_assignment", "duration", "end_date_time"),
			acctest.ImportVerify(addr, admin+"/"+user.ObjectID+"/member", "policy_active_assignment", "duration", "end_date_time"),
			{
				// Update in place through adminUpdate: a new schedule ID, the duration counted from the original start.
				Config:           cfg("", `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: acctest.PlansUpdate(addr, acctest.PlannedUnknown(addr, "id")),
				Check: resource.ComposeTestCheckFunc(
					pimAccEligibilityEnds(c, key, addr, 60*24*time.Hour),
					pimAccMember(t, c, admin, user, true),
				),
				ConfigStateChecks: []statecheck.StateCheck{idUpdated},
			},
			{
				// Removed outside Terraform: the membership ends, and the plan recreates the assignment.
				PreConfig: func() {
					pimAccRemoveOutOfBand(t, c, key)
					if err := pimAccMember(t, c, admin, user, false)(nil); err != nil {
						t.Fatal(err)
					}
				},
				Config:           cfg("", `  duration = "P60D"`+"\n"),
				ConfigPlanChecks: acctest.PlansCreate(addr),
				Check:            resource.ComposeTestCheckFunc(pimAccEligibility(c, key, 60*24*time.Hour), pimAccMember(t, c, admin, user, true)),
			},
			{
				// An end date, then permanent once the wired policy allows it (the wiring orders the policy first).
				Config: cfg("", fmt.Sprintf("  end_date_time = %q\n", acctest.Now().Add(90*24*time.Hour).UTC().Format(time.RFC3339))),
				Check:  pimAccEligibility(c, key, 90*24*time.Hour),
			},
			{
				Config: cfg("  active_assignment = {\n    expiration_required = false\n  }\n", "  permanent = true\n"),
				Check:  resource.ComposeTestCheckFunc(pimAccEligibility(c, key, 0), pimAccMember(t, c, admin, user, true)),
			},
		},
	})
}

func TestAccPIMAssignment_policyErrors(t *testing.T) {
	c := pimAccClient(t)
	admin := acctest.NewGroup(t, c, "admin")
	principal := acctest.NewGroup(t, c, "default")
	key := pim.EligibilityKey{Kind: pim.GroupActive, GroupID: admin, PrincipalID: principal, AccessID: pim.AccessMember}
	const why = "  justification = \"break-glass\"\n"
	cfg := func(policy, body string) string { return pimAccAssignmentConfig(admin, principal, policy, body) }
	acctest.ParallelTest(t, resource.TestCase{
		CheckDestroy: pimAccNotEligible(c, key),
		Steps: []resource.TestStep{
			// The default policy, wired: active assignments must expire within 180 days...
			acctest.PlanFails(cfg("", why+"  permanent = true\n"), `Permanent Active Assignment Not Allowed by Policy[\s\S]*Expiration_Admin_Assignment`),
			acctest.PlanFails(cfg("", why+`  duration = "P200D"`+"\n"), `Active Assignment Longer Than Policy Allows[\s\S]*P180D`),
			// ... and need a justification.
			acctest.PlanFails(cfg("", `  duration = "P30D"`+"\n"), `Justification Required by Policy[\s\S]*Enablement_Admin_Assignment`),
			{
				// A wired policy that no longer asks for one lets it through.
				Config:   cfg("  active_assignment = {\n    require_justification = false\n  }\n", `  duration = "P30D"`+"\n"),
				PlanOnly: true, ExpectNonEmptyPlan: true,
			},
			// Without the policy in the configuration, Graph rejects it and the error names the rule.
			acctest.ApplyFails(cfg("-", why+"  permanent = true\n"), `Expiration_Admin_Assignment[\s\S]*RoleAssignmentRequestPolicyValidationFailed`),
			acctest.ApplyFails(cfg("-", `  duration = "P30D"`+"\n"), `(?s)Unable to Create PIM Assignment.*JustificationRule.*Enablement_Admin_Assignment`),
			acctest.PlanFails(cfg("-", why+"  end_date_time = \"2020-01-01T00:00:00Z\"\n"), `Active Assignment Too Short`),
			acctest.PlanFails(cfg("-", why+"  duration = \"P30D\"\n  end_date_time = \"2030-01-01T00:00:00Z\"\n"), `Invalid Active Assignment Schedule`),
		},
	})
}

func TestAccPIMAssignment_importErrors(t *testing.T) {
	pimAccGroupScheduleImportErrors(t, "aks_pim_assignment", "Assignment", "assignment", func(group, principal string) string {
		return pimAccAssignmentConfig(group, principal, "-", "  duration = \"P30D\"\n  justification = \"x\"\n")
	})
}
