package provider

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type payloadKey struct{}

// requestsReleased sends n ValidateResourceConfig requests to server, each with a context holding a
// payload that reports when it is collected and cancelled after the request as the plugin server does,
// and returns how many payloads the garbage collector freed within wait.
func requestsReleased(t *testing.T, server tfprotov6.ProviderServer, n int, wait time.Duration) int64 {
	t.Helper()
	var freed atomic.Int64
	for range n {
		payload := make([]byte, 64<<10)
		runtime.AddCleanup(&payload[0], func(*atomic.Int64) { freed.Add(1) }, &freed)
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), payloadKey{}, payload))
		// An unknown type: the framework registers the request's context before it looks the type up.
		if _, err := server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "aks_unknown"}); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	for deadline := time.Now().Add(wait); freed.Load() < int64(n) && time.Now().Before(deadline); {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	runtime.KeepAlive(server)
	return freed.Load()
}

func TestProtocol6ReleasesRequestContexts(t *testing.T) {
	const n = 20
	if got := requestsReleased(t, Protocol6(New("test"))(), n, 10*time.Second); got != n {
		t.Errorf("Protocol6: %d of %d request contexts were collected after their requests; the framework still keeps the others", got, n)
	}
	// The framework alone keeps every request's context until StopProvider: the reason for the wrapper.
	// When this fails, a framework release stopped doing so and Protocol6 can serve it directly.
	if got := requestsReleased(t, providerserver.NewProtocol6(New("test")())(), n, time.Second); got != 0 {
		t.Errorf("the framework alone let %d of %d request contexts go: Protocol6's wrapper is no longer needed", got, n)
	}
}

func TestProtocol6KeepsOptionalServers(t *testing.T) {
	t.Parallel()
	s := Protocol6(New("test"))()
	if _, ok := s.(releasingServer); !ok {
		t.Fatalf("Protocol6 served %T unwrapped: the framework's server no longer implements every optional server", s)
	}
	if _, ok := s.(tfprotov6.ListResourceServer); !ok {
		t.Error("the list resource server is lost")
	}
	if _, ok := s.(tfprotov6.ActionServer); !ok {
		t.Error("the action server is lost")
	}
	if _, ok := s.(tfprotov6.StateStoreServer); !ok {
		t.Error("the state store server is lost")
	}
}

func TestRequestContext(t *testing.T) {
	t.Parallel()
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(context.Background(), payloadKey{}, "v"), deadline)
	defer cancel()
	rc := newRequestContext(parent)
	child, stop := context.WithCancel(rc)
	defer stop()

	if got := child.Value(payloadKey{}); got != "v" {
		t.Errorf("before release: Value = %v, want the parent's", got)
	}
	if d, ok := child.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("Deadline = %v, %v; want the parent's", d, ok)
	}
	done := rc.Done()
	rc.release()
	if got := child.Value(payloadKey{}); got != nil {
		t.Errorf("after release: Value = %v, want nil (the parent is let go of)", got)
	}
	if rc.Err() != nil || child.Err() != nil {
		t.Errorf("released before the parent ended: Err = %v / %v, want nil", rc.Err(), child.Err())
	}
	if rc.Done() != done {
		t.Error("Done changed at release; context requires the same channel on every call")
	}
	cancel()
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the parent after release did not cancel the derived context")
	}
	if !errors.Is(rc.Err(), context.Canceled) {
		t.Errorf("after the parent ended: Err = %v, want context.Canceled", rc.Err())
	}
}
