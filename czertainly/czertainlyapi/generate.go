// Package czertainlyapi is the client generated from openapi/czertainly.yaml
// (CZERTAINLY Administrator API). Use package czertainly instead; this one is
// reachable through czertainly.Client.Raw for calls the wrappers do not cover.
package czertainlyapi

//go:generate go tool oapi-codegen -config ../../openapi/czertainly.cfg.yaml ../../openapi/czertainly.yaml
