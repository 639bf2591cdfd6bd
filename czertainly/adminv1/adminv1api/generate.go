// Package adminv1api is the client generated from
// openapi/czertainly-adminv1.yaml (the CZERTAINLY 1.x Administrator API). Use
// package adminv1 instead; this one is reachable through adminv1.Client.Raw
// for calls the wrappers do not cover.
package adminv1api

//go:generate go tool oapi-codegen -config ../../../openapi/czertainly-adminv1.cfg.yaml ../../../openapi/czertainly-adminv1.yaml
