// Package proof holds the cross-vendor proof suite: tests that run every
// client operation of every vendor package against its fake server under
// injected faults, with distinctive secrets, and concurrently, turning the
// SDK's promises (no duplicated writes, no partial files reported complete,
// no secret in any error or log, connection reuse) into counts.
package proof
