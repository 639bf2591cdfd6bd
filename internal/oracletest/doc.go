// Package oracletest holds what the oracle tests share: the tests that put
// implementations no one here wrote in the loop (Prism serving the vendors'
// own OpenAPI documents, Esri's JavaScript client, openssl reading what the
// SDK writes) live in each vendor's oracle folder (<vendor>/oracle); the
// oracles themselves are started by internal/interop. It names no vendor.
// See ORACLES.md for the table of oracles.
package oracletest
