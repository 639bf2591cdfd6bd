// Package crossvendor_test holds the tests that need every vendor at
// once: each vendor's error type matches only its own errors, one
// vendor's options do not compile with another's client, the list and
// paging invariants over every vendor's lists, no secret in any
// testdata folder of the module, and no internal name in what go doc
// shows of any public package. Each vendor's own proof (fault matrix,
// secrets, concurrency, coverage) runs from its folder (proof_test.go,
// internal/proof); this is the one place that lists all vendors.
package crossvendor_test
