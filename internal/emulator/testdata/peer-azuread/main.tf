# A configuration written for the azuread provider, as its documentation shows a custom cloud
# (metadata_host), applied against azemu by peer-azuread.sh. Nothing here knows about the emulator.
terraform {
  required_providers {
    azuread = {
      source = "hashicorp/azuread"
    }
  }
}

variable "metadata_host" {
  type = string
}

variable "member_object_id" {
  type = string
}

provider "azuread" {
  metadata_host = var.metadata_host
}

resource "azuread_group" "peer" {
  display_name     = "peer-azuread-check"
  security_enabled = true
}

resource "azuread_group_member" "peer" {
  group_object_id  = azuread_group.peer.object_id
  member_object_id = var.member_object_id
}

output "group_id" {
  value = azuread_group.peer.object_id
}
