// Package reliability holds the provider's reliability and security tests (issue 8): the documented
// scenario applied and destroyed under injected throttling, server errors and replication delay;
// applies interrupted by signals and by connections dropped after a write; out-of-band drift; invalid
// input rejected at plan time; secrets kept out of logs and state; least privilege; concurrent applies.
//
// The tests drive the real Terraform CLI against a locally built provider (internal/tfrun) and one
// in-process emulator per test (internal/emulator), and compare emulator snapshots rather than trusting
// Terraform state. They run with TF_ACC=1 (make testacc); AKS_RELIABILITY_LONG=1 selects the long mode
// (20 s replication delay, the provider's default consistency settings). RELIABILITY.md records the
// figures they print and the commands that produced them.
package reliability
