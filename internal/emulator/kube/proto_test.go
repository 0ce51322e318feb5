package kube

import (
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// TestDecodeKubectlAccessReview decodes the SelfSubjectAccessReview kubectl 1.33 sent for
// `kubectl auth can-i list pods -n kube-system` (captured from the real client), and checks the answer
// decodes back with the status where clients read it.
func TestDecodeKubectlAccessReview(t *testing.T) {
	body, err := os.ReadFile("testdata/ssar-kubectl-1.33.bin")
	if err != nil {
		t.Fatal(err)
	}
	apiVersion, kind, raw, err := unwrapProtobuf(body)
	if err != nil || apiVersion != "authorization.k8s.io/v1" || kind != "SelfSubjectAccessReview" {
		t.Fatalf("envelope: %q %q %v", apiVersion, kind, err)
	}
	spec, err := decodeAccessReviewSpec(raw)
	if err != nil || spec.ResourceAttributes == nil || spec.NonResourceAttributes != nil {
		t.Fatalf("spec: %+v %v", spec, err)
	}
	if ra := *spec.ResourceAttributes; ra != (resourceAttributes{Namespace: "kube-system", Verb: "list", Resource: "pods"}) {
		t.Fatalf("resource attributes %+v", ra)
	}

	out := wrapProtobuf(apiVersion, kind, encodeAccessReview(spec, decision{Denied: true, Reason: AccessNotAllowed}))
	_, _, raw, err = unwrapProtobuf(out)
	if err != nil {
		t.Fatal(err)
	}
	var allowed, denied uint64 = 9, 9
	var reason string
	var status []byte
	_ = eachField(raw, func(n protowire.Number, v []byte) error {
		if n == 3 {
			status = v
		}
		return nil
	})
	for b := status; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			b = b[m:]
			switch num {
			case 1:
				allowed = v
			case 4:
				denied = v
			}
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			b = b[m:]
			if num == 2 {
				reason = string(v)
			}
		default:
			t.Fatalf("unexpected wire type %d", typ)
		}
	}
	if allowed != 0 || denied != 1 || reason != AccessNotAllowed {
		t.Fatalf("status: allowed=%d denied=%d reason=%q", allowed, denied, reason)
	}
}
