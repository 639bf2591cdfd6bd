// Package crossvendor_test holds the tests that need every vendor at
// once: each vendor's error type matches only its own errors, one
// vendor's options do not compile with another's client, every vendor's
// package-comment sketch type-checks, no package under internal/ (but internal/cmd)
// imports a vendor, no secret in any testdata folder of the module, and
// no internal name in what go doc shows of any public package.
// The vendors are found, not listed, where a test needs only their
// packages (vendors_test.go). Each vendor's own proof (fault matrix,
// secrets, concurrency, coverage) and its list invariants run from its
// folder (proof_test.go, listinvariants_test.go; internal/proof), as do
// its oracle tests (<vendor>/oracle) and audit probes (<vendor>/audit).
package crossvendor_test
