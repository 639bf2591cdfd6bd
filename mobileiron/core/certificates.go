package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
)

// CertificateFilter selects certificates for SearchCertificates and
// ExportCertificates. It is checked before any request is sent.
type CertificateFilter struct {
	// CESettingName is the certificate enrollment configuration name (required).
	CESettingName string
	// Status is required for an export and optional for a search.
	Status CertificateStatus
	// UserID limits the result to one user's certificates.
	UserID string
	// DeviceUUID limits the result to one device; it must be a UUID.
	DeviceUUID string
	// ExpiresAfter and ExpiresBefore bound the expiry date (zero: unbounded).
	ExpiresAfter  time.Time
	ExpiresBefore time.Time
}

// filterFields is the validated wire form shared by search and export.
type filterFields struct {
	status                      *coreapi.CertificateStatus
	userID, deviceUUID          *string
	expiresAfter, expiresBefore *int64
}

func (f CertificateFilter) check(op string, statusRequired bool) (filterFields, error) {
	var out filterFields
	if strings.TrimSpace(f.CESettingName) == "" {
		return out, apierror.Invalid(op, "ceSettingName (CertificateFilter.CESettingName) is required")
	}
	switch {
	case f.Status == "" && statusRequired:
		return out, apierror.Invalid(op, "certificateStatus (CertificateFilter.Status) is required")
	case f.Status != "" && !f.Status.Valid():
		return out, apierror.Invalid(op, "certificateStatus %q is not one of %v", f.Status, certificateStatuses)
	case f.Status != "":
		s := coreapi.CertificateStatus(f.Status)
		out.status = &s
	}
	if f.DeviceUUID != "" {
		if _, err := uuid.Parse(f.DeviceUUID); err != nil {
			return out, apierror.Invalid(op, "deviceUUID %q is not a UUID: %v", f.DeviceUUID, err)
		}
		out.deviceUUID = &f.DeviceUUID
	}
	if f.UserID != "" {
		out.userID = &f.UserID
	}
	if !f.ExpiresAfter.IsZero() && !f.ExpiresBefore.IsZero() && !f.ExpiresAfter.Before(f.ExpiresBefore) {
		return out, apierror.Invalid(op, "expiresAfter (%s) must be before expiresBefore (%s)",
			f.ExpiresAfter.Format(time.RFC3339), f.ExpiresBefore.Format(time.RFC3339))
	}
	out.expiresAfter = epochMillis(f.ExpiresAfter)
	out.expiresBefore = epochMillis(f.ExpiresBefore)
	return out, nil
}

func epochMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// SearchCertificates returns the certificates matching f, with Core's
// resultCount and messages. It only reads, so the transport may repeat it
// after a transient failure.
func (c *Client) SearchCertificates(ctx context.Context, f CertificateFilter, opts ...CallOption) (*CertificateSearchResult, error) {
	const op = "core.SearchCertificates"
	w, err := f.check(op, false)
	if err != nil {
		return nil, err
	}
	cs := callSettings(opts)
	space, err := c.spaceFor(cs)
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	// In the body as this chapter's curl sends it and in the query as the
	// 11.3 page and community clients do (see the package doc).
	body := coreapi.CertificateSearchRequest{
		AdminDeviceSpaceId: &space,
		CeSettingName:      f.CESettingName,
		CertificateStatus:  w.status,
		UserId:             w.userID,
		DeviceUUID:         w.deviceUUID,
		ExpiresAfter:       w.expiresAfter,
		ExpiresBefore:      w.expiresBefore,
	}
	req, err := coreapi.NewSearchCertificatesRequest(c.server, &coreapi.SearchCertificatesParams{AdminDeviceSpaceId: &space}, body)
	var out coreapi.CertificateSearchResponse
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, &out); err != nil {
		return nil, err
	}
	certs, err := convertAll(op, out.Results, certificateOf)
	if err != nil {
		return nil, err
	}
	return &CertificateSearchResult{Results: certs, ResultCount: deref(out.ResultCount), Messages: messagesOf(out.Messages)}, nil
}

// maxPKCS12Size bounds what an upload reads into memory for the local check.
const maxPKCS12Size = 10 << 20

// UploadUserProvidedCertificateInput is what UploadUserProvidedCertificate
// sends.
type UploadUserProvidedCertificateInput struct {
	// CEID is the user-provided certificate enrollment (required; an ID
	// of the same type in every operation, as Core's results give it).
	CEID int64
	// Principal is the user name of the certificate's owner (required).
	Principal string
	// PKCS12 is the PKCS#12 (.p12/.pfx) data; PKCS12File, when PKCS12 is
	// nil, is the path of a file to read it from.
	PKCS12     io.Reader
	PKCS12File string
	// FileName is the file name sent in the multipart part (default: the
	// base name of PKCS12File, or "certificate.p12").
	FileName string
	// Password opens the PKCS#12 data (required). It is masked wherever
	// Core echoes it.
	Password string
}

// UploadUserProvidedCertificate uploads a PKCS#12 file for in.Principal to
// the user-provided certificate enrollment in.CEID. Before anything is sent
// it checks that the data is PKCS#12, opens with the password and holds
// exactly one private key (Core rejects other files). It returns Core's
// messages. The upload is never repeated once it may have reached the
// server.
func (c *Client) UploadUserProvidedCertificate(ctx context.Context, in UploadUserProvidedCertificateInput, opts ...CallOption) ([]Message, error) {
	const op = "core.UploadUserProvidedCertificate"
	r, fileName := in.PKCS12, in.FileName
	if r == nil && in.PKCS12File != "" {
		f, err := os.Open(in.PKCS12File)
		if err != nil {
			return nil, apierror.Invalid(op, "open PKCS#12 file: %v", err)
		}
		defer f.Close()
		r = f
		if fileName == "" {
			fileName = filepath.Base(in.PKCS12File)
		}
	}
	if fileName == "" {
		fileName = "certificate.p12"
	}
	principal, password := in.Principal, in.Password
	ceID, err := checkCEID(op, in.CEID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(principal) == "" {
		return nil, apierror.Invalid(op, "principal (the certificate owner's user name) is required")
	}
	if password == "" {
		return nil, apierror.Invalid(op, "the PKCS#12 password is required")
	}
	if r == nil {
		return nil, apierror.Invalid(op, "no PKCS#12 data")
	}
	data, err := io.ReadAll(io.LimitReader(r, maxPKCS12Size+1))
	if err != nil {
		return nil, apierror.Invalid(op, "read PKCS#12 data: %v", err)
	}
	if len(data) > maxPKCS12Size {
		return nil, apierror.Invalid(op, "PKCS#12 data larger than %d bytes", maxPKCS12Size)
	}
	if _, err := certutil.CheckPKCS12(data, password); err != nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: err.Error(), Err: err}
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", multipart.FileContentDisposition("file", fileName))
	h.Set("Content-Type", "application/x-pkcs12")
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = mw.WriteField("principal", principal)
	}
	if err == nil {
		err = mw.WriteField("password", password)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: build multipart body: %w", op, err)
	}
	req, err := coreapi.NewUploadUserProvidedCertificateRequestWithBody(c.server, ceID, mw.FormDataContentType(), &body)
	return c.messages(ctx, transport.Call{Op: op, Request: req, BuildErr: err,
		Secrets: []string{password}, Settings: callSettings(opts)})
}

// messages sends call and returns the messages of Core's answer.
func (c *Client) messages(ctx context.Context, call transport.Call) ([]Message, error) {
	var out coreapi.MessagesResponse
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return nil, err
	}
	return messagesOf(out.Messages), nil
}

// checkCEID refuses an ID that names no certificate enrollment. The
// user-provided calls carry it in the path as a string (Core's
// configuration lists give IDs as strings too): it is sent in decimal.
func checkCEID(op string, ceID int64) (string, error) {
	if err := checkNumericCEID(op, ceID); err != nil {
		return "", err
	}
	return strconv.FormatInt(ceID, 10), nil
}

func checkUserID(op, userID string) error {
	if strings.TrimSpace(userID) == "" {
		return apierror.Invalid(op, "userId (the certificate owner's user name) is required")
	}
	return nil
}

// DeleteUserProvidedCertificate deletes the certificate userID uploaded to
// the user-provided certificate enrollment ceID and returns Core's
// messages. It is never repeated once it may have reached the server.
func (c *Client) DeleteUserProvidedCertificate(ctx context.Context, ceID int64, userID string, opts ...CallOption) ([]Message, error) {
	const op = "core.DeleteUserProvidedCertificate"
	path, err := checkCEID(op, ceID)
	if err != nil {
		return nil, err
	}
	if err := checkUserID(op, userID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewDeleteUserProvidedCertificateRequest(c.server, path, coreapi.UserIdRequest{UserId: userID})
	return c.messages(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// GetUserProvidedCertificate returns the certificate userID uploaded to the
// user-provided certificate enrollment ceID, with Core's messages. Core's
// results are read whether they come as one object (as in the vendor's
// sample) or as an array (as its field table says); an empty array is an
// empty Results.
func (c *Client) GetUserProvidedCertificate(ctx context.Context, ceID int64, userID string, opts ...CallOption) (*UserProvidedCertificateResult, error) {
	const op = "core.GetUserProvidedCertificate"
	path, err := checkCEID(op, ceID)
	if err != nil {
		return nil, err
	}
	if err := checkUserID(op, userID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewGetUserProvidedCertificateRequest(c.server, path, coreapi.UserIdRequest{UserId: userID})
	var out coreapi.UserProvidedCertificateResponse
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	if out.Results == nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "answer holds no results"}
	}
	list, err := oneOrMany(*out.Results)
	if err != nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: "results", Err: err}
	}
	certs, err := convertAll(op, &list, userProvidedCertificateOf)
	if err != nil {
		return nil, err
	}
	return &UserProvidedCertificateResult{Results: certs, Messages: messagesOf(out.Messages)}, nil
}

// oneOrMany reads getCertificate's results, which the vendor's field table
// calls an array and its sample shows as one object: an object is a list
// of one.
func oneOrMany(r coreapi.UserProvidedCertificateResponse_Results) ([]coreapi.UserProvidedCertificate, error) {
	raw, err := r.MarshalJSON()
	if err != nil {
		return nil, err
	}
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) > 0 && raw[0] == '[':
		return r.AsUserProvidedCertificateList()
	case len(raw) > 0 && raw[0] == '{':
		one, err := r.AsUserProvidedCertificate()
		return []coreapi.UserProvidedCertificate{one}, err
	}
	return nil, fmt.Errorf("want an object or an array, got %.20q", raw)
}

// ListUserProvidedCertificates returns every user-provided certificate
// enrollment of userID with the details of the certificate uploaded to it
// (getAllUserProvidedCertificateDetails), with Core's messages.
func (c *Client) ListUserProvidedCertificates(ctx context.Context, userID string, opts ...CallOption) (*UserProvidedEnrollmentList, error) {
	const op = "core.ListUserProvidedCertificates"
	if err := checkUserID(op, userID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewGetAllUserProvidedCertificateDetailsRequest(c.server, coreapi.UserIdRequest{UserId: userID})
	var out coreapi.UserProvidedDetailsResponse
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	list, err := convertAll(op, out.Results, userProvidedEnrollmentOf)
	if err != nil {
		return nil, err
	}
	return &UserProvidedEnrollmentList{Results: list, Messages: messagesOf(out.Messages)}, nil
}

// RevocationStatus is Core's answer to whether certificates pending
// revocation are being processed. Core answers in plain text; Text keeps
// it, the other fields are read from it.
type RevocationStatus struct {
	InProgress bool `json:"inProgress"`
	// Elapsed is the "total duration so far" Core reports while in progress
	// (zero when the answer has no count of seconds that fits a Duration).
	Elapsed time.Duration `json:"elapsed"`
	// Text is Core's answer as it came.
	Text string `json:"text"`
}

var (
	revocationIdle    = regexp.MustCompile(`(?i)\bnot being processed\b`)
	revocationRunning = regexp.MustCompile(`(?i)\bbeing processed\b`)
	revocationSeconds = regexp.MustCompile(`(?i)(\d+)\s*seconds?`)
)

// maxStatusText bounds the plain-text status answer read into memory.
const maxStatusText = 64 << 10

// PendingRevocationStatus tells whether Core is revoking the certificates
// pending revocation, and for how long it has been at it.
func (c *Client) PendingRevocationStatus(ctx context.Context, opts ...CallOption) (*RevocationStatus, error) {
	const op = "core.PendingRevocationStatus"
	req, err := coreapi.NewGetPendingRevocationStatusRequest(c.server)
	var st *RevocationStatus
	err = c.t.Decode(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, func(_ *http.Response, body io.Reader) error {
		b, err := io.ReadAll(io.LimitReader(body, maxStatusText))
		if err != nil {
			return err
		}
		var ok bool
		if st, ok = parseRevocationStatus(string(b)); ok {
			return nil
		}
		// Not the status text: Core's messages container when it reports
		// an error, anything else an unexpected answer.
		if be := errorInBody(b); be != nil {
			return &apierror.Error{Kind: apierror.ErrVendor, MessageKey: apierror.Excerpt([]byte(be.MessageKey)), Message: apierror.Excerpt([]byte(be.Message)), Body: apierror.Excerpt(b)}
		}
		return &apierror.Error{Kind: apierror.ErrUnexpectedResponse, Message: "unrecognised revocation status text", Body: apierror.Excerpt(b)}
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func parseRevocationStatus(text string) (*RevocationStatus, bool) {
	st := &RevocationStatus{Text: strings.TrimSpace(text)}
	switch {
	case revocationIdle.MatchString(text):
		return st, true
	case revocationRunning.MatchString(text):
		st.InProgress = true
		if m := revocationSeconds.FindStringSubmatch(text); m != nil {
			// A count too large for a Duration would wrap around to a
			// negative or wrong time; it is left unknown (zero) instead.
			if secs, err := strconv.ParseInt(m[1], 10, 64); err == nil && secs <= int64(math.MaxInt64/time.Second) {
				st.Elapsed = time.Duration(secs) * time.Second
			}
		}
		return st, true
	}
	return st, false
}

// RevokePendingCertificates asks Core to attempt revoking the certificates
// pending revocation that belong to external certificate enrollments
// (attemptRevokeForPendingRevocation). It is never repeated once it may
// have reached the server.
func (c *Client) RevokePendingCertificates(ctx context.Context, opts ...CallOption) ([]Message, error) {
	const op = "core.RevokePendingCertificates"
	req, err := coreapi.NewAttemptRevokeForPendingRevocationRequest(c.server)
	return c.messages(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// SCEPConfigurations returns the SCEP configurations of a sub-type, with
// Core's resultCount and messages.
func (c *Client) SCEPConfigurations(ctx context.Context, subType EnrollmentSubType, opts ...CallOption) (*ConfigurationList, error) {
	const op = "core.SCEPConfigurations"
	if !subType.Valid() {
		return nil, apierror.Invalid(op, "sub-type %q is not one of %v", subType, enrollmentSubTypes)
	}
	req, err := coreapi.NewGetSCEPConfigurationSummaryRequest(c.server, coreapi.EnrollmentSubType(subType))
	return c.configurations(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// CEConfigurations returns the certificate enrollment configurations of a
// sub-type (CA protocol), with Core's resultCount and messages. The
// vendor's documentation gives two paths for it: the request URI
// (…/CE/{caprotocol}/configurations) is asked first and, when it is not
// found (404), the path of its curl sample (…/CE/{caprotocol}) once.
func (c *Client) CEConfigurations(ctx context.Context, subType EnrollmentSubType, opts ...CallOption) (*ConfigurationList, error) {
	const op = "core.CEConfigurations"
	if !subType.Valid() {
		return nil, apierror.Invalid(op, "sub-type %q is not one of %v", subType, enrollmentSubTypes)
	}
	cs := callSettings(opts)
	req, err := coreapi.NewGetCEConfigurationsRequest(c.server, coreapi.EnrollmentSubType(subType))
	list, err := c.configurations(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs})
	if !errors.Is(err, ErrNotFound) {
		return list, err
	}
	req, buildErr := coreapi.NewGetCEConfigurationsShortFormRequest(c.server, coreapi.EnrollmentSubType(subType))
	list, shortErr := c.configurations(ctx, transport.Call{Op: op, Request: req, BuildErr: buildErr, Settings: cs})
	if errors.Is(shortErr, ErrNotFound) {
		return nil, err // neither path is known: the request URI's answer
	}
	return list, shortErr
}

func (c *Client) configurations(ctx context.Context, call transport.Call) (*ConfigurationList, error) {
	var out coreapi.ConfigurationListResponse
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return nil, err
	}
	list, err := convertAll(call.Op, out.Results, infallible(configurationOf))
	if err != nil {
		return nil, err
	}
	return &ConfigurationList{Results: list, ResultCount: deref(out.ResultCount), Messages: messagesOf(out.Messages)}, nil
}

// SearchUsersWithoutCertificates returns the users of certificate
// enrollment ceID who have no certificate from it, with Core's resultCount
// and messages. It only reads, so the transport may repeat it.
func (c *Client) SearchUsersWithoutCertificates(ctx context.Context, ceID int64, opts ...CallOption) (*UserSearchResult, error) {
	const op = "core.SearchUsersWithoutCertificates"
	if err := checkNumericCEID(op, ceID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewSearchUsersWithoutCertificatesRequest(c.server, ceID)
	var out coreapi.UserSearchResponse
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	users, err := convertAll(op, out.Results, infallible(userOf))
	if err != nil {
		return nil, err
	}
	return &UserSearchResult{Results: users, ResultCount: deref(out.ResultCount), Messages: messagesOf(out.Messages)}, nil
}

func checkNumericCEID(op string, ceID int64) error {
	if ceID <= 0 {
		return apierror.Invalid(op, "CEID must be a positive certificate enrollment ID, got %d", ceID)
	}
	return nil
}
