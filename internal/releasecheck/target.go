package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"gopkg.in/yaml.v3"
)

// singleTargetConfig writes a copy of the goreleaser configuration at src into dir whose builds make
// only this machine's platform (goreleaser's release command has no --single-target), so the dry run
// builds the provider once instead of fourteen times; everything else (archives, checksums, signing,
// manifest) is the release's own.
func singleTargetConfig(src, dir string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("%s: %w", src, err)
	}
	builds := mapValue(doc.Content[0], "builds")
	if builds == nil || builds.Kind != yaml.SequenceNode || len(builds.Content) == 0 {
		return "", fmt.Errorf("%s: no builds", src)
	}
	target := runtime.GOOS + "_" + runtime.GOARCH
	for _, b := range builds.Content {
		var kept []*yaml.Node
		for i := 0; i+1 < len(b.Content); i += 2 {
			switch b.Content[i].Value {
			case "goos", "goarch", "goarm", "goamd64", "ignore", "targets":
				continue
			}
			kept = append(kept, b.Content[i], b.Content[i+1])
		}
		targets := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: target}}}
		b.Content = append(kept, &yaml.Node{Kind: yaml.ScalarNode, Value: "targets"}, targets)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "goreleaser-single-target.yml")
	return path, os.WriteFile(path, out, 0o600)
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
