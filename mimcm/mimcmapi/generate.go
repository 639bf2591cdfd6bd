// Package mimcmapi is the client and models generated from
// openapi/mimcm.yaml for the MIM Certificate Management REST API. Use the
// mimcm package instead; this one is its escape hatch (mimcm.Client.Raw).
//
// Everything here except datetime.go is generated: do not edit it.
package mimcmapi

//go:generate go tool oapi-codegen -config ../../openapi/mimcm.cfg.yaml ../../openapi/mimcm.yaml
