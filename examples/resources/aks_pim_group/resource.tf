# The four groups of the AKS just-in-time access scenario.

data "aks_user" "n01" {
  user_principal_name = "n01@contoso.onmicrosoft.com"
}

data "aks_user" "p01" {
  user_principal_name = "p01@contoso.onmicrosoft.com"
}

# Everyday read-only access; n01 is a direct, permanent member (members is authoritative).
resource "aks_pim_group" "default" {
  display_name = "default"
  description  = "AKS: everyday read-only access"
  members      = [data.aks_user.n01.object_id]
}

# Privileged access, reached only just in time: membership is not managed here (members omitted), so
# members activated through PIM never show as drift.
resource "aks_pim_group" "admin" {
  display_name = "admin"
  description  = "AKS: cluster admins, just in time"
}

# Its members approve activation requests.
resource "aks_pim_group" "approver" {
  display_name = "approver"
  description  = "AKS: approvers of admin and node-access activations"
  members      = [data.aks_user.p01.object_id]
}

# Node login, reached only just in time. Owners default to the identity Terraform runs as; here a
# second owner administers the group too.
resource "aks_pim_group" "node_access" {
  display_name  = "node-access"
  mail_nickname = "aks-node-access"
  description   = "AKS: SSH to nodes, just in time"
  owners        = ["9b0c1d2e-aaaa-bbbb-cccc-000000000001", data.aks_user.p01.object_id]
}
