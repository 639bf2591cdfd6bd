// Package enterpriseadminapi is the client generated from
// openapi/enterpriseadmin.yaml. Use the enterpriseadmin package instead; this
// one is its escape hatch (enterpriseadmin.Client.Raw).
package enterpriseadminapi

//go:generate go tool oapi-codegen -config ../../openapi/enterpriseadmin.cfg.yaml ../../openapi/enterpriseadmin.yaml
