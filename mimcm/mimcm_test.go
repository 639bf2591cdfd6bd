package mimcm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

const requestsPath = "/CertificateManagement/api/v1.0/requests"

// fastRetry keeps retries real but the test fast.
var fastRetry = mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second})

// setup starts a fake and a client signed in as its main user. The fake
// must have seen no spec violation and no unused fault when the test ends.
func setup(t *testing.T, opts ...mimcm.Option) (*mimcmtest.Server, *mimcm.Client) {
	t.Helper()
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient(append([]mimcm.Option{fastRetry}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func ptr[T any](v T) *T { return &v }

// The two requests of Microsoft's samples, as the client must present them.
var (
	wantEnroll = mimcm.Request{
		UUID:                mimcmtest.SampleEnrollID,
		Type:                mimcm.RequestTypeEnroll,
		Status:              3,
		Flags:               2,
		DataCollection:      []mimcm.DataItem{},
		DataCollectionFlags: 32,
		OriginatorUserUUID:  ptr(mimcmtest.UserUUID),
		TargetUserUUID:      ptr(mimcmtest.UserUUID),
		Submitted:           time.Date(2015, 7, 7, 23, 36, 21, 930_000_000, time.UTC),
		ProfileTemplateUUID: ptr(uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")),
		SecurityDescriptor:  "O:S-1-5-21-2127521184-1604012920-1887927527-14134865D:(D;;LC;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)(A;;DCSW;;;S-1-5-21-2127521184-1604012920-1887927527-5094533)(A;;DCSW;;;S-1-5-21-2127521184-1604012920-1887927527-5094534)(A;;DCSW;;;S-1-5-21-2127521184-1604012920-1887927527-5219125)(A;;SWRC;;;S-1-5-21-2127521184-1604012920-1887927527-5094533)(A;;RC;;;WD)(A;;CCDCLCSWSDRC;;;S-1-5-21-2127521184-1604012920-1887927527-14134865)(A;;DCSW;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)(A;;CCDCSW;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)",
		IsSmartcard:         true,
	}
	wantUnblock = mimcm.Request{
		UUID:                mimcmtest.SampleUnblockID,
		Type:                mimcm.RequestTypeUnblock,
		Status:              3,
		Flags:               2,
		DataCollection:      []mimcm.DataItem{{Name: "Sample Data Item"}},
		DataCollectionFlags: 32,
		OriginatorUserUUID:  ptr(mimcmtest.UserUUID),
		TargetUserUUID:      ptr(mimcmtest.UserUUID),
		Submitted:           time.Date(2015, 7, 7, 23, 40, 33, 133_000_000, time.UTC),
		NewProfileUUID:      ptr(uuid.MustParse("b99ff38c-6653-471f-ae3c-325bb351a6bc")),
		OldProfileUUID:      ptr(uuid.MustParse("b99ff38c-6653-471f-ae3c-325bb351a6bc")),
		NewSmartcardUUID:    ptr(uuid.MustParse("17cf063d-e337-4aa9-a822-346554ddd3c9")),
		OldSmartcardUUID:    ptr(uuid.MustParse("17cf063d-e337-4aa9-a822-346554ddd3c9")),
		ProfileTemplateUUID: ptr(uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")),
		SecurityDescriptor:  "O:S-1-5-21-2127521184-1604012920-1887927527-14134865D:(D;;LC;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)(A;;SWRC;;;S-1-5-21-2127521184-1604012920-1887927527-5094533)(A;;RC;;;WD)(A;;CCDCLCSWSDRC;;;S-1-5-21-2127521184-1604012920-1887927527-14134865)(A;;DCSW;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)(A;;CCDCSW;;;S-1-5-21-2127521184-1604012920-1887927527-14995557)",
		IsSmartcard:         true,
	}
)

func TestGetRequestDecodesTheSamples(t *testing.T) {
	srv, c := setup(t)
	for _, want := range []mimcm.Request{wantEnroll, wantUnblock} {
		got, err := c.GetRequest(context.Background(), want.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, *got); diff != "" {
			t.Errorf("GetRequest(%s) mismatch (-want +got):\n%s", want.UUID, diff)
		}
		if got.IsCompleted() {
			t.Errorf("%s: the sample's zone-less year-1 Completed must read as not completed", want.UUID)
		}
		if n := srv.Hits(http.MethodGet, requestsPath+"/"+want.UUID.String()); n != 1 {
			t.Errorf("%s: %d hits, want 1", want.UUID, n)
		}
	}
}

func TestListRequestsFilters(t *testing.T) {
	srv, c := setup(t)
	other := uuid.MustParse("11111111-2222-3333-4444-555555555555")
	srv.AddUser(mimcmtest.User{Username: `CONTOSO\someone`, Password: "fake-someone-password", ID: other})
	completedAt := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	done := mimcm.Request{
		UUID: uuid.MustParse("3f8c1c57-0e0f-4b4f-9a55-6b1e0e6c2d10"), Type: mimcm.RequestTypeEnroll, Status: 8,
		DataCollection: []mimcm.DataItem{}, TargetUserUUID: &other, OriginatorUserUUID: &other,
		Submitted: completedAt.Add(-time.Hour), Completed: completedAt,
		SecurityDescriptor: "O:WD\x00\x00",
	}
	if err := srv.AddRequest(done); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	all, err := c.ListRequests(ctx, mimcm.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(all); !cmp.Equal(got, []uuid.UUID{mimcmtest.SampleEnrollID, mimcmtest.SampleUnblockID, done.UUID}) {
		t.Errorf("all requests: %v", got)
	}
	if diff := cmp.Diff([]mimcm.Request{wantEnroll, wantUnblock}, all[:2]); diff != "" {
		t.Errorf("listed samples mismatch (-want +got):\n%s", diff)
	}
	last := all[2]
	if !last.Completed.Equal(completedAt) || !last.IsCompleted() || last.Status.String() != "Completed" || last.SecurityDescriptor != "O:WD" {
		t.Errorf("completed request: Completed=%v Status=%v SD=%q", last.Completed, last.Status, last.SecurityDescriptor)
	}
	if last.NewProfileUUID != nil || last.ProfileTemplateUUID != nil {
		t.Errorf("all-zero GUIDs must be absent: %v %v", last.NewProfileUUID, last.ProfileTemplateUUID)
	}

	approved, err := c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusApproved})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(approved); !cmp.Equal(got, []uuid.UUID{mimcmtest.SampleEnrollID, mimcmtest.SampleUnblockID}) {
		t.Errorf("approved: %v", got)
	}
	completed, err := c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusCompleted})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(completed); !cmp.Equal(got, []uuid.UUID{done.UUID}) {
		t.Errorf("completed: %v", got)
	}
	mine, err := c.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(mine); !cmp.Equal(got, []uuid.UUID{mimcmtest.SampleEnrollID, mimcmtest.SampleUnblockID}) {
		t.Errorf("current user's: %v", got)
	}

	// 204 No Content is an empty list, not an error.
	none, err := c.ListRequests(ctx, mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusFailed})
	if err != nil {
		t.Fatalf("204 must be an empty list: %v", err)
	}
	if len(none) != 0 {
		t.Errorf("want no requests, got %v", ids(none))
	}
	if n := srv.Hits(http.MethodGet, requestsPath); n != 5 {
		t.Errorf("%d list hits, want 5", n)
	}
}

func ids(rs []mimcm.Request) []uuid.UUID {
	out := []uuid.UUID{}
	for _, r := range rs {
		out = append(out, r.UUID)
	}
	return out
}

func TestBadInputIsRejectedBeforeSending(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	_, err1 := c.GetRequest(ctx, uuid.Nil)
	_, err2 := c.ListRequests(ctx, mimcm.RequestFilter{Status: "pending"}) // wrong case: the API takes the published spelling
	_, err3 := c.ListRequests(ctx, mimcm.RequestFilter{Status: "Abandoned"})
	_, err4 := mimcm.ParseRequestID("a9b4b42c-cc50-4c9b-89d1")
	_, err5 := mimcm.ParseRequestID("00000000-0000-0000-0000-000000000000")
	_, err6 := mimcm.ParseStatus("Abandoned")
	for i, err := range []error{err1, err2, err3, err4, err5, err6} {
		if !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Errorf("case %d: got %v, want ErrInvalidInput", i+1, err)
		}
	}
	if !strings.HasPrefix(err1.Error(), "mimcm.GetRequest: ") || !strings.Contains(err3.Error(), `"Abandoned"`) {
		t.Errorf("errors must name the operation and the value: %q, %q", err1, err3)
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
}

func TestParsers(t *testing.T) {
	id, err := mimcm.ParseRequestID("{A9B4B42C-CC50-4C9B-89D1-BBC0BCD5A099}")
	if err != nil || id != mimcmtest.SampleEnrollID {
		t.Errorf("ParseRequestID with braces = %v, %v", id, err)
	}
	n, err := mimcm.ParseStatus("pending")
	if err != nil || n != mimcm.StatusPending {
		t.Errorf("ParseStatus(pending) = %q, %v", n, err)
	}
	for _, s := range []struct {
		got, want string
	}{
		{mimcm.StatusNumber(8).String(), "Completed"},
		{mimcm.StatusNumber(3).String(), "Approved"}, // inferred from the samples (see StatusNumber)
		{mimcm.StatusNumber(4).String(), "4"},
		{mimcm.RequestType(1).String(), "Enroll"},
		{mimcm.RequestType(5).String(), "Unblock"},
		{mimcm.RequestType(7).String(), "7"},
	} {
		if s.got != s.want {
			t.Errorf("got %q, want %q", s.got, s.want)
		}
	}
}

func TestGetRequestUnknownIsNotFound(t *testing.T) {
	srv, c := setup(t)
	id := uuid.MustParse("6a1f0c8e-3b7d-4c2e-9f10-0d2b7c6e5a41")
	_, err := c.GetRequest(context.Background(), id)
	if !errors.Is(err, mimcm.ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound for a 204", err)
	}
	var e *mimcm.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusNoContent || e.Hint != "" || !strings.Contains(e.Error(), id.String()) {
		t.Errorf("204 error: %#v", e)
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
}

func TestForbiddenUser(t *testing.T) {
	srv, c := setup(t, mimcm.WithBasicAuth(mimcmtest.NoAccessUsername, mimcmtest.NoAccessPassword))
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	if !errors.Is(err, mimcm.ErrForbidden) {
		t.Fatalf("got %v, want ErrForbidden", err)
	}
	var e *mimcm.Error
	if errors.As(err, &e); e.Message != "Access is denied." || e.Op != "mimcm.ListRequests" {
		t.Errorf("403 error: op %q message %q", e.Op, e.Message)
	}
	if strings.Contains(err.Error(), mimcmtest.NoAccessPassword) {
		t.Errorf("error shows the password: %v", err)
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d hits, want 1 (403 is not retried)", n)
	}
}

func TestWrongPasswordIsUnauthorizedAndRedacted(t *testing.T) {
	const wrong = "wrong-secret-password"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_, c := setup(t, mimcm.WithBasicAuth(mimcmtest.Username, wrong), mimcm.WithLogger(logger))
	_, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Errorf("password leaked:\nerr: %v\nlogs: %s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "status=401") {
		t.Errorf("the attempt was not logged: %s", logs.String())
	}
}

func TestDisabledAPIExplainsThe404(t *testing.T) {
	srv, c := setup(t)
	srv.SetEnabled(false)
	// The disabled API's routes do not exist: IIS answers with its HTML page.
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	var e *mimcm.Error
	if !errors.As(err, &e) || !errors.Is(err, mimcm.ErrNotFound) || !errors.Is(err, mimcm.ErrHTMLResponse) || !strings.Contains(e.Hint, "Clm.WebApi.Enabled") {
		t.Fatalf("got %v, want an HTML ErrNotFound naming Clm.WebApi.Enabled", err)
	}
	// A Web API 404 in JSON (a wrong base URL) gets the hint too.
	srv.SetEnabled(true)
	srv.Inject(mimcmtest.Fault{Status: http.StatusNotFound, ContentType: "application/json; charset=utf-8", Body: `{"Message":"No resource matches."}`})
	_, err = c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if !errors.As(err, &e) || !errors.Is(err, mimcm.ErrNotFound) || errors.Is(err, mimcm.ErrHTMLResponse) ||
		e.Message != "No resource matches." || !strings.Contains(e.Hint, "Clm.WebApi.Enabled") {
		t.Errorf("JSON 404: %v", err)
	}
	if n := srv.TotalHits(); n != 2 {
		t.Errorf("%d hits, want 2 (404 is not retried)", n)
	}
}

func TestServerErrorKeepsCorrelationID(t *testing.T) {
	srv, c := setup(t)
	const cid = "5d0b3a4e-8c61-4f0e-b2a7-93c1d4e5f607"
	srv.Inject(mimcmtest.InternalError(cid, 3))
	_, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if !errors.Is(err, mimcm.ErrServer) {
		t.Fatalf("got %v, want ErrServer", err)
	}
	if got := mimcm.CorrelationID(err); got != cid {
		t.Errorf("CorrelationID = %q, want %q", got, cid)
	}
	if !strings.Contains(err.Error(), "Correlation ID: "+cid) {
		t.Errorf("the message must keep the correlation ID: %v", err)
	}
	if n := srv.TotalHits(); n != 3 {
		t.Errorf("%d hits, want 3 (a read is retried on 500)", n)
	}
	if mimcm.CorrelationID(errors.New("x")) != "" {
		t.Error("CorrelationID of a plain error must be empty")
	}
}

// The correlation ID of a 500 is whatever the server printed, not only a
// GUID: the vendor's documentation does not give its form.
func TestCorrelationIDIsReturnedAsPrinted(t *testing.T) {
	long := strings.Repeat("a1", 100)
	for _, c := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        string
	}{
		{"the fake's 500", 500, "", "", "0HMPNHL0JHL76:00000001"},
		{"trace identifier, sentence ends", 500, "application/json", `{"Message":"An error has occurred. Correlation ID: 0HMPNHL0JHL76:00000001."}`, "0HMPNHL0JHL76:00000001"},
		{"GUID in braces, upper case", 500, "application/json", `{"Message":"Failed (correlation id = {5D0B3A4E-8C61-4F0E-B2A7-93C1D4E5F607})."}`, "{5D0B3A4E-8C61-4F0E-B2A7-93C1D4E5F607}"},
		{"number, in quotes", 503, "application/json", `"Unhandled exception; CorrelationId: '48213'"`, "48213"},
		{"field of its own", 500, "application/json", `{"Message":"An error has occurred.","CorrelationId":" req-42 "}`, "req-42"},
		{"long plain text", 500, "text/plain", "Internal error {correlation-id is X-9/7} " + strings.Repeat("x", 600), "X-9/7"},
		{"capped", 500, "application/json", `{"Message":"Correlation ID: ` + long + `"}`, long[:128]},
		{"lone GUID without a label", 500, "application/json", `{"Message":"Failure 5d0b3a4e-8c61-4f0e-b2a7-93c1d4e5f607"}`, "5d0b3a4e-8c61-4f0e-b2a7-93c1d4e5f607"},
		{"label without an ID", 500, "application/json", `{"Message":"Correlation ID: "}`, ""},
		{"not a 5xx", 400, "application/json", `{"Message":"Correlation ID: 0HMPNHL0JHL76:00000001"}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, cl := setup(t, mimcm.WithMaxAttempts(1))
			f := mimcmtest.InternalError("0HMPNHL0JHL76:00000001", 1)
			if c.body != "" {
				f = mimcmtest.Fault{Status: c.status, ContentType: c.contentType, Body: c.body}
			}
			srv.Inject(f)
			_, err := cl.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
			if err == nil {
				t.Fatal("no error")
			}
			if got := mimcm.CorrelationID(err); got != c.want {
				t.Errorf("CorrelationID = %q, want %q (error: %v)", got, c.want, err)
			}
			var e *mimcm.Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *mimcm.Error", err)
			}
			if c.want != "" && !strings.Contains(e.Hint, "correlation ID "+c.want) {
				t.Errorf("hint %q does not name the ID", e.Hint)
			}
			if c.want == "" && e.Hint != "" {
				t.Errorf("hint %q without a correlation ID", e.Hint)
			}
		})
	}
}

func TestCorrelationIDNeverShowsACredential(t *testing.T) {
	srv, c := setup(t, mimcm.WithMaxAttempts(1))
	srv.Inject(mimcmtest.Fault{Status: 500, ContentType: "application/json", Body: `{"Message":"Correlation ID: ` + mimcmtest.Password + `"}`})
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	var e *mimcm.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if id := mimcm.CorrelationID(err); strings.Contains(id, mimcmtest.Password) || strings.Contains(e.Hint, mimcmtest.Password) || strings.Contains(err.Error(), mimcmtest.Password) {
		t.Errorf("the password leaked: id %q, hint %q, error %v", id, e.Hint, err)
	}
}

func TestReadsAreRetried(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	srv.Inject(mimcmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID); err != nil {
		t.Fatalf("503 then 200: %v", err)
	}
	srv.Inject(mimcmtest.Fault{Reset: true})
	list, err := c.ListRequests(ctx, mimcm.RequestFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("reset then 200: %d requests, %v", len(list), err)
	}
	if n := srv.TotalHits(); n != 4 {
		t.Errorf("%d hits, want 4 (each call retried once)", n)
	}
}

// countingTransport stands in for an NTLM/Negotiate round tripper: it sees
// every attempt, below the client's retries.
type countingTransport struct {
	n      atomic.Int32
	auth   atomic.Value // string
	header atomic.Value // http.Header of the last attempt
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.auth.Store(r.Header.Get("Authorization"))
	c.header.Store(r.Header.Clone())
	return http.DefaultTransport.RoundTrip(r)
}

func TestCustomTransportKeepsRetriesAndErrors(t *testing.T) {
	rt := &countingTransport{}
	srv, c := setup(t, mimcm.WithTransport(rt))
	srv.Inject(mimcmtest.Fault{Status: http.StatusBadGateway})
	if _, err := c.GetRequest(context.Background(), mimcmtest.SampleUnblockID); err != nil {
		t.Fatal(err)
	}
	if n := rt.n.Load(); n != 2 {
		t.Errorf("the custom transport saw %d attempts, want 2", n)
	}
	if a, _ := rt.auth.Load().(string); !strings.HasPrefix(a, "Basic ") {
		t.Errorf("credentials must reach the custom transport on every attempt, got %q", a)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusForbidden, Body: `"Access is denied."`, ContentType: "application/json"})
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	var e *mimcm.Error
	if !errors.As(err, &e) || !errors.Is(err, mimcm.ErrForbidden) || e.Message != "Access is denied." {
		t.Errorf("typed error through a custom transport: %v", err)
	}
	if n := srv.TotalHits(); n != 3 {
		t.Errorf("%d hits, want 3", n)
	}
}

func TestOddBodies(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	sample, err := mimcmtest.Fixture(mimcmtest.FixtureEnroll)
	if err != nil {
		t.Fatal(err)
	}
	// The list answer has no sample; a bare object is taken as a list of one.
	srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: string(sample)})
	list, err := c.ListRequests(ctx, mimcm.RequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]mimcm.Request{wantEnroll}, list); diff != "" {
		t.Errorf("single object as list (-want +got):\n%s", diff)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: `{"Uuid":`})
	if _, err := c.GetRequest(ctx, wantEnroll.UUID); !errors.Is(err, mimcm.ErrUnexpectedResponse) {
		t.Errorf("malformed JSON: got %v, want ErrUnexpectedResponse", err)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: strings.Replace(string(sample), `"2015-07-07T23:36:21.93Z"`, `"last tuesday"`, 1)})
	if _, err := c.GetRequest(ctx, wantEnroll.UUID); !errors.Is(err, mimcm.ErrUnexpectedResponse) {
		t.Errorf("bad time: got %v, want ErrUnexpectedResponse", err)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "text/html", Body: mimcmtest.HTMLLoginPage})
	if _, err := c.GetRequest(ctx, wantEnroll.UUID); !errors.Is(err, mimcm.ErrHTMLResponse) {
		t.Errorf("login page: got %v, want ErrHTMLResponse", err)
	}
	if n := srv.TotalHits(); n != 4 {
		t.Errorf("%d hits, want 4", n)
	}
}

func TestBearerTokenReachesTheTransportAndStaysOutOfErrors(t *testing.T) {
	const token = "fake-adfs-token-value"
	rt := &countingTransport{}
	srv, c := setup(t, mimcm.WithTransport(rt), mimcm.WithToken(staticToken(token)))
	_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	if !errors.Is(err, mimcm.ErrUnauthorized) { // the fake accepts basic authentication only
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if a, _ := rt.auth.Load().(string); a != "Bearer "+token {
		t.Errorf("Authorization sent: %q", a)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the token leaked into the error: %v", err)
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
}

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

func TestGetRequestRefusesAnAnswerWithoutARequest(t *testing.T) {
	srv, c := setup(t)
	for _, body := range []string{"null", "{}"} {
		srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "application/json", Body: body})
		_, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
		if !errors.Is(err, mimcm.ErrUnexpectedResponse) {
			t.Fatalf("body %s: err = %v, want ErrUnexpectedResponse", body, err)
		}
	}
}
