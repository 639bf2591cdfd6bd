//go:build race

package cloud

// raceEnabled: the race detector drops sync.Pool items at random, so
// encoding/json's pooled scanners allocate and allocation counts differ.
const raceEnabled = true
