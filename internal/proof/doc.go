// Package proof is the proof suite's harness: runners that take every
// client operation of a vendor package against its fake server under
// injected faults, with distinctive secrets, and concurrently, turning the
// SDK's promises (no duplicated writes, no partial files reported complete,
// no secret in any error or log, connection reuse) into counts.
//
// It names no vendor. Each vendor registers itself in its own folder: a
// proof_test.go beside the client holds its matrix rows (Operation), its
// concurrency mix (ConcVendor) and a test that calls Run with its Suite.
// Whether an operation is a read or a write is not restated in its row:
// the matrix reads it from the transport's attempt log, which reports the
// spec's answer: the operation's method, or its x-repeat in
// openapi/<vendor>.yaml (see Derived).
package proof
