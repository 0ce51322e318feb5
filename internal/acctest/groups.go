package acctest

import (
	"context"
	"testing"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/clients"
	"github.com/aks-pim/terraform-provider-aks/internal/emuclient"
)

// NewGroup creates a security group for a test through Graph as c (so the test does not depend on
// aks_pim_group), live or emulated, waits until c reads it back (Terraform refers to it next), and
// deletes it when the test ends. It returns the group's object ID.
func NewGroup(t *testing.T, c *clients.Client, prefix string) string {
	t.Helper()
	id := emuclient.NewGroup(t, c, RandomName(prefix))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = clients.Graph(c).Groups().ByGroupId(id).Delete(ctx, nil)
	})
	if err := c.WaitConsistent(t.Context(), func(ctx context.Context) (bool, error) {
		_, err := clients.Graph(c).Groups().ByGroupId(id).Get(ctx, nil)
		if clients.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}
