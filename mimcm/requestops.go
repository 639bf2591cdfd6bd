package mimcm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// DataValue is one data collection item of a new request: the value the
// enrollee gives for an item the workflow policy asks for.
type DataValue struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// CreateRequestInput is a new request.
type CreateRequestInput struct {
	// Type is the request type (required).
	Type RequestTypeName
	// ProfileTemplateUUID is the profile template the request is for.
	// Required, except for a request on an existing smart card
	// (SmartcardUUID), which the vendor's Unblock example creates without
	// one.
	ProfileTemplateUUID uuid.UUID
	// DataCollection holds the data items the workflow policy asks for
	// (WorkflowPolicy.DataCollection); it may be empty.
	DataCollection []DataValue
	// Comment is recorded with the request; the workflow policy says
	// whether one is expected (WorkflowPolicy.CollectComments).
	Comment string
	// Target is the user the request is for; nil means the signed-in user.
	Target *uuid.UUID
	// Priority, when set, replaces the template's default priority.
	Priority *int
	// SmartcardUUID is the smart card a request on an existing card is
	// for (Unblock, Retire, …; the "smartcard" member of the vendor's
	// Unblock example).
	SmartcardUUID *uuid.UUID
	// ProfileUUID is the software profile a request on an existing
	// profile is for (Renew, Revoke, Retire, …). The vendor's
	// documentation does not name this member; it is sent as "profile", by
	// analogy with "smartcard".
	ProfileUUID *uuid.UUID
}

// check rejects what the server would refuse, before anything is sent.
func (in CreateRequestInput) check(op string) error {
	if in.Type == "" {
		return apierror.Invalid(op, "the request type is required (want one of %s)", requestTypeList())
	}
	if !in.Type.Valid() {
		return apierror.Invalid(op, "unknown request type %q (want one of %s)", in.Type, requestTypeList())
	}
	if in.ProfileTemplateUUID == uuid.Nil && in.SmartcardUUID == nil {
		return apierror.Invalid(op, "a %s request needs its profile template (ProfileTemplateUUID)", in.Type)
	}
	for _, p := range []struct {
		what string
		id   *uuid.UUID
	}{{"target user", in.Target}, {"smart card", in.SmartcardUUID}, {"profile", in.ProfileUUID}} {
		if p.id != nil && *p.id == uuid.Nil {
			return apierror.Invalid(op, "the all-zero GUID names no %s (leave the field nil instead)", p.what)
		}
	}
	for i, d := range in.DataCollection {
		if strings.TrimSpace(d.Name) == "" {
			return apierror.Invalid(op, "data collection item %d has no name", i+1)
		}
	}
	if in.Priority != nil && *in.Priority < 0 {
		return apierror.Invalid(op, "priority %d is negative", *in.Priority)
	}
	return nil
}

// body is the wire form: the data items as a JSON string holding an
// array of one-member objects, which is what the vendor's examples that
// show the server's answer send ("datacollection":"[]").
func (in CreateRequestInput) body() (mimcmapi.CreateRequestBody, error) {
	items := make([]map[string]string, len(in.DataCollection))
	for i, d := range in.DataCollection {
		items[i] = map[string]string{d.Name: d.Value}
	}
	encoded, err := json.Marshal(items)
	if err != nil {
		return mimcmapi.CreateRequestBody{}, err
	}
	b := mimcmapi.CreateRequestBody{
		Type: mimcmapi.RequestTypeName(in.Type), Comment: in.Comment,
		Target: in.Target, Smartcard: in.SmartcardUUID, Profile: in.ProfileUUID,
	}
	if in.ProfileTemplateUUID != uuid.Nil {
		b.Profiletemplateuuid = &in.ProfileTemplateUUID
	}
	if in.Priority != nil {
		p := strconv.Itoa(*in.Priority)
		b.Priority = &p
	}
	if err := b.Datacollection.FromCreateRequestBodyDatacollection0(string(encoded)); err != nil {
		return mimcmapi.CreateRequestBody{}, err
	}
	return b, nil
}

// CreateRequest creates a request and returns its GUID (the server
// answers 201 with the new request's URI). It is never sent twice: if the
// connection fails after the request may have reached the server, the
// error says so, and ListRequests shows whether the request exists.
func (c *Client) CreateRequest(ctx context.Context, in CreateRequestInput, opts ...CallOption) (uuid.UUID, error) {
	const op = "mimcm.CreateRequest"
	if err := in.check(op); err != nil {
		return uuid.Nil, err
	}
	body, err := in.body()
	if err != nil {
		return uuid.Nil, apierror.Invalid(op, "encode the data collection: %v", err)
	}
	req, err := mimcmapi.NewCreateRequestRequest(c.server, body)
	var uri string
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err,
		OK: []int{http.StatusCreated, http.StatusOK}, Settings: callSettings(opts)}, &uri)
	if err != nil {
		return uuid.Nil, err
	}
	id, err := idFromURI(uri, "requests")
	if err != nil {
		return uuid.Nil, errUnexpected(op, err)
	}
	return id, nil
}

// setStatus is PUT requests/{id} with a status.
func (c *Client) setStatus(ctx context.Context, op string, id uuid.UUID, status mimcmapi.SetRequestStatusBodyStatus, opts []CallOption) (*Request, error) {
	if err := checkID(op, "request", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewSetRequestStatusRequest(c.server, id, mimcmapi.SetRequestStatusBody{Status: status})
	var out oneRequest
	err = c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, OK: okStatus, Settings: callSettings(opts)}, &out)
	if _, ok := noContent(err); ok {
		// Done, but the server did not say how the request looks now.
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return newRequest(&out.Request), nil
}

// CompleteRequest marks a request completed, the last step of executing
// it (after its certificates were received). It returns the request as
// the server answers it, or nil when the server answers 204 without it.
// It is not repeated after it may have reached the server.
func (c *Client) CompleteRequest(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Request, error) {
	return c.setStatus(ctx, "mimcm.CompleteRequest", id, mimcmapi.SetRequestStatusBodyStatusCompleted, opts)
}

// CancelRequest marks a request canceled (see CompleteRequest for the
// result).
func (c *Client) CancelRequest(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Request, error) {
	return c.setStatus(ctx, "mimcm.CancelRequest", id, mimcmapi.SetRequestStatusBodyStatusCanceled, opts)
}

// AbandonRequest marks a request abandoned: its execution was started and
// will not be finished (see CompleteRequest for the result).
func (c *Client) AbandonRequest(ctx context.Context, id uuid.UUID, opts ...CallOption) (*Request, error) {
	return c.setStatus(ctx, "mimcm.AbandonRequest", id, mimcmapi.SetRequestStatusBodyStatusAbandoned, opts)
}

// GenerationOptions says how the client must generate one certificate
// request (key pair and PKCS#10 request) for a request being executed.
type GenerationOptions struct {
	// Subject is the subject name to request, in the X.500 string form
	// Windows uses ("CN=Jane Doe, OU=Users, DC=contoso, DC=com"); empty
	// when the CA fills it in.
	Subject string `json:"Subject"`
	// KeyAlgorithmName is the public key algorithm ("RSA", or a CNG name
	// such as "ECDSA_P256").
	KeyAlgorithmName string `json:"KeyAlgorithmName"`
	// KeySize is the key length in bits.
	KeySize int32 `json:"KeySize"`
	// FriendlyName is the display name of the certificate.
	FriendlyName string `json:"FriendlyName"`
	// HashAlgorithmName is the hash of the request's signature ("SHA1",
	// "SHA256", …).
	HashAlgorithmName string `json:"HashAlgorithmName"`
	// KeyStorageProviderNames are the Windows key storage providers that
	// may hold the key, in order of preference.
	KeyStorageProviderNames []string `json:"KeyStorageProviderNames"`
	// Exportable, KeyProtectionLevel and KeyUsages are the server's
	// numbers for Windows' key export policy, strong key protection and
	// key usages (CertificateRequestProperties).
	Exportable         int32 `json:"Exportable"`
	KeyProtectionLevel int32 `json:"KeyProtectionLevel"`
	KeyUsages          int32 `json:"KeyUsages"`
}

// GetCertificateRequestGenerationOptions returns one entry per
// certificate request the client must generate for request id. None (204)
// is an empty list.
func (c *Client) GetCertificateRequestGenerationOptions(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]GenerationOptions, error) {
	const op = "mimcm.GetCertificateRequestGenerationOptions"
	if err := checkID(op, "request", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewGetCertificateRequestGenerationOptionsRequest(c.server, id)
	var out oneOrMany[mimcmapi.CertificateRequestGenerationOptions]
	err = c.t.JSON(ctx, read(op, req, err, opts), &out)
	if _, ok := noContent(err); ok {
		return []GenerationOptions{}, nil
	}
	if err != nil {
		return nil, err
	}
	list := make([]GenerationOptions, len(out))
	for i, w := range out {
		list[i] = GenerationOptions{
			Subject: w.Subject, KeyAlgorithmName: w.KeyAlgorithmName, KeySize: w.KeySize,
			FriendlyName: val(w.FriendlyName), HashAlgorithmName: w.HashAlgorithmName,
			KeyStorageProviderNames: val(w.KeyStorageProviderNames), Exportable: val(w.Exportable),
			KeyProtectionLevel: val(w.KeyProtectionLevel), KeyUsages: val(w.KeyUsages),
		}
	}
	return list, nil
}

// SubmitInput is what SubmitCertificateRequests sends.
type SubmitInput struct {
	// CertificateRequests are PKCS#10 requests in DER form, generated as
	// the request's generation options say.
	CertificateRequests [][]byte
	// PFXPassword protects the PFX blobs of the answer (keys generated or
	// archived on the server). It is a secret: it never appears in an
	// error or a log.
	PFXPassword string
	// Comments are recorded in the request's history.
	Comments string
}

// IssuedCertificate is one certificate the server returns for a
// request: a PKCS#7 blob holding the certificate and its chain, or a PFX
// (PKCS#12) blob holding also its private key, encrypted with the
// SubmitInput's PFXPassword.
type IssuedCertificate struct {
	TemplateCommonName   string `json:"TemplateCommonName"`
	CertificateID        int64  `json:"CertificateId"`
	Flags                int32  `json:"Flags"`
	UseLocalMachineStore bool   `json:"UseLocalMachineStore"`
	// Error is the server's error for this certificate, "" when none.
	Error      string `json:"Error"`
	PKCS7      []byte `json:"Pkcs7"`
	PFX        []byte `json:"Pfx"`
	IsExternal bool   `json:"IsExternal"`
	// IsServerGenerated: the key was generated on the server (the blob is a PFX).
	IsServerGenerated bool `json:"isServerGenerated"`
	IsPFX             bool `json:"isPfx"`
	IsPKCS7           bool `json:"isPkcs7"`
	IsKeyHistory      bool `json:"isKeyHistory"`
}

// SubmitCertificateRequests sends the client's certificate requests for
// request id to the CA and returns the certificates (there may be more
// than requests: keys generated on the server, archived keys, external
// certificates). Each request is sent as base64 with CRLF line breaks,
// as in the vendor's example. It is never sent twice: a CA does not issue
// twice for one request, so when the connection fails after the call may
// have reached the server, the error says the certificates may have been
// issued (see EnrollSoftwareCertificate for what to do then).
//
// A 200 answer means the CA issued. When such an answer cannot be read
// whole (a member of an unexpected type, a blob that is not base64), the
// items that could be read are returned together with an
// ErrUnexpectedResponse error: they hold issued certificates, so keep them.
func (c *Client) SubmitCertificateRequests(ctx context.Context, id uuid.UUID, in SubmitInput, opts ...CallOption) ([]IssuedCertificate, error) {
	list, _, err := c.submitCertificateRequests(ctx, id, in, opts)
	return list, err
}

// submitCertificateRequests is SubmitCertificateRequests that also
// returns the answer's body as it came (nil when no 200 answer arrived).
func (c *Client) submitCertificateRequests(ctx context.Context, id uuid.UUID, in SubmitInput, opts []CallOption) ([]IssuedCertificate, []byte, error) {
	const op = "mimcm.SubmitCertificateRequests"
	if err := checkID(op, "request", id); err != nil {
		return nil, nil, err
	}
	body := mimcmapi.CertificateDataBody{Certificaterequests: make([]string, len(in.CertificateRequests))}
	for i, der := range in.CertificateRequests {
		if len(der) == 0 {
			return nil, nil, apierror.Invalid(op, "certificate request %d is empty", i+1)
		}
		body.Certificaterequests[i] = crlfBase64(der)
	}
	pw := in.PFXPassword
	body.Pfxpassword = &pw
	if in.Comments != "" {
		body.Comments = &in.Comments
	}
	var secrets []string
	if in.PFXPassword != "" {
		secrets = []string{in.PFXPassword}
	}
	req, err := mimcmapi.NewSubmitCertificateRequestsRequest(c.server, id, body)
	// The body is read raw and decoded here, so that an answer with a
	// surprise in it still yields the certificates it carries.
	answer, err := c.t.JSONBody(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Secrets: secrets,
		OK: okStatus, Settings: callSettings(opts)}, nil)
	if err != nil {
		return nil, nil, err
	}
	list, err := decodeIssuedAnswer(answer)
	if err != nil {
		return list, answer, &apierror.Error{Op: op, StatusCode: http.StatusOK, Kind: apierror.ErrUnexpectedResponse,
			Message: "the CA answered with certificates, but the answer could not be read whole: " + err.Error(), Err: err}
	}
	return list, answer, nil
}

// decodeIssuedAnswer reads the certificate data answer (one object or a
// list). Each item is read strictly; an item that does not read is
// salvaged member by member (its blobs and flags), so that what it carries
// is kept, and the error says what was wrong.
func decodeIssuedAnswer(answer []byte) ([]IssuedCertificate, error) {
	var items oneOrMany[json.RawMessage]
	if err := json.Unmarshal(answer, &items); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	list := make([]IssuedCertificate, 0, len(items))
	var errs []error
	for i, raw := range items {
		var w mimcmapi.IssuedCertificate
		ic, err := IssuedCertificate{}, json.Unmarshal(raw, &w)
		if err == nil {
			ic = IssuedCertificate{
				TemplateCommonName: val(w.TemplateCommonName), CertificateID: val(w.CertificateId), Flags: val(w.Flags),
				UseLocalMachineStore: val(w.UseLocalMachineStore), Error: val(w.Error), IsExternal: val(w.IsExternal),
				IsServerGenerated: val(w.IsServerGenerated), IsPFX: w.IsPfx, IsPKCS7: w.IsPkcs7, IsKeyHistory: val(w.IsKeyHistory),
			}
			var perr, ferr error
			ic.PKCS7, perr = decodeBlob(w.Pkcs7)
			ic.PFX, ferr = decodeBlob(w.Pfx)
			err = errors.Join(perr, ferr)
		} else {
			ic = salvageIssued(raw)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("item %d: %w", i+1, err))
		}
		list = append(list, ic)
	}
	return list, errors.Join(errs...)
}

// salvageIssued reads what it can of an answer item that did not decode:
// each member on its own, by its name in any letter case, skipping those
// of an unexpected type.
func salvageIssued(raw json.RawMessage) IssuedCertificate {
	var members map[string]json.RawMessage
	_ = json.Unmarshal(raw, &members)
	get := func(name string, v any) {
		for k, m := range members {
			if strings.EqualFold(k, name) {
				_ = json.Unmarshal(m, v)
			}
		}
	}
	var ic IssuedCertificate
	var p7, pfx string
	get("TemplateCommonName", &ic.TemplateCommonName)
	get("Error", &ic.Error)
	get("Pkcs7", &p7)
	get("Pfx", &pfx)
	get("IsExternal", &ic.IsExternal)
	get("isServerGenerated", &ic.IsServerGenerated)
	get("isPfx", &ic.IsPFX)
	get("isPkcs7", &ic.IsPKCS7)
	get("isKeyHistory", &ic.IsKeyHistory)
	ic.PKCS7, _ = decodeBlob(&p7)
	ic.PFX, _ = decodeBlob(&pfx)
	return ic
}

// crlfBase64 is der in base64 with a CRLF after every 64 characters and
// at the end, the form Windows writes and the vendor's example sends.
func crlfBase64(der []byte) string {
	enc := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	for len(enc) > 64 {
		b.WriteString(enc[:64])
		b.WriteString("\r\n")
		enc = enc[64:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.String()
}

// decodeBlob reads a base64 blob with or without line breaks; nil and ""
// are no blob.
func decodeBlob(s *string) ([]byte, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	// encoding/base64 skips CR and LF itself.
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		return nil, fmt.Errorf("certificate blob is not base64: %w", err)
	}
	return b, nil
}

// ListRequestProfiles returns the software profiles of request id. None
// (204) is an empty list.
func (c *Client) ListRequestProfiles(ctx context.Context, id uuid.UUID, opts ...CallOption) ([]Profile, error) {
	const op = "mimcm.ListRequestProfiles"
	if err := checkID(op, "request", id); err != nil {
		return nil, err
	}
	req, err := mimcmapi.NewListRequestProfilesRequest(c.server, id)
	return c.profiles(ctx, read(op, req, err, opts))
}
