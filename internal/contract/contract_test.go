package contract_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/contract"
)

const spec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: f, in: query, required: true, schema: {type: string, enum: [json]}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties: {id: {type: integer}}
`

func TestMiddlewareRecordsBadRequestsAndResponsesAndLetsTheHandlerAnswer(t *testing.T) {
	v, err := contract.Load([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"id":1}`
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})))
	defer srv.Close()

	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get("/items/1?f=json"); st != 200 || len(v.Violations()) != 0 {
		t.Fatalf("valid exchange: status %d, violations %v", st, v.Violations())
	}
	// The handler (the fake, as the vendor would) answers a request the
	// spec does not allow; the violation is only recorded.
	if st := get("/items/1?f=xml"); st != 200 || len(v.Violations()) != 1 {
		t.Fatalf("bad enum: status %d, violations %v", st, v.Violations())
	}
	if st := get("/nowhere"); st != 200 || !strings.Contains(v.Violations()[1], "no such operation") {
		t.Fatalf("unknown path: status %d, violations %v", st, v.Violations())
	}
	body = `{"name":"no id"}`
	if st := get("/items/2?f=json"); st != 200 || len(v.Violations()) != 3 || !strings.Contains(v.Violations()[2], "response") {
		t.Fatalf("bad response: status %d, violations %v", st, v.Violations())
	}
}
