// Package coreapi is the typed client and models generated from
// openapi/mobileiron-core.yaml. Use the hand-written package core instead;
// this package is its escape hatch (core.Client.Raw) for calls the wrappers
// do not cover.
package coreapi

//go:generate go tool oapi-codegen -config ../../../openapi/mobileiron-core.cfg.yaml ../../../openapi/mobileiron-core.yaml
