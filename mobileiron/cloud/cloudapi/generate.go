// Package cloudapi is the client generated from openapi/mobileiron-cloud.yaml.
// Use package cloud instead; this package is its escape hatch (cloud.Client.Raw).
package cloudapi

//go:generate go tool oapi-codegen -config ../../../openapi/mobileiron-cloud.cfg.yaml ../../../openapi/mobileiron-cloud.yaml
