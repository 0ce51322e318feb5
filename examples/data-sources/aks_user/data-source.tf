data "aks_user" "n01" {
  user_principal_name = "n01@contoso.onmicrosoft.com"
}

data "aks_user" "by_id" {
  object_id = "5a1c0e2b-0000-4000-8000-00000000c0de"
}

output "n01_object_id" {
  value = data.aks_user.n01.object_id
}
