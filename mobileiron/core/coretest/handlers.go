package coretest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/mobileiron/core"
)

const msgPrefix = "com.mobileiron.vsp.rest.controllers."

type message struct {
	Type              string `json:"type"`
	MessageKey        string `json:"messageKey"`
	LocalizedMessage  string `json:"localizedMessage"`
	MessageParameters []any  `json:"messageParameters,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeSample answers with a repaired sample of the documentation.
func (s *Server) writeSample(w http.ResponseWriter, name string) {
	b := s.sample(name)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// writeError answers in Core's messages container with type Error (Core's
// error body is not documented; this is the shape the client expects).
func writeError(w http.ResponseWriter, status int, key, text string) {
	writeJSON(w, status, map[string]any{"messages": []message{{Type: "Error", MessageKey: key, LocalizedMessage: text}}})
}

func info(key, text string) []message {
	return []message{{Type: "Info", MessageKey: key, LocalizedMessage: text}}
}

const keyBadRequest = "com.mobileiron.vsp.messages.http.400"

// deviceSpace checks the request's adminDeviceSpaceId. The vendor's pages
// place it in the query or in the body depending on the version, so the
// fake takes it from the query and, for the POST calls, from the body
// (inBody, nil when the body has none); when both carry it they must
// agree. It answers 400 for a missing, malformed or contradictory id and
// 403 for a device space other than the fake's, and reports whether the
// handler may go on.
func deviceSpace(w http.ResponseWriter, r *http.Request, inBody *int64) bool {
	var inQuery *int64
	if q := r.URL.Query(); q.Has("adminDeviceSpaceId") {
		id, err := strconv.ParseInt(q.Get("adminDeviceSpaceId"), 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, keyBadRequest,
				fmt.Sprintf("Parameter adminDeviceSpaceId %q is not a number", q.Get("adminDeviceSpaceId")))
			return false
		}
		inQuery = &id
	}
	id := inQuery
	switch {
	case inQuery == nil && inBody == nil:
		writeError(w, http.StatusBadRequest, keyBadRequest, "Required parameter adminDeviceSpaceId is missing")
		return false
	case inQuery == nil:
		id = inBody
	case inBody != nil && *inBody != *inQuery:
		writeError(w, http.StatusBadRequest, keyBadRequest,
			fmt.Sprintf("Parameter adminDeviceSpaceId is %d in the query but %d in the body", *inQuery, *inBody))
		return false
	}
	switch {
	case *id == AdminDeviceSpaceID:
		return true
	case *id <= 0:
		writeError(w, http.StatusBadRequest, keyBadRequest,
			fmt.Sprintf("Parameter adminDeviceSpaceId must be a positive number, got %d", *id))
	default:
		writeError(w, http.StatusForbidden, "com.mobileiron.vsp.messages.http.403",
			fmt.Sprintf("Administrator has no access to device space %d", *id))
	}
	return false
}

// readFilter decodes the JSON body of search and search_export.
func readFilter(w http.ResponseWriter, r *http.Request) (searchRequest, bool) {
	var req searchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, keyBadRequest, "Malformed request body")
		return req, false
	}
	return req, true
}

func (s *Server) initiateCertExport(w http.ResponseWriter, r *http.Request) {
	req, ok := readFilter(w, r)
	if !ok || !deviceSpace(w, r, req.AdminDeviceSpaceID) {
		return
	}
	if req.CeSettingName == "" || req.CertificateStatus == "" {
		writeError(w, http.StatusBadRequest, keyBadRequest, "Required parameters ceSettingName and certificateStatus must be given")
		return
	}
	s.mu.Lock()
	running := s.certExport.running
	if !running {
		s.startJob(&s.certExport, "certificates")
		s.certExport.filter = &req
	}
	s.mu.Unlock()
	if running {
		s.writeSample(w, "search_export_in_progress_response.json")
		return
	}
	s.writeSample(w, "search_export_response.json")
}

type exportStatus struct {
	IsRunning               bool   `json:"isRunning"`
	ExportStatusMsg         string `json:"exportStatusMsg,omitempty"`
	CsvFileName             string `json:"csvFileName,omitempty"`
	IsExportStatusAvailable bool   `json:"isExportStatusAvailable"`
	InitiatedAt             int64  `json:"initiatedAt,omitempty"`
}

// statusOf advances j by one check and describes it; needs s.mu.
func statusOf(j *job) exportStatus {
	if !j.started {
		return exportStatus{}
	}
	j.advance()
	st := exportStatus{IsRunning: j.running, IsExportStatusAvailable: true, InitiatedAt: j.initiatedAt.UnixMilli()}
	if !j.running {
		st.ExportStatusMsg, st.CsvFileName = j.result, j.file
	}
	return st
}

func (s *Server) certExportStatus(w http.ResponseWriter, r *http.Request) {
	if !deviceSpace(w, r, nil) {
		return
	}
	s.mu.Lock()
	st := statusOf(&s.certExport)
	if j := &s.certExport; j.started && !j.running && j.doneReported.IsZero() {
		j.doneReported = time.Now()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": st})
}

// ready reports whether j holds a downloadable file; needs s.mu.
func ready(j *job) bool { return j.started && !j.running && j.result == "success" }

func noFile(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, msgPrefix+"CertificateManagementController.Messages.FILE_NOT_FOUND",
		"No exported file is available; initiate an export first")
}

func (s *Server) downloadCertCSV(w http.ResponseWriter, r *http.Request) {
	if !deviceSpace(w, r, nil) {
		return
	}
	s.mu.Lock()
	isReady, size, filter := ready(&s.certExport), s.csvSize, s.certExport.filter
	if j := &s.certExport; isReady && !j.doneReported.IsZero() && j.downloaded.IsZero() {
		j.downloaded = time.Now()
	}
	certs := append([]json.RawMessage(nil), s.certs...)
	s.mu.Unlock()
	if !isReady {
		noFile(w)
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Disposition", `attachment; filename="certificates.csv"`)
	if size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		_ = WriteGeneratedCSV(w, size)
		return
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(csvHeader)
	for _, raw := range certs {
		if filter != nil && !matches(raw, *filter) {
			continue
		}
		var c map[string]any
		_ = json.Unmarshal(raw, &c)
		row := make([]string, len(csvHeader))
		for i, k := range csvHeader {
			row[i] = text(c[k])
		}
		if row[4] == "" {
			row[4] = text(c["deviceUUid"])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}

var csvHeader = []string{"id", "serialNumber", "type", "userId", "deviceUuid", "ceSettingName", "certificateStatus", "createdAt", "expiredAt"}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// generated CSV: a header, then fixed-width rows whose numbers are patched
// in place, so any size streams fast from a small buffer.
const (
	genHeader = "id,serialNumber,type,userId,deviceUuid,ceSettingName,certificateStatus,createdAt,expiredAt\n"
	genRow    = "000000000000,00000000000000000000,Centralized,0000009002,5f1db255-8d3d-4943-8bab-000000000000,LocalCE,ACTIVE,2016-04-18,2027-04-18\n"
)

// GeneratedCSVRows is how many data rows WriteGeneratedCSV writes for size bytes.
func GeneratedCSVRows(size int64) int64 {
	if size <= int64(len(genHeader)) {
		return 0
	}
	return (size - int64(len(genHeader))) / int64(len(genRow))
}

// WriteGeneratedCSV writes exactly size bytes of certificate CSV to w: a
// header and whole rows, padded at the end with empty lines (which CSV
// readers skip). It holds only a 64 KiB buffer whatever the size.
func WriteGeneratedCSV(w io.Writer, size int64) error {
	head := []byte(genHeader)
	if size <= int64(len(head)) {
		_, err := w.Write(head[:max(size, 0)])
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	rows := GeneratedCSVRows(size)
	pad := size - int64(len(head)) - rows*int64(len(genRow))
	buf := make([]byte, 0, 64<<10)
	row := []byte(genRow)
	putDigits(row[13:33], 4493327816883622) // serial numbers count up from the vendor's sample
	for range rows {
		// Row i holds id i, serial base+i and UUID tail i: counting up in
		// place costs a digit or two per row instead of formatting numbers.
		increment(row[0:12])
		increment(row[13:33])
		increment(row[81:93])
		buf = append(buf, row...)
		if len(buf)+len(row) > cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	for ; pad > 0; pad-- {
		buf = append(buf, '\n')
		if len(buf) == cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		_, err := w.Write(buf)
		return err
	}
	return nil
}

// increment adds one to the decimal number in dst, wrapping at its width.
func increment(dst []byte) {
	for i := len(dst) - 1; i >= 0; i-- {
		if dst[i] != '9' {
			dst[i]++
			return
		}
		dst[i] = '0'
	}
}

func putDigits(dst []byte, n int64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
}

// searchRequest is the body of search and search_export.
type searchRequest struct {
	AdminDeviceSpaceID *int64 `json:"adminDeviceSpaceId"`
	CeSettingName      string `json:"ceSettingName"`
	CertificateStatus  string `json:"certificateStatus"`
	UserID             string `json:"userId"`
	DeviceUUID         string `json:"deviceUUID"`
	ExpiresAfter       *int64 `json:"expiresAfter"`
	ExpiresBefore      *int64 `json:"expiresBefore"`
}

func (s *Server) searchCertificates(w http.ResponseWriter, r *http.Request) {
	req, ok := readFilter(w, r)
	if !ok || !deviceSpace(w, r, req.AdminDeviceSpaceID) {
		return
	}
	s.mu.Lock()
	certs := append([]json.RawMessage(nil), s.certs...)
	s.mu.Unlock()
	results := []json.RawMessage{}
	for _, raw := range certs {
		if matches(raw, req) {
			results = append(results, raw)
		}
	}
	s.mu.Lock()
	results = s.generatedSearch(results, req)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"results":     results,
		"messages":    s.searchMessages,
		"resultCount": len(results),
	})
}

func matches(raw json.RawMessage, q searchRequest) bool {
	var c map[string]any
	if json.Unmarshal(raw, &c) != nil {
		return false
	}
	uuid := text(c["deviceUuid"]) + text(c["deviceUUid"])
	switch {
	case text(c["ceSettingName"]) != q.CeSettingName,
		q.CertificateStatus != "" && text(c["certificateStatus"]) != q.CertificateStatus,
		q.UserID != "" && text(c["userId"]) != q.UserID,
		q.DeviceUUID != "" && !strings.EqualFold(uuid, q.DeviceUUID):
		return false
	}
	exp, ok := dateMillis(c["expiredAt"])
	if q.ExpiresAfter != nil && (!ok || exp <= *q.ExpiresAfter) {
		return false
	}
	if q.ExpiresBefore != nil && (!ok || exp >= *q.ExpiresBefore) {
		return false
	}
	return true
}

func dateMillis(v any) (int64, bool) {
	switch v := v.(type) {
	case float64:
		return int64(v), true
	case string:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

// userProvided is a user-provided certificate held by the fake.
type userProvided struct {
	cert   json.RawMessage // getCertificate's results
	detail json.RawMessage // an entry of getAllUserProvidedCertificateDetails
}

// userProvidedCE answers 400 unless the request's CEid is the fake's
// user-provided enrollment: Core checks that the CEid of every
// user-provided call is a user-provided configuration.
func userProvidedCE(w http.ResponseWriter, r *http.Request) (string, bool) {
	ceID := r.PathValue("ceid")
	if ceID != strconv.Itoa(UserProvidedCEID) {
		writeError(w, http.StatusBadRequest, msgPrefix+"UserProvidedCertificatesControllerV2.Messages.INVALID_CE",
			"The certificate enrollment "+ceID+" is not a user provided configuration")
		return "", false
	}
	return ceID, true
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	ceID, ok := userProvidedCE(w, r)
	if !ok {
		return
	}
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		writeError(w, http.StatusBadRequest, keyBadRequest, "Malformed multipart body")
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		writeError(w, http.StatusBadRequest, keyBadRequest, "The file part is missing")
		return
	}
	data, _ := io.ReadAll(f)
	_ = f.Close()
	principal := r.FormValue("principal")
	info, err := certutil.CheckPKCS12(data, r.FormValue("password"))
	if err != nil {
		writeError(w, http.StatusBadRequest, msgPrefix+"UserProvidedCertificatesControllerV2.Messages.INVALID_PKCS12",
			"The file is not a valid PKCS#12 file or the password is wrong")
		return
	}
	leaf := info.Leaf
	cert, _ := json.Marshal(map[string]any{
		"id": nil, "version": strconv.Itoa(leaf.Version), "serialNumber": leaf.SerialNumber.String(),
		"signatureAlgorithm": leaf.SignatureAlgorithm.String(), "issuer": leaf.Issuer.String(),
		"notBefore": leaf.NotBefore.UnixMilli(), "notAfter": leaf.NotAfter.UnixMilli(),
		"subject": leaf.Subject.String(), "subjectAltNames": nil, "cert": nil, "certType": nil, "alias": nil,
		"certData": nil, "createdAt": nil, "modifiedAt": nil, "commonName": leaf.Subject.CommonName,
		"iPhoneUID": nil, "iPhoneDevelopmentAPNSCert": false, "identity": false, "validTimeLine": false,
	})
	ce, _ := strconv.ParseInt(ceID, 10, 64)
	s.mu.Lock()
	s.nextCertID++
	detail, _ := json.Marshal(map[string]any{
		"ceId": ce, "certificateId": s.nextCertID, "requirePassword": true, "displayName": "user-provided",
		"certificateExpirationDate": leaf.NotAfter.UnixMilli(), "certificateUploadedDate": time.Now().UnixMilli(),
		"isPkcs12": true,
	})
	if s.uploads[ceID] == nil {
		s.uploads[ceID] = map[string]userProvided{}
	}
	s.uploads[ceID][principal] = userProvided{cert: cert, detail: detail}
	s.mu.Unlock()
	s.writeSample(w, "upload_response.json")
}

func readUserID(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req struct {
		UserID string `json:"userId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, keyBadRequest, "Malformed request body")
		return "", false
	}
	return req.UserID, true
}

func noCertificate(w http.ResponseWriter, ceID, user string) {
	writeError(w, http.StatusNotFound, msgPrefix+"UserProvidedCertificatesControllerV2.Messages.CERTIFICATE_NOT_FOUND",
		fmt.Sprintf("No certificate of user %s in certificate enrollment %s", user, ceID))
}

func (s *Server) deleteUpload(w http.ResponseWriter, r *http.Request) {
	ceID, ok := userProvidedCE(w, r)
	if !ok {
		return
	}
	user, ok := readUserID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	_, found := s.uploads[ceID][user]
	delete(s.uploads[ceID], user)
	s.mu.Unlock()
	if !found {
		noCertificate(w, ceID, user)
		return
	}
	s.writeSample(w, "delete_response.json")
}

func (s *Server) getUpload(w http.ResponseWriter, r *http.Request) {
	ceID, ok := userProvidedCE(w, r)
	if !ok {
		return
	}
	user, ok := readUserID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	up, found := s.uploads[ceID][user]
	s.mu.Unlock()
	if !found {
		noCertificate(w, ceID, user)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"results":  up.cert,
		"messages": info(msgPrefix+"UserProvidedCertificatesControllerV2.Messages.SUCCESS_GET_CERTIFICATE", "Certificate successfully retrieved."),
	})
}

func (s *Server) getAllUploads(w http.ResponseWriter, r *http.Request) {
	user, ok := readUserID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	results := []json.RawMessage{}
	for _, ceID := range sortedKeys(s.uploads) {
		if up, found := s.uploads[ceID][user]; found {
			results = append(results, up.detail)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"results":  results,
		"messages": info(msgPrefix+"UserProvidedCertificatesControllerV2.Messages.SUCCESS_GET_CE_DETAILS", "User provided certificate enrollment details successfully retrieved."),
	})
}

func (s *Server) revocationStatus(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	running := s.revoking
	s.revoking = false // the fake's revocation job ends after it was seen running once
	s.mu.Unlock()
	name := "revocation_status_idle.txt"
	if running {
		name = "revocation_status_running.txt"
	}
	b := mustFixture(name)
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func (s *Server) revoke(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.revoking = true
	s.mu.Unlock()
	s.writeSample(w, "revoke_response.json")
}

// configurations answers with the vendor's sample for USER_PROVIDED, the
// search sample's enrollment (LocalCE, ceId 8) and the generated ones for
// LOCAL, and an empty list for the other sub-types.
// A sub-type the vendor's documentation does not list is refused with 400.
func (s *Server) configurations(fixture string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch st := r.PathValue("subtype"); {
		case st == "USER_PROVIDED":
			s.writeSample(w, fixture)
		case st == "LOCAL" && strings.HasPrefix(fixture, "ce_"):
			s.mu.Lock()
			body := s.localConfigurations()
			s.mu.Unlock()
			writeJSON(w, http.StatusOK, body)
		case !core.EnrollmentSubType(st).Valid():
			writeError(w, http.StatusBadRequest, keyBadRequest, fmt.Sprintf("Unknown sub-type %s", st))
		default:
			writeJSON(w, http.StatusOK, map[string]any{"results": []any{}, "resultCount": 0})
		}
	}
}

// enrollment reads the CEID of a users-without-certificates call and
// answers 404 unless it is one the samples use.
func enrollment(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("ceid"), 10, 64)
	if err == nil && slices.Contains(enrollments, id) {
		return id, true
	}
	writeError(w, http.StatusNotFound, "com.mobileiron.vsp.messages.http.404",
		fmt.Sprintf("No certificate enrollment configuration with id %s", r.PathValue("ceid")))
	return 0, false
}

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := enrollment(w, r); ok {
		s.writeSample(w, "withnocerts_search_response.json")
	}
}

func (s *Server) userJob(ceID int64) *job {
	j := s.userExports[ceID]
	if j == nil {
		j = &job{}
		s.userExports[ceID] = j
	}
	return j
}

func (s *Server) initiateUserExport(w http.ResponseWriter, r *http.Request) {
	ceID, ok := enrollment(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	j := s.userJob(ceID)
	running := j.running
	if !running {
		s.startJob(j, "userdetails")
	}
	s.mu.Unlock()
	if running {
		writeJSON(w, http.StatusOK, map[string]any{"messages": info(msgPrefix+"UserAndDeviceSummaryController.Messages.PROCESS_INITIATED",
			"User details export is already progress. It might be issued by a different user")})
		return
	}
	// The sample's answer, with the URLs of this enrollment (the sample's
	// point at enrollment 9 for an export of enrollment 10).
	var start struct {
		Messages json.RawMessage `json:"messages"`
	}
	_ = json.Unmarshal(s.sample("withnocerts_export_response.json"), &start)
	base := fmt.Sprintf("/api/v2/configurations/CE/%d/users/withnocerts/", ceID)
	writeJSON(w, http.StatusOK, map[string]any{
		"results":  map[string]string{"exportStatusPollUrl": base + "search_export_status", "csvDownloadUrl": base + "search_download_csv"},
		"messages": start.Messages,
	})
}

func (s *Server) userExportStatus(w http.ResponseWriter, r *http.Request) {
	ceID, ok := enrollment(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	st := statusOf(s.userJob(ceID))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": st})
}

func (s *Server) downloadUserCSV(w http.ResponseWriter, r *http.Request) {
	ceID, ok := enrollment(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	isReady := ready(s.userJob(ceID))
	s.mu.Unlock()
	if !isReady {
		noFile(w)
		return
	}
	var users struct {
		Results []map[string]any `json:"results"`
	}
	_ = json.Unmarshal(s.sample("withnocerts_search_response.json"), &users)
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cols := []string{"id", "principal", "displayName", "firstName", "lastName", "emailAddress"}
	_ = cw.Write(cols)
	for _, u := range users.Results {
		row := make([]string, len(cols))
		for i, k := range cols {
			row[i] = text(u[k])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
}
