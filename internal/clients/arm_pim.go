package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// ScheduleClients are the ARM clients of PIM for Azure resources (armauthorization/v2, api-version
// 2020-10-01) and a plain ARM pipeline for the calls no SDK client makes: the approvals API
// (roleAssignmentApprovals, 2021-01-01-preview) and list filters the SDK does not expose.
type ScheduleClients struct {
	EligibilityRequests  *armauthorization.RoleEligibilityScheduleRequestsClient
	EligibilitySchedules *armauthorization.RoleEligibilitySchedulesClient
	AssignmentRequests   *armauthorization.RoleAssignmentScheduleRequestsClient
	AssignmentSchedules  *armauthorization.RoleAssignmentSchedulesClient
	AssignmentInstances  *armauthorization.RoleAssignmentScheduleInstancesClient
	Policies             *armauthorization.RoleManagementPoliciesClient

	raw *arm.Client
}

func newScheduleClients(cred azcore.TokenCredential, opts *arm.ClientOptions) (*ScheduleClients, error) {
	s := &ScheduleClients{}
	var errs [7]error
	s.EligibilityRequests, errs[0] = armauthorization.NewRoleEligibilityScheduleRequestsClient(cred, opts)
	s.EligibilitySchedules, errs[1] = armauthorization.NewRoleEligibilitySchedulesClient(cred, opts)
	s.AssignmentRequests, errs[2] = armauthorization.NewRoleAssignmentScheduleRequestsClient(cred, opts)
	s.AssignmentSchedules, errs[3] = armauthorization.NewRoleAssignmentSchedulesClient(cred, opts)
	s.AssignmentInstances, errs[4] = armauthorization.NewRoleAssignmentScheduleInstancesClient(cred, opts)
	s.Policies, errs[5] = armauthorization.NewRoleManagementPoliciesClient(cred, opts)
	s.raw, errs[6] = arm.NewClient("terraform-provider-aks", "v0.2.0", cred, opts)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("building the PIM for Azure resources clients: %w", err)
	}
	return s, nil
}

// Do sends an ARM request through the provider's pipeline (credential, retry, logging): method on path
// (below the ARM endpoint, e.g. "/providers/Microsoft.Authorization/roleAssignmentApprovals/{id}") with
// query (api-version included) and body encoded as JSON when non-nil. A 2xx answer is decoded into out
// when out is non-nil; any other status is an *azcore.ResponseError, as from the SDK clients.
func (s *ScheduleClients) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	req, err := runtime.NewRequest(ctx, method, runtime.JoinPaths(s.raw.Endpoint(), path))
	if err != nil {
		return err
	}
	req.Raw().URL.RawQuery = query.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(b)), "application/json"); err != nil {
			return err
		}
	}
	resp, err := s.raw.Pipeline().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if !slices.Contains([]int{http.StatusOK, http.StatusCreated, http.StatusAccepted, http.StatusNoContent}, resp.StatusCode) {
		return runtime.NewResponseError(resp)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil || out == nil || len(data) == 0 {
		return err
	}
	return json.Unmarshal(data, out)
}
