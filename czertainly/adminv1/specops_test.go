package adminv1_test

import (
	"os"
	"testing"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// Every request the package's tests send must match exactly one operation
// of openapi/ (its operations.gen.go): the spec's x-repeat decides whether
// it may be repeated only for requests it describes.
func TestMain(m *testing.M) { os.Exit(transport.RunWatchingOperations(m)) }
