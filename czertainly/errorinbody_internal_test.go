package czertainly

import "testing"

// errorInBody finds Core's error shapes and nothing else: answers made of
// some of the same member names stay answers.
func TestErrorInBodyTellsErrorsFromAnswers(t *testing.T) {
	for _, tc := range []struct {
		body          string
		code, message string
		isError       bool
	}{
		{`{"message":"Internal server error."}`, "", "Internal server error.", true},
		{`{"statusCode":403,"code":"ACCESS_DENIED","message":"denied"}`, "ACCESS_DENIED", "denied", true},
		{`{"statusCode":400,"code":"ENTITY_NOT_UNIQUE"}`, "ENTITY_NOT_UNIQUE", "", true},
		{`{"type":"about:blank","title":"Bad Request","status":400,"detail":"bad","code":"X"}`, "X", "bad", true},
		{`{"title":"Not Found","status":404}`, "", "Not Found", true},
		{`{"timestamp":"2026-01-01T00:00:00Z","status":500,"error":"Internal Server Error","path":"/api/v1/x"}`, "", "Internal Server Error", true},
		// Answers.
		{`{"status":"UP"}`, "", "", false},
		{`{"status":"UP","components":{"db":{"status":"UP"}}}`, "", "", false},
		{`{"status":"SUCCESS","failedItem":0,"message":"Initiated bulk delete"}`, "", "", false},
		{`{"status":"SUCCESS","message":"Initiated bulk delete"}`, "", "", false},
		{`{"certificates":[],"itemsPerPage":10,"pageNumber":1,"totalPages":0,"totalItems":0}`, "", "", false},
		{`{"message":"x","uuid":"0b6f4b8e-0c4a-4b8e-9f7e-7c0e3c1d2a55"}`, "", "", false},
		{`{"status":400}`, "", "", false},
		{`{"message":7}`, "", "", false},
		{`["the request is not valid"]`, "", "", false},
		{`{}`, "", "", false},
	} {
		be := errorInBody([]byte(tc.body))
		if (be != nil) != tc.isError {
			t.Errorf("%s: error %+v, want an error: %v", tc.body, be, tc.isError)
			continue
		}
		if be != nil && (be.Code != tc.code || be.Message != tc.message) {
			t.Errorf("%s: code %q message %q, want %q %q", tc.body, be.Code, be.Message, tc.code, tc.message)
		}
	}
}
