// Package oracletest holds the tests that put implementations no one here
// wrote in the loop (see internal/interop): Prism serving the vendors'
// own OpenAPI documents, Esri's JavaScript client against our ArcGIS fake,
// and openssl reading what the SDK writes. It has no code of its own.
package oracletest
