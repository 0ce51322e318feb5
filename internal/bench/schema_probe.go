package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// startup is the provider's start-up cost as Terraform meets it.
type startup struct {
	// Handshake is from exec to the plugin's handshake line (runtime init, provider construction, gRPC
	// server listening, AutoMTLS certificate generated).
	Handshake time.Duration `json:"handshakeNs"`
	// FirstSchema is from exec to the GetProviderSchema response, over the same AutoMTLS gRPC connection
	// Terraform uses.
	FirstSchema time.Duration `json:"firstSchemaNs"`
	// SchemaBytes is the size of the GetProviderSchema response message.
	SchemaBytes int `json:"schemaBytes"`
	// RSSAfterSchemaKB is the provider's VmHWM once it has answered.
	RSSAfterSchemaKB int64 `json:"rssAfterSchemaKB"`
	Runs             int   `json:"runs"`
}

// Terraform's plugin handshake (terraform-plugin-go tf6server); the cookie only says "started by Terraform".
var providerHandshake = plugin.HandshakeConfig{
	MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
}

// rawConn dispenses the plugin's gRPC connection itself: the tfplugin6 stubs are internal to
// terraform-plugin-go, and one unary call needs no stubs.
type rawConn struct{ plugin.NetRPCUnsupportedPlugin }

func (rawConn) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("bench: client side only")
}

func (rawConn) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return c, nil
}

// measureStartup starts the provider binary runs times the way Terraform does (go-plugin, protocol 6,
// AutoMTLS) and times the handshake and the first GetProviderSchema answer; it reports the medians.
func measureStartup(ctx context.Context, bin string, runs int) (startup, error) {
	var hs, first []time.Duration
	out := startup{Runs: runs}
	for range runs {
		r, err := probeOnce(ctx, bin)
		if err != nil {
			return out, err
		}
		hs, first = append(hs, r.Handshake), append(first, r.FirstSchema)
		out.SchemaBytes = r.SchemaBytes
		out.RSSAfterSchemaKB = max(out.RSSAfterSchemaKB, r.RSSAfterSchemaKB)
	}
	out.Handshake, out.FirstSchema = median(hs), median(first)
	return out, nil
}

func probeOnce(ctx context.Context, bin string) (startup, error) {
	var r startup
	start := time.Now()
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  providerHandshake,
		VersionedPlugins: map[int]plugin.PluginSet{6: {"provider": rawConn{}}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           hclog.NewNullLogger(),
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		return r, fmt.Errorf("starting the provider plugin: %w", err)
	}
	r.Handshake = time.Since(start)
	raw, err := rpc.Dispense("provider")
	if err != nil {
		return r, err
	}
	conn, ok := raw.(*grpc.ClientConn)
	if !ok {
		return r, fmt.Errorf("unexpected plugin client %T", raw)
	}
	// GetProviderSchema.Request has no fields, so an empty message is its encoding; the response's fields
	// are kept as unknown fields of the empty message, which is enough to measure and sanity-check it.
	var resp emptypb.Empty
	callCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := conn.Invoke(callCtx, "/tfplugin6.Provider/GetProviderSchema", &emptypb.Empty{}, &resp); err != nil {
		return r, fmt.Errorf("GetProviderSchema: %w", err)
	}
	r.FirstSchema = time.Since(start)
	r.SchemaBytes = proto.Size(&resp)
	body := resp.ProtoReflect().GetUnknown()
	for _, want := range []string{"aks_pim_group", "aks_role_binding", "aks_pim_eligibility", "aks_pim_approval_policy"} {
		if !bytes.Contains(body, []byte(want)) {
			return r, fmt.Errorf("the schema answer (%d bytes) does not mention %s", len(body), want)
		}
	}
	if rc := client.ReattachConfig(); rc != nil && rc.Pid > 0 {
		if s, ok := readProc(rc.Pid); ok {
			r.RSSAfterSchemaKB = s.hwmKB
		}
	}
	return r, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
