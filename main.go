// Command terraform-provider-aks serves the aks provider to Terraform over the plugin protocol (v6).
package main

import (
	"flag"
	"log"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/aks-pim/terraform-provider-aks/internal/heapprofile"
	"github.com/aks-pim/terraform-provider-aks/internal/provider"
)

// version is set at release time by goreleaser through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		quietUnlessLogging(os.LookupEnv, os.Setenv)
	}
	_ = heapprofile.Start(os.LookupEnv, 250*time.Millisecond)
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	if err := tf6server.Serve(provider.RegistryAddress, provider.Protocol6(provider.New(version)), opts...); err != nil {
		log.Fatal(err.Error())
	}
}

// Log levels of the plugin SDK (protocol, framework) and of this provider, read by terraform-plugin-log.
var pluginLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_AKS"}

// quietUnlessLogging turns the plugin's logs off when Terraform would discard them: without TF_LOG or
// TF_LOG_PROVIDER, Terraform drops every line a provider writes, but terraform-plugin-log still writes
// them all at TRACE, as JSON, and Terraform still parses each one. make bench measured that logging at
// a fifth of the provider's CPU in a 560-resource plan. Any log variable set keeps the library defaults.
func quietUnlessLogging(lookup func(string) (string, bool), set func(string, string) error) {
	for _, name := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, pluginLogLevels...) {
		if v, ok := lookup(name); ok && v != "" {
			return
		}
	}
	for _, name := range pluginLogLevels {
		_ = set(name, "off")
	}
}
