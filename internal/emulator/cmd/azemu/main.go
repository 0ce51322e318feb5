// Command azemu runs the offline Entra ID + Microsoft Graph + ARM emulator on one loopback HTTPS address
// (contract: ../shared/DESIGN.md, "Emulator command"). It prints one line with its URL when ready and
// exits cleanly on SIGINT or SIGTERM.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aks-pim/terraform-provider-aks/internal/emulator"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/kube"
	"github.com/aks-pim/terraform-provider-aks/internal/emulator/variant"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "azemu:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cfg := emulator.DefaultConfig()
	fs := flag.NewFlagSet("azemu", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address HOST:PORT (port 0 picks a free one)")
	envFile := fs.String("env-file", "", "write `export NAME=value` lines for the provider and tests to this file once listening")
	fs.StringVar(&cfg.StatePath, "state", "", "load the world from this JSON file if present, save it after every change")
	fs.DurationVar(&cfg.Latency, "latency", 0, "latency added to every Graph and ARM request (e.g. 50ms)")
	fs.Float64Var(&cfg.FaultRate429, "fault-rate-429", 0, "probability (0..1) of answering a Graph/ARM request with 429 and Retry-After")
	fs.Float64Var(&cfg.FaultRate5xx, "fault-rate-5xx", 0, "probability (0..1) of answering a Graph/ARM request with 503")
	fs.DurationVar(&cfg.RetryAfter, "retry-after", cfg.RetryAfter, "Retry-After of injected 429/503 answers")
	fs.Float64Var(&cfg.DropAfterWriteRate, "drop-after-write-rate", 0, "probability (0..1) of applying a write and then dropping the connection unanswered")
	fs.DurationVar(&cfg.ReplicationDelay, "replication-delay", 0, "new directory objects stay invisible to reads and ARM for this long (e.g. 30s)")
	fs.Int64Var(&cfg.Seed, "seed", 0, "seed of the random sources (IDs, faults); 0 picks one")
	fs.IntVar(&cfg.Clusters, "clusters", cfg.Clusters, "number of seeded AKS clusters")
	fs.StringVar(&cfg.NodeSSHGroups, "node-ssh-groups", cfg.NodeSSHGroups, "where node SSH logins take the user's groups from: live (at login) or issued (the certificate's, at issuance)")
	fs.StringVar(&cfg.CertDir, "cert-dir", "", "directory for the CA bundle (default: next to --env-file, else a temporary directory)")
	throttling := fs.Bool("throttling", false, "enforce Azure's request budgets (ARM token buckets, Graph's identity-and-access budget): an empty bucket answers 429 with Retry-After")
	fs.Func("variants", "answers to the documentation's open questions: profiles ("+strings.Join(variant.Profiles(), ", ")+") and POINT=OPTION pins, comma-separated, later items winning (--list-variants shows the points)", func(v string) error {
		cfg.Variants = variant.Spec(v)
		return nil
	})
	fs.Int64Var(&cfg.VariantSeed, "variant-seed", 0, "pick an option for every variant point from this seed (0: none), before --variants applies")
	fs.StringVar(&cfg.Cloud, "cloud", "", "act as a named cloud ("+strings.Join(emulator.CloudNames(), ", ")+"): its token audiences and host names, reached through the HTTPS proxy printed at start")
	listVariants := fs.Bool("list-variants", false, "print the variant points, their options and the profiles' picks, then exit")
	kubeCache := fs.Bool("kube-decision-cache", false, "cache the AKS API servers' authorization decisions with AKS's lifetimes (3 min in guard, 5 in the API server)")
	verbose := fs.Bool("v", false, "log injected faults, server errors and the AKS API servers' authorization decisions to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *throttling {
		cfg.Throttling = emulator.AzureThrottling()
	}
	if *listVariants {
		printVariants(os.Stdout, emulator.VariantCatalogue())
		return nil
	}
	if cfg.CertDir == "" && *envFile != "" {
		cfg.CertDir = filepath.Dir(*envFile)
	}
	if *kubeCache {
		cfg.KubeDecisionCache = kube.AKSCacheTTLs()
	}
	if *verbose {
		logger := log.New(os.Stderr, "", log.LstdFlags)
		cfg.Logf = logger.Printf
	}
	srv, err := emulator.Start(cfg)
	if err != nil {
		return err
	}
	if *envFile != "" {
		if err := srv.WriteEnvFile(*envFile); err != nil {
			srv.Close()
			return fmt.Errorf("writing env file: %w", err)
		}
	}
	fmt.Printf("azemu listening on %s\n", srv.URL())
	if srv.ProxyURL() != "" {
		fmt.Printf("azemu acting as the %s cloud: HTTPS_PROXY=%s\n", cfg.Cloud, srv.ProxyURL())
	}
	if cfg.VariantSpec() != "" {
		fmt.Printf("azemu variants: %s\n", srv.Variants())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		return fmt.Errorf("shutdown timed out")
	}
}

// printVariants lists each point with its options, the default first, and the profiles that pick another.
func printVariants(w io.Writer, c variant.Catalogue) {
	for _, p := range c {
		fmt.Fprintf(w, "%s: %s\n    %s\n", p.Name, strings.Join(p.Options, " | "), p.Question)
		for _, prof := range variant.Profiles() {
			if opt, ok := p.Profiles[prof]; ok {
				fmt.Fprintf(w, "    %s: %s\n", prof, opt)
			}
		}
	}
}
