// Package openapi holds the hand-written OpenAPI 3 documents that describe
// each vendor API certadmin-go speaks. They are the source of truth: the
// typed clients are generated from them, and the fake servers validate
// every request and response against them.
package openapi

import (
	"embed"
	"fmt"
)

//go:embed *.yaml
var files embed.FS

// Spec returns the OpenAPI document with the given file name, e.g.
// "mobileiron-core.yaml".
func Spec(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("openapi: no spec named %q", name)
	}
	return b, nil
}
