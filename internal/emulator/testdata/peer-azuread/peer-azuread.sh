#!/usr/bin/env bash
# Peer check (issue 13): the hashicorp/azuread provider, configured the documented way for a custom cloud
# (metadata_host), applies, re-plans and destroys an azuread_group and an azuread_group_member against
# azemu under a variant spec. Not part of CI: the azuread binary is built outside this repository.
#
#   peer-azuread.sh /path/to/terraform-provider-azuread [variant spec]
#
# Exits non-zero on the first failing step, keeping the working directory for inspection.
set -euo pipefail
provider=${1:?usage: peer-azuread.sh /path/to/terraform-provider-azuread [variant spec]}
spec=${2:-default}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
work=$(mktemp -d)
echo "peer-azuread: working in $work, variants $spec"

(cd "$root" && go build -o "$work/azemu" ./internal/emulator/cmd/azemu)
"$work/azemu" --addr 127.0.0.1:0 --env-file "$work/azemu.env" --variants "$spec" >"$work/azemu.log" 2>&1 &
azemu_pid=$!
cleanup() {
	status=$?
	kill "$azemu_pid" 2>/dev/null || true
	wait "$azemu_pid" 2>/dev/null || true
	if [ "$status" = 0 ]; then rm -rf "$work"; else echo "peer-azuread: FAILED; see $work (azemu.log)"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$work/azemu.env" ] && break; sleep 0.2; done
# shellcheck disable=SC1091
. "$work/azemu.env"

# Only what a user of azuread sets for a custom cloud: credentials, tenant and the metadata host. The
# endpoint variables azemu's env file exports for this repository's provider are not azuread's and are
# dropped so that discovery through the metadata document is what is tested.
unset ARM_AUTHORITY_HOST ARM_GRAPH_ENDPOINT ARM_GRAPH_AUDIENCE ARM_RESOURCE_MANAGER_ENDPOINT ARM_RESOURCE_MANAGER_AUDIENCE
mkdir -p "$work/plugins"
cp "$provider" "$work/plugins/terraform-provider-azuread"
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "hashicorp/azuread" = "$work/plugins"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1
export TF_VAR_metadata_host=${AZEMU_URL#https://} TF_VAR_member_object_id=$AZEMU_USER_N01_ID
cp "$here/main.tf" "$work/"
cd "$work"
step() { echo "peer-azuread: $*"; "$@"; }
step terraform apply -auto-approve -no-color
step terraform plan -detailed-exitcode -no-color # 0: no changes after apply
step terraform destroy -auto-approve -no-color
echo "peer-azuread: PASS under $spec ($(terraform version | head -1))"
