package enterpriseadmin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// CertificateType says which store a certificate belongs to.
type CertificateType string

// The certificate stores, as the server names them in a certificate's type.
const (
	CertificateTypeIdentity CertificateType = "IDENTITY"
	CertificateTypeTrust    CertificateType = "TRUST"
)

// Certificate is one identity or trust certificate as the server describes
// it. It encodes to and decodes from JSON in the server's own form: the
// same member names, ValidFrom and ValidUntil as the epoch milliseconds of
// validFromAsEpoch and validUntilAsEpoch.
type Certificate struct {
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Type CertificateType `json:"type"`

	Subject                 string   `json:"subject"`
	Issuer                  string   `json:"issuer"`
	SubjectAlternativeNames []string `json:"subjectAlternativeNames"`
	// SerialNumber is hexadecimal, as the server writes it.
	SerialNumber       string   `json:"serialNumber"`
	KeyAlgorithm       string   `json:"keyAlgorithm"`
	KeySize            int      `json:"keySize"`
	SignatureAlgorithm string   `json:"signatureAlgorithm"`
	KeyUsage           []string `json:"keyUsage"`
	Version            int      `json:"version"`

	SHA1Fingerprint   string `json:"sha1Fingerprint"`
	SHA256Fingerprint string `json:"sha256Fingerprint"`
	MD5Fingerprint    string `json:"md5Fingerprint"`

	// ValidFrom and ValidUntil come from the epoch-millisecond fields, or
	// from the text fields when those are missing.
	ValidFrom  time.Time `json:"validFromAsEpoch"`
	ValidUntil time.Time `json:"validUntilAsEpoch"`
	// ValidFromText and ValidUntilText are the server's text, e.g.
	// "Wed Apr 07 10:32:43 UTC 2021" (Java Date.toString()).
	ValidFromText  string `json:"validFrom"`
	ValidUntilText string `json:"validUntil"`
}

// MarshalJSON writes c in the server's form, the validity as epoch
// milliseconds (left out when zero).
func (c Certificate) MarshalJSON() ([]byte, error) {
	type plain Certificate // without these methods
	return json.Marshal(struct {
		plain
		ValidFrom  *int64 `json:"validFromAsEpoch,omitempty"`
		ValidUntil *int64 `json:"validUntilAsEpoch,omitempty"`
	}{plain(c), epochMillis(c.ValidFrom), epochMillis(c.ValidUntil)})
}

// UnmarshalJSON reads a certificate in the server's form, as the client
// does: the validity from the epoch fields, else from the text fields.
func (c *Certificate) UnmarshalJSON(b []byte) error {
	var a enterpriseadminapi.Certificate
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	*c = fromAPI(a)
	return nil
}

func epochMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// ExpiresIn is how long from now until the certificate expires (negative
// once it has).
func (c *Certificate) ExpiresIn(now time.Time) time.Duration { return c.ValidUntil.Sub(now) }

// DaysToExpiry is ExpiresIn in whole days, rounded down.
func (c *Certificate) DaysToExpiry(now time.Time) int {
	return int(c.ExpiresIn(now).Hours() / 24)
}

// javaDateLayout is the text form of java.util.Date.toString().
const javaDateLayout = "Mon Jan 02 15:04:05 MST 2006"

// javaZones are the offsets of the zone abbreviations java.util.Date
// writes for the zones an ArcGIS Enterprise server most likely runs in:
// UTC, the North American and the European ones, and a few more that no
// other common zone shares. An abbreviation not listed leaves the time
// unknown rather than guessed: Go's time.Parse would read it at offset 0,
// or at the machine's own offset when it happens to share the name. CST is
// read as North American Central time, although a JVM in China writes CST
// for UTC+8 (and IST is left out: India, Ireland and Israel share it).
var javaZones = map[string]time.Duration{
	"UTC": 0, "GMT": 0, "UT": 0, "Z": 0,
	"HST": -10 * time.Hour, "AKST": -9 * time.Hour, "AKDT": -8 * time.Hour,
	"PST": -8 * time.Hour, "PDT": -7 * time.Hour, "MST": -7 * time.Hour, "MDT": -6 * time.Hour,
	"CST": -6 * time.Hour, "CDT": -5 * time.Hour, "EST": -5 * time.Hour, "EDT": -4 * time.Hour,
	"AST": -4 * time.Hour, "ADT": -3 * time.Hour, "NST": -(3*time.Hour + 30*time.Minute), "NDT": -(2*time.Hour + 30*time.Minute),
	"WET": 0, "WEST": time.Hour, "BST": time.Hour, "CET": time.Hour, "CEST": 2 * time.Hour,
	"MET": time.Hour, "MEST": 2 * time.Hour, "EET": 2 * time.Hour, "EEST": 3 * time.Hour, "MSK": 3 * time.Hour,
	"JST": 9 * time.Hour, "KST": 9 * time.Hour, "AEST": 10 * time.Hour, "AEDT": 11 * time.Hour,
	"NZST": 12 * time.Hour, "NZDT": 13 * time.Hour,
}

// javaZoneOffset is the offset of a zone abbreviation java.util.Date
// writes, and whether it is known (javaZones).
func javaZoneOffset(abbr string) (time.Duration, bool) {
	d, ok := javaZones[abbr]
	return d, ok
}

// certificateTime prefers the epoch field and parses the text as a
// fallback: the clock time as written, at the offset its zone has. A zone
// whose offset is not known gives the zero time (unknown).
func certificateTime(epochMS *int64, text string) time.Time {
	if epochMS != nil && *epochMS != 0 {
		return time.UnixMilli(*epochMS).UTC()
	}
	t, err := time.Parse(javaDateLayout, text)
	if err != nil {
		return time.Time{}
	}
	f := strings.Fields(text)
	if len(f) != 6 {
		return time.Time{}
	}
	zone := f[4]
	// time.Parse gives a "GMT+3" or "GMT-10" zone its offset but reads the
	// clock time as UTC, so the instant is off by that offset: rebuild it
	// from the clock time as written, in that zone.
	if strings.HasPrefix(zone, "GMT") && len(zone) > 3 {
		if name, offset := t.Zone(); offset != 0 && strings.HasPrefix(name, "GMT") && t.Location().String() == name {
			u := t.UTC()
			t = time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), t.Location())
		}
		return t
	}
	// Otherwise time.Parse took the abbreviation at offset 0, or at the
	// local zone's offset when the local zone has that name; its clock
	// fields are the ones written either way. Place them at the offset the
	// abbreviation is known to have, or nowhere.
	offset, ok := javaZoneOffset(zone)
	if !ok {
		return time.Time{}
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(zone, int(offset/time.Second)))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func fromAPI(a enterpriseadminapi.Certificate) Certificate {
	c := Certificate{
		ID:                      deref(a.Id),
		Name:                    deref(a.Name),
		Type:                    CertificateType(deref(a.Type)),
		Subject:                 deref(a.Subject),
		Issuer:                  deref(a.Issuer),
		SubjectAlternativeNames: deref(a.SubjectAlternativeNames),
		SerialNumber:            deref(a.SerialNumber),
		KeyAlgorithm:            deref(a.KeyAlgorithm),
		KeySize:                 deref(a.KeySize),
		SignatureAlgorithm:      deref(a.SignatureAlgorithm),
		KeyUsage:                deref(a.KeyUsage),
		Version:                 deref(a.Version),
		SHA1Fingerprint:         deref(a.Sha1Fingerprint),
		SHA256Fingerprint:       deref(a.Sha256Fingerprint),
		MD5Fingerprint:          deref(a.Md5Fingerprint),
		ValidFromText:           deref(a.ValidFrom),
		ValidUntilText:          deref(a.ValidUntil),
	}
	c.ValidFrom = certificateTime(a.ValidFromAsEpoch, c.ValidFromText)
	c.ValidUntil = certificateTime(a.ValidUntilAsEpoch, c.ValidUntilText)
	return c
}

// jsonFormat is the f parameter of every call: the server's default
// format is HTML.
const jsonFormat = "json"

// GetCertificatesResource returns the certificates resource, the root of
// the identity and trust stores, as the server describes it.
func (c *Client) GetCertificatesResource(ctx context.Context, opts ...CallOption) (map[string]any, error) {
	const op = "enterpriseadmin.GetCertificatesResource"
	f := enterpriseadminapi.GetCertificatesParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewGetCertificatesRequest(c.server, c.webContext, &enterpriseadminapi.GetCertificatesParams{F: &f})
	out := map[string]any{}
	if err := c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ListIdentityCertificates returns the organization's identity certificates.
func (c *Client) ListIdentityCertificates(ctx context.Context, opts ...CallOption) ([]Certificate, error) {
	const op = "enterpriseadmin.ListIdentityCertificates"
	f := enterpriseadminapi.ListIdentityCertificatesParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewListIdentityCertificatesRequest(c.server, c.webContext, &enterpriseadminapi.ListIdentityCertificatesParams{F: &f})
	return c.list(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// ListTrustCertificates returns the organization's trust certificates.
func (c *Client) ListTrustCertificates(ctx context.Context, opts ...CallOption) ([]Certificate, error) {
	const op = "enterpriseadmin.ListTrustCertificates"
	f := enterpriseadminapi.ListTrustCertificatesParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewListTrustCertificatesRequest(c.server, c.webContext, &enterpriseadminapi.ListTrustCertificatesParams{F: &f})
	return c.list(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

func (c *Client) list(ctx context.Context, call transport.Call) ([]Certificate, error) {
	var out enterpriseadminapi.CertificateList
	if err := c.call(ctx, call, &out); err != nil {
		return nil, err
	}
	certs := make([]Certificate, 0, len(deref(out.Certificates)))
	for _, a := range deref(out.Certificates) {
		certs = append(certs, fromAPI(a))
	}
	return certs, nil
}

// GetIdentityCertificate returns one identity certificate by id.
func (c *Client) GetIdentityCertificate(ctx context.Context, id string, opts ...CallOption) (*Certificate, error) {
	const op = "enterpriseadmin.GetIdentityCertificate"
	if err := checkID(op, id); err != nil {
		return nil, err
	}
	f := enterpriseadminapi.GetIdentityCertificateParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewGetIdentityCertificateRequest(c.server, c.webContext, id, &enterpriseadminapi.GetIdentityCertificateParams{F: &f})
	return c.get(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// GetTrustCertificate returns one trust certificate by id.
func (c *Client) GetTrustCertificate(ctx context.Context, id string, opts ...CallOption) (*Certificate, error) {
	const op = "enterpriseadmin.GetTrustCertificate"
	if err := checkID(op, id); err != nil {
		return nil, err
	}
	f := enterpriseadminapi.GetTrustCertificateParamsF(jsonFormat)
	req, err := enterpriseadminapi.NewGetTrustCertificateRequest(c.server, c.webContext, id, &enterpriseadminapi.GetTrustCertificateParams{F: &f})
	return c.get(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

func (c *Client) get(ctx context.Context, call transport.Call) (*Certificate, error) {
	var out enterpriseadminapi.Certificate
	if err := c.call(ctx, call, &out); err != nil {
		return nil, err
	}
	cert := fromAPI(out)
	return &cert, nil
}

// checkID rejects ids that would change the request path.
func checkID(op, id string) error {
	if strings.TrimSpace(id) == "" {
		return apierror.Invalid(op, "certificate id is empty")
	}
	if strings.ContainsAny(id, "/?#\\") || id == "." || id == ".." {
		return apierror.Invalid(op, "certificate id %q contains a path character", id)
	}
	return nil
}

// actionBody is the form body of a delete: the format only (the token is
// added per attempt).
func actionBody() *strings.Reader {
	var v form.Values
	v.Add("f", jsonFormat)
	return v.Reader()
}

// DeleteIdentityCertificate deletes an identity certificate. It is never
// repeated once it may have reached the server.
func (c *Client) DeleteIdentityCertificate(ctx context.Context, id string, opts ...CallOption) error {
	const op = "enterpriseadmin.DeleteIdentityCertificate"
	if err := checkID(op, id); err != nil {
		return err
	}
	req, err := enterpriseadminapi.NewDeleteIdentityCertificateRequestWithBody(c.server, c.webContext, id, form.ContentType, actionBody())
	return c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &enterpriseadminapi.StatusResponse{})
}

// DeleteTrustCertificate deletes a trust certificate. It is never repeated
// once it may have reached the server.
func (c *Client) DeleteTrustCertificate(ctx context.Context, id string, opts ...CallOption) error {
	const op = "enterpriseadmin.DeleteTrustCertificate"
	if err := checkID(op, id); err != nil {
		return err
	}
	req, err := enterpriseadminapi.NewDeleteTrustCertificateRequestWithBody(c.server, c.webContext, id, form.ContentType, actionBody())
	return c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &enterpriseadminapi.StatusResponse{})
}

// ImportIdentityCertificateInput is what ImportIdentityCertificate sends.
type ImportIdentityCertificateInput struct {
	// Name is the certificate's unique name on the server (required); the
	// ingress configuration refers to the certificate by it.
	Name string
	// PFX is the PKCS#12 (.pfx) file holding the private key and its
	// certificate (required).
	PFX []byte
	// Password opens PFX. It is masked wherever the server echoes it.
	Password string
}

// ErrImportedNotRead is matched by the error of ImportIdentityCertificate
// when the server accepted the import but the certificate could not be
// read back. The import must not be sent again (its name is taken now):
// find the certificate by its name with ListIdentityCertificates. The
// error also matches the cause of the failed read.
var ErrImportedNotRead = errors.New("certificate imported, but not read back")

// ImportIdentityCertificate imports a PKCS#12 (.pfx) file holding one key
// and its certificate under in.Name, and returns the certificate as the
// server now lists it, with its ID. The file is opened locally first, so a
// wrong password or a PEM file fails before anything is sent. The import
// is never repeated once it may have reached the server.
//
// The import answers only {"status":"success"} (the vendor's documentation
// shows no certificate in its answer), so the certificate is read back
// from the identity list by its name, which the server keeps unique. When
// that read fails the import has happened: the error matches
// ErrImportedNotRead. NewPKCS12 builds the file from a certificate and key.
func (c *Client) ImportIdentityCertificate(ctx context.Context, in ImportIdentityCertificateInput, opts ...CallOption) (*Certificate, error) {
	const op = "enterpriseadmin.ImportIdentityCertificate"
	if strings.TrimSpace(in.Name) == "" {
		return nil, apierror.Invalid(op, "certificate name (ImportIdentityCertificateInput.Name) is empty")
	}
	if _, err := certutil.CheckPKCS12(in.PFX, in.Password); err != nil {
		return nil, &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "certificate file", Err: err}
	}
	contentType, body, err := multipartBody([]field{
		{name: "certificateName", value: in.Name},
		{name: "certificatePassword", value: in.Password},
		{name: "certificatePfxFile", file: in.Name + ".pfx", data: in.PFX},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req, err := enterpriseadminapi.NewImportIdentityCertificateRequestWithBody(c.server, c.webContext, contentType, body)
	if err := c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err,
		Secrets: []string{in.Password}, Settings: callSettings(opts)}, &enterpriseadminapi.StatusResponse{}); err != nil {
		return nil, err
	}
	certs, err := c.ListIdentityCertificates(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w: %w", op, in.Name, ErrImportedNotRead, err)
	}
	for i := range certs {
		if certs[i].Name == in.Name {
			return &certs[i], nil
		}
	}
	return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse,
		Message: fmt.Sprintf("the identity list has no certificate named %q after its import", in.Name), Err: ErrImportedNotRead}
}

// ImportTrustCertificateInput is what ImportTrustCertificate sends.
type ImportTrustCertificateInput struct {
	// Name is the certificate's unique name on the server (required).
	Name string
	// Certificate is the CA certificate, PEM or DER (required).
	Certificate []byte
}

// ImportTrustCertificate imports a CA certificate (PEM or DER) into the
// trust store under in.Name. The server restarts the pods that use it, so
// the certificate may take a while to be in effect. It is never repeated
// once it may have reached the server.
func (c *Client) ImportTrustCertificate(ctx context.Context, in ImportTrustCertificateInput, opts ...CallOption) error {
	const op = "enterpriseadmin.ImportTrustCertificate"
	if strings.TrimSpace(in.Name) == "" {
		return apierror.Invalid(op, "certificate name (ImportTrustCertificateInput.Name) is empty")
	}
	if _, err := certutil.ParseCertificate(in.Certificate); err != nil {
		return &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "certificate file", Err: err}
	}
	ext := ".der"
	if bytes.HasPrefix(bytes.TrimSpace(in.Certificate), []byte("-----BEGIN")) {
		ext = ".cer"
	}
	contentType, body, err := multipartBody([]field{
		{name: "certificateName", value: in.Name},
		{name: "certificateFile", file: in.Name + ext, data: in.Certificate},
	})
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	req, err := enterpriseadminapi.NewImportTrustCertificateRequestWithBody(c.server, c.webContext, contentType, body)
	return c.call(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &enterpriseadminapi.StatusResponse{})
}

// field is one multipart part: a value, or a file when file is set.
type field struct {
	name, value string
	file        string
	data        []byte
}

// multipartBody encodes fields and the format as a multipart form. The
// body is a bytes.Reader, so a request built on it can be sent again.
func multipartBody(fields []field) (string, *bytes.Reader, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range append(fields, field{name: "f", value: jsonFormat}) {
		var err error
		if f.file != "" {
			var w io.Writer
			if w, err = mw.CreateFormFile(f.name, f.file); err == nil {
				_, err = w.Write(f.data)
			}
		} else {
			err = mw.WriteField(f.name, f.value)
		}
		if err != nil {
			return "", nil, fmt.Errorf("encode %s: %w", f.name, err)
		}
	}
	if err := mw.Close(); err != nil {
		return "", nil, fmt.Errorf("encode body: %w", err)
	}
	return mw.FormDataContentType(), bytes.NewReader(buf.Bytes()), nil
}
