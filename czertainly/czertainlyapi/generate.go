// Package czertainlyapi is the typed client and models generated from
// openapi/czertainly.yaml (CZERTAINLY 2.x Core). Use the hand-written
// package czertainly instead; this package is its escape hatch
// (czertainly.Client.Raw) for calls the wrappers do not cover.
package czertainlyapi

//go:generate go tool oapi-codegen -config ../../openapi/czertainly.cfg.yaml ../../openapi/czertainly.yaml
