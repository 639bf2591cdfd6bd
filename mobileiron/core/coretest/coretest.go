// Package coretest is an in-memory MobileIron Core (v2 API) for tests, in
// the manner of net/http/httptest: NewServer starts it on a loopback port,
// seeded with the samples of the vendor's documentation, and every request
// and response is checked against the OpenAPI document the client is
// generated from (SpecViolations lists mismatches).
//
// It keeps state: certificate export jobs (initiated → running for a
// number of status checks → success or fail, "already in progress" for a
// second initiation), user-provided certificates, the revocation job and
// the SCEP/CE configurations. The certificate CSV can be generated on the
// fly at any size, so a test can stream a gigabyte without the fake holding
// it. Faults (status codes, Retry-After, delays, dropped connections,
// truncated bodies) are injected with Inject.
//
// On the wire it answers as Core is documented to, in strict JSON:
//
//   - Wrong or missing credentials get 401 before anything else, without a
//     WWW-Authenticate challenge (Core sends none).
//   - An unknown path gets 404 and a known path with another method 405
//     (with Allow), in Core's messages container. Core's error body is not
//     documented; every error of the fake uses that container.
//   - adminDeviceSpaceId is taken from the query and, for search and
//     search_export, from the body too (the vendor's pages disagree on the
//     placement); both may be sent and must then agree. A missing,
//     malformed or contradictory id gets 400, another device space 403.
//   - The CE configurations answer at the request URI
//     (…/CE/{caprotocol}/configurations) and at the path of the vendor's
//     curl sample (…/CE/{caprotocol}). USER_PROVIDED lists the vendor's
//     sample; LOCAL lists LocalCE (ceId 8, the enrollment of the search
//     sample's certificate) and the enrollments of
//     AddGeneratedCertificates; the other sub-types list none.
//   - The identifiers of the vendor's samples are seeded: device space 1,
//     the LocalCE certificate 2 of user 9002, the user-provided enrollment
//     10 with theadmin's certificate (certificateId 11), and the
//     enrollments 8, 9, 10 and 32, whose user without a certificate is
//     miadmin (9001). The users-without-certificates calls answer 404 for
//     other enrollments; the user-provided calls answer 400 for an
//     enrollment that is not user-provided.
package coretest

import (
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/internal/jsonfix"
)

// Credentials the fake accepts unless WithCredentials says otherwise. They are test
// values, not secrets.
const (
	Username = "miadmin"
	Password = "coretest-password"
)

// Values the seeded data uses.
const (
	// AdminDeviceSpaceID is the device space the fake serves.
	AdminDeviceSpaceID = 1
	// UserProvidedCEID is the seeded user-provided certificate enrollment.
	UserProvidedCEID = 10
	// CertificateOwner owns the seeded user-provided certificate.
	CertificateOwner = "theadmin"
	// CESettingName is the enrollment name of the seeded certificates.
	CESettingName = "LocalCE"
)

// enrollments are the certificate enrollment IDs the vendor's samples use:
// 8 (the ceId of the searched certificate), 9 (the export URLs of the
// users-without-certificates sample), 10 (the user-provided enrollment)
// and 32 (the users-without-certificates search). The fake's
// users-without-certificates calls know these and answer 404 for others.
var enrollments = []int64{8, 9, 10, 32}

//go:generate go run ../../../internal/cmd/gensurface -kind fake -pkg coretest -vendor "MobileIron Core" -client github.com/certadmin/certadmin-go/mobileiron/core -o surface.gen.go

//go:embed testdata
var testdata embed.FS

// Fixture returns a sample of the vendor's documentation from the fake's
// testdata folder, verbatim.
func Fixture(name string) ([]byte, error) {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("coretest: no fixture %s", name)
	}
	return b, nil
}

func mustFixture(name string) []byte {
	b, err := Fixture(name)
	if err != nil {
		panic(err)
	}
	return b
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	user, password string
	exportPolls    int
	tls            bool
}

// WithCredentials replaces the default credentials (User and Password).
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// WithExportPolls sets how many status checks an export stays running
// (default 1).
func WithExportPolls(n int) Option { return func(c *config) { c.exportPolls = n } }

// WithTLS serves HTTPS with httptest's self-signed certificate.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// Server is a running fake Core. Close it when done.
type Server struct {
	// URL is the base URL of the fake, for core.NewClient.
	URL string
	// Username and Password are the credentials the fake accepts.
	Username, Password string

	base    *fakeserver.Server
	samples map[string][]byte // repaired JSON samples by file name

	mu    sync.Mutex
	certs []json.RawMessage
	// generated are the enrollments of AddGeneratedCertificates.
	generated []generatedEnrollment
	// searchMessages are the search sample's messages, sent as they are.
	searchMessages json.RawMessage
	exportPolls    int
	csvSize        int64
	failNext       bool
	certExport     job
	userExports    map[int64]*job
	uploads        map[string]map[string]userProvided // CEid → principal → certificate
	nextCertID     int64
	revoking       bool
	sessions       int64
	withCookie     map[string]int
}

// SessionCookie is the name of the session cookie the fake hands out, as
// Core does.
const SessionCookie = "JSESSIONID"

// job is one export's state.
type job struct {
	started     bool
	running     bool
	pollsLeft   int
	fail        bool
	initiatedAt time.Time
	// filter is what a certificate export selects (nil: every certificate,
	// for an export started with StartExportElsewhere).
	filter *searchRequest
	result string
	file   string
	// doneReported is when a status check first answered that the job had
	// ended; downloaded is when its file was first requested after that.
	doneReported, downloaded time.Time
}

// NewServer starts a fake Core on a loopback port. Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		Username: cfg.user, Password: cfg.password,
		exportPolls: cfg.exportPolls,
		userExports: map[int64]*job{},
		withCookie:  map[string]int{},
		uploads:     map[string]map[string]userProvided{},
	}
	if s.Username == "" {
		s.Username = Username
	}
	if s.Password == "" {
		s.Password = Password
	}
	if s.exportPolls <= 0 {
		s.exportPolls = 1
	}
	if err := s.seed(); err != nil {
		return nil, fmt.Errorf("coretest: %w", err)
	}
	fs, err := fakeserver.Start(s.routes(), fakeserver.Options{Spec: "mobileiron-core.yaml", TLS: cfg.tls})
	if err != nil {
		return nil, fmt.Errorf("coretest: %w", err)
	}
	s.base, s.URL = fs, fs.URL
	return s, nil
}

// clientOptions configure a core.Client for this fake (see NewClient).
func (s *Server) clientOptions() []core.Option {
	opts := []core.Option{core.WithBasicAuth(s.Username, s.Password)}
	if pool := s.TLSRootCAs(); pool != nil {
		opts = append(opts, core.WithRootCAs(pool))
	}
	return opts
}

// loadSamples repairs the documentation's JSON samples once: they are
// printed with non-breaking spaces, "..." for elided entries and the
// trailing commas those leave. The fake answers with the repaired bytes,
// strict JSON as a real server sends; a sample that does not repair to
// valid JSON is a start-up error.
var loadSamples = sync.OnceValues(func() (map[string][]byte, error) {
	entries, err := testdata.ReadDir("testdata")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b := jsonfix.Clean(mustFixture(e.Name()))
		if !json.Valid(b) {
			return nil, fmt.Errorf("sample %s is not valid JSON after repair", e.Name())
		}
		out[e.Name()] = b
	}
	return out, nil
})

// sample is a repaired sample (see loadSamples).
func (s *Server) sample(name string) []byte {
	b, ok := s.samples[name]
	if !ok {
		panic("coretest: no sample " + name)
	}
	return b
}

// seed loads the state the samples describe.
func (s *Server) seed() error {
	samples, err := loadSamples()
	if err != nil {
		return err
	}
	s.samples = samples
	var search struct {
		Results  []json.RawMessage `json:"results"`
		Messages json.RawMessage   `json:"messages"`
	}
	if err := json.Unmarshal(s.sample("search_response.json"), &search); err != nil {
		return fmt.Errorf("search sample: %w", err)
	}
	s.certs, s.searchMessages = search.Results, search.Messages
	var get struct {
		Results json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(s.sample("get_certificate_response.json"), &get); err != nil {
		return fmt.Errorf("getCertificate sample: %w", err)
	}
	var all struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(s.sample("get_all_response.json"), &all); err != nil {
		return fmt.Errorf("getAllUserProvidedCertificateDetails sample: %w", err)
	}
	if len(all.Results) == 0 {
		return errors.New("getAllUserProvidedCertificateDetails sample holds no results")
	}
	s.uploads[strconv.Itoa(UserProvidedCEID)] = map[string]userProvided{CertificateOwner: {cert: get.Results, detail: all.Results[0]}}
	s.nextCertID = 11 // the sample's certificateId
	return nil
}

// SetExportSize makes certificate exports produce exactly n bytes of
// generated CSV (n <= 0: the CSV of the stored certificates). The bytes are
// generated while they are sent.
func (s *Server) SetExportSize(n int64) {
	s.mu.Lock()
	s.csvSize = n
	s.mu.Unlock()
}

// SetExportPolls sets how many status checks an export stays running.
func (s *Server) SetExportPolls(n int) {
	s.mu.Lock()
	s.exportPolls = max(n, 0)
	s.mu.Unlock()
}

// FailNextExport makes the next export that is initiated end with status "fail".
func (s *Server) FailNextExport() {
	s.mu.Lock()
	s.failNext = true
	s.mu.Unlock()
}

// StartExportElsewhere starts a certificate export as another administrator
// would, so the next initiation is answered "already in progress".
func (s *Server) StartExportElsewhere() {
	s.mu.Lock()
	s.startJob(&s.certExport, "certificates")
	s.mu.Unlock()
}

// SetRevocationInProgress sets whether the revocation job is running.
func (s *Server) SetRevocationInProgress(running bool) {
	s.mu.Lock()
	s.revoking = running
	s.mu.Unlock()
}

// ExportTimes tells how promptly a client went from the certificate
// export's status to its file: when a status check first answered that the
// export had ended, and when the file was first requested after that. Each
// is the zero time until it happened; initiating an export resets both.
func (s *Server) ExportTimes() (doneReported, downloadRequested time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certExport.doneReported, s.certExport.downloaded
}

// UserProvidedCertificates lists the principals holding a user-provided
// certificate in enrollment ceID.
func (s *Server) UserProvidedCertificates(ceID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.uploads[strconv.FormatInt(ceID, 10)])
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// startJob needs s.mu.
func (s *Server) startJob(j *job, kind string) {
	*j = job{
		started: true, running: true, pollsLeft: s.exportPolls, fail: s.failNext,
		initiatedAt: time.Now(),
		file:        "/mi/tomcat/temp/" + kind + "-" + strconv.FormatInt(time.Now().UnixNano(), 10) + ".csv",
	}
	s.failNext = false
}

// advance moves a job on by one status check; needs s.mu.
func (j *job) advance() {
	if !j.running {
		return
	}
	if j.pollsLeft > 0 {
		j.pollsLeft--
		return
	}
	j.running = false
	j.result = "success"
	if j.fail {
		j.result = "fail"
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const ce = "/api/v2/configuration/CE/USER_PROVIDED/"
	const nocerts = "/api/v2/configurations/CE/{ceid}/users/withnocerts/"
	mux.HandleFunc("POST /api/v2/certificates/search_export", s.initiateCertExport)
	mux.HandleFunc("GET /api/v2/certificates/search_export_status", s.certExportStatus)
	mux.HandleFunc("GET /api/v2/certificates/search_download_csv", s.downloadCertCSV)
	mux.HandleFunc("POST /api/v2/certificates/search", s.searchCertificates)
	mux.HandleFunc("POST "+ce+"{ceid}/uploadCertificate", s.upload)
	mux.HandleFunc("POST "+ce+"{ceid}/deleteCertificate", s.deleteUpload)
	mux.HandleFunc("POST "+ce+"{ceid}/getCertificate", s.getUpload)
	mux.HandleFunc("POST "+ce+"all/getAllUserProvidedCertificateDetails", s.getAllUploads)
	mux.HandleFunc("GET /api/v2/certificateCheckJob/attemptRevokeForPendingRevocation/status", s.revocationStatus)
	mux.HandleFunc("POST /api/v2/certificateCheckJob/attemptRevokeForPendingRevocation", s.revoke)
	mux.HandleFunc("GET /api/v2/configuration/SCEP/{subtype}/summary", s.configurations("scep_summary_response.json"))
	mux.HandleFunc("GET /api/v2/configurations/CE/{subtype}/configurations", s.configurations("ce_configurations_response.json"))
	// The path of the vendor's curl sample for the same call.
	mux.HandleFunc("GET /api/v2/configurations/CE/{subtype}", s.configurations("ce_configurations_response.json"))
	mux.HandleFunc("POST "+nocerts+"search", s.searchUsers)
	mux.HandleFunc("POST "+nocerts+"search_export", s.initiateUserExport)
	mux.HandleFunc("POST "+nocerts+"search_export_status", s.userExportStatus)
	mux.HandleFunc("GET "+nocerts+"search_download_csv", s.downloadUserCSV)
	routed := fakeserver.Route(mux, func(w http.ResponseWriter, r *http.Request, status int) {
		if status == http.StatusMethodNotAllowed {
			writeError(w, status, "com.mobileiron.vsp.messages.http.405",
				fmt.Sprintf("Request method '%s' is not supported for %s", r.Method, r.URL.Path))
			return
		}
		writeError(w, http.StatusNotFound, "com.mobileiron.vsp.messages.http.404",
			fmt.Sprintf("No API resource at %s", r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Credentials come first, for every path, known or not.
		if !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, "com.mobileiron.vsp.messages.http.401",
				"Authentication is required and has failed or has not been provided")
			return
		}
		s.session(w, r)
		routed.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries the fake's basic credentials. A
// refusal sends no WWW-Authenticate challenge: Core does not send one, so
// clients must send the credentials preemptively.
func (s *Server) authorized(r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	userOK := subtle.ConstantTimeCompare([]byte(u), []byte(s.Username)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(p), []byte(s.Password)) == 1
	return ok && userOK && passOK
}

// session hands out a session cookie to requests without one and counts,
// per path, the requests that came back with it.
func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := r.Cookie(SessionCookie); err == nil {
		s.withCookie[r.Method+" "+r.URL.Path]++
		return
	}
	s.sessions++
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "coretest-session-" + strconv.FormatInt(s.sessions, 10), Path: "/", HttpOnly: true})
}

// HitsWithSession counts the requests to method and path that carried the
// session cookie handed out earlier.
func (s *Server) HitsWithSession(method, path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.withCookie[method+" "+path]
}
