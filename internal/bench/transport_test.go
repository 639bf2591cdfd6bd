package bench_test

import (
	"testing"

	"github.com/certadmin/certadmin-go/internal/bench"
)

func BenchmarkSmallGET(b *testing.B) {
	srv := bench.NewSmallServer()
	defer srv.Close()
	b.Run("sdk", func(b *testing.B) { bench.SmallGETSDK(b, srv.URL) })
	b.Run("net-http", func(b *testing.B) { bench.SmallGETBare(b, srv.URL) })
}
