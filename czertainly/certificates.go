package czertainly

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"iter"
	"maps"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// FilterFieldSource says where a search field lives.
type FilterFieldSource string

// The field sources of the search catalogue.
const (
	FilterFieldSourceProperty FilterFieldSource = "property"
	FilterFieldSourceMeta     FilterFieldSource = "meta"
	FilterFieldSourceCustom   FilterFieldSource = "custom"
	FilterFieldSourceData     FilterFieldSource = "data"
)

// FilterCondition is a search filter's operator.
type FilterCondition string

// The search conditions. Which apply to a field is in the search-field
// catalogue (ListCertificateSearchFields).
const (
	FilterConditionEquals         FilterCondition = "EQUALS"
	FilterConditionNotEquals      FilterCondition = "NOT_EQUALS"
	FilterConditionGreater        FilterCondition = "GREATER"
	FilterConditionGreaterOrEqual FilterCondition = "GREATER_OR_EQUAL"
	FilterConditionLesser         FilterCondition = "LESSER"
	FilterConditionLesserOrEqual  FilterCondition = "LESSER_OR_EQUAL"
	FilterConditionContains       FilterCondition = "CONTAINS"
	FilterConditionNotContains    FilterCondition = "NOT_CONTAINS"
	FilterConditionStartsWith     FilterCondition = "STARTS_WITH"
	FilterConditionEndsWith       FilterCondition = "ENDS_WITH"
	FilterConditionEmpty          FilterCondition = "EMPTY"
	FilterConditionNotEmpty       FilterCondition = "NOT_EMPTY"
	FilterConditionInNext         FilterCondition = "IN_NEXT"
	FilterConditionInPast         FilterCondition = "IN_PAST"
	FilterConditionMatches        FilterCondition = "MATCHES"
	FilterConditionNotMatches     FilterCondition = "NOT_MATCHES"
)

var filterConditions = map[FilterCondition]bool{
	FilterConditionEquals: true, FilterConditionNotEquals: true, FilterConditionGreater: true,
	FilterConditionGreaterOrEqual: true, FilterConditionLesser: true, FilterConditionLesserOrEqual: true,
	FilterConditionContains: true, FilterConditionNotContains: true, FilterConditionStartsWith: true,
	FilterConditionEndsWith: true, FilterConditionEmpty: true, FilterConditionNotEmpty: true,
	FilterConditionInNext: true, FilterConditionInPast: true, FilterConditionMatches: true,
	FilterConditionNotMatches: true, "COUNT_EQUAL": true, "COUNT_NOT_EQUAL": true,
	"COUNT_GREATER_THAN": true, "COUNT_LESS_THAN": true,
}

// Property fields of the certificate search catalogue (Core's
// FilterField) used by this package's filter helpers.
const (
	FieldCommonName  = "COMMON_NAME"
	FieldNotAfter    = "NOT_AFTER"
	FieldState       = "CERTIFICATE_STATE"
	FieldRAProfile   = "RA_PROFILE_NAME"
	FieldFingerprint = "FINGERPRINT"
)

// SearchFilter is one condition of a certificate search.
type SearchFilter struct {
	FieldSource     FilterFieldSource `json:"fieldSource"`
	FieldIdentifier string            `json:"fieldIdentifier"`
	Condition       FilterCondition   `json:"condition"`
	// Value is a string, number, boolean or list, as the field's type
	// wants; nil for EMPTY and NOT_EMPTY.
	Value any `json:"value,omitempty"`
}

// FilterExpiresWithin selects certificates whose notAfter lies between now
// and days days from now (Core's IN_NEXT with an ISO-8601 duration).
func FilterExpiresWithin(days int) SearchFilter {
	return SearchFilter{FieldSource: FilterFieldSourceProperty, FieldIdentifier: FieldNotAfter,
		Condition: FilterConditionInNext, Value: fmt.Sprintf("P%dD", days)}
}

// FilterState selects certificates in one of the states.
func FilterState(states ...CertificateState) SearchFilter {
	v := make([]string, len(states))
	for i, s := range states {
		v[i] = string(s)
	}
	var value any = v
	if len(v) == 1 {
		value = v[0]
	}
	return SearchFilter{FieldSource: FilterFieldSourceProperty, FieldIdentifier: FieldState, Condition: FilterConditionEquals, Value: value}
}

// FilterCommonName selects certificates whose common name contains s.
func FilterCommonName(s string) SearchFilter {
	return SearchFilter{FieldSource: FilterFieldSourceProperty, FieldIdentifier: FieldCommonName, Condition: FilterConditionContains, Value: s}
}

func (f SearchFilter) wire(op string, i int) (czertainlyapi.SearchFilterRequestDto, error) {
	switch f.FieldSource {
	case FilterFieldSourceProperty, FilterFieldSourceMeta, FilterFieldSourceCustom, FilterFieldSourceData:
	default:
		return czertainlyapi.SearchFilterRequestDto{}, apierror.Invalid(op, "filter %d: field source %q is not one of property, meta, custom, data", i, f.FieldSource)
	}
	if strings.TrimSpace(f.FieldIdentifier) == "" {
		return czertainlyapi.SearchFilterRequestDto{}, apierror.Invalid(op, "filter %d: no field identifier", i)
	}
	if !filterConditions[f.Condition] {
		return czertainlyapi.SearchFilterRequestDto{}, apierror.Invalid(op, "filter %d: condition %q is not one Core knows", i, f.Condition)
	}
	return czertainlyapi.SearchFilterRequestDto{FieldSource: czertainlyapi.FilterFieldSource(f.FieldSource),
		FieldIdentifier: f.FieldIdentifier, Condition: czertainlyapi.FilterConditionOperator(f.Condition), Value: f.Value}, nil
}

func wireFilters(op string, fs []SearchFilter) (*[]czertainlyapi.SearchFilterRequestDto, error) {
	if len(fs) == 0 {
		return nil, nil
	}
	out := make([]czertainlyapi.SearchFilterRequestDto, len(fs))
	for i, f := range fs {
		w, err := f.wire(op, i)
		if err != nil {
			return nil, err
		}
		out[i] = w
	}
	return &out, nil
}

// MaxPageSize is the largest itemsPerPage Core accepts.
const MaxPageSize = 1000

// DefaultPageSize is the page size ListCertificates asks for unless told
// otherwise.
const DefaultPageSize = 100

// CertificateQuery selects certificates for ListCertificates.
type CertificateQuery struct {
	Filters []SearchFilter
	// IncludeArchived lists archived certificates too.
	IncludeArchived bool
	// PageSize is the itemsPerPage of each call (default DefaultPageSize,
	// at most MaxPageSize).
	PageSize int
}

// CertificatePage is one page of a certificate search.
type CertificatePage struct {
	Certificates []Certificate `json:"certificates"`
	ItemsPerPage int           `json:"itemsPerPage"`
	PageNumber   int           `json:"pageNumber"`
	TotalPages   int           `json:"totalPages"`
	TotalItems   int64         `json:"totalItems"`
}

// ListCertificatesPage returns page pageNumber (from 1) of the search.
// It only reads, so the transport may repeat it.
func (c *Client) ListCertificatesPage(ctx context.Context, q CertificateQuery, pageNumber int, opts ...CallOption) (*CertificatePage, error) {
	const op = "czertainly.ListCertificatesPage"
	body, err := q.wire(op)
	if err != nil {
		return nil, err
	}
	if pageNumber < 1 {
		return nil, apierror.Invalid(op, "pageNumber %d: pages count from 1", pageNumber)
	}
	return c.certificatePage(ctx, op, body, pageNumber, opts)
}

func (q CertificateQuery) wire(op string) (czertainlyapi.CertificateSearchRequestDto, error) {
	var body czertainlyapi.CertificateSearchRequestDto
	size := q.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 1 || size > MaxPageSize {
		return body, apierror.Invalid(op, "page size %d: must be between 1 and %d", size, MaxPageSize)
	}
	filters, err := wireFilters(op, q.Filters)
	if err != nil {
		return body, err
	}
	items := int32(size)
	body.Filters, body.ItemsPerPage = filters, &items
	if q.IncludeArchived {
		t := true
		body.IncludeArchived = &t
	}
	return body, nil
}

func (c *Client) certificatePage(ctx context.Context, op string, body czertainlyapi.CertificateSearchRequestDto, pageNumber int, opts []CallOption) (*CertificatePage, error) {
	p := int32(pageNumber)
	body.PageNumber = &p
	req, err := czertainlyapi.NewListCertificatesRequest(c.server, body)
	var out CertificatePage
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListCertificates iterates over every certificate matching q, fetching
// pages (POST /v1/certificates) lazily as the loop consumes them. Core
// orders the inventory newest first, so a certificate added during the
// loop shifts the pages: a certificate the previous page held is not
// yielded again. A page that holds only certificates of the previous page,
// or the same certificates as an earlier page, ends the loop with an error
// matching ErrPagingMismatch (a server or proxy that ignores pageNumber),
// after two requests rather than one per page of its total. It holds the
// certificates of one page and the keys of the previous one, whatever the
// inventory's size. The iterator yields an error once and stops; invalid
// input is that error, before anything is sent.
func (c *Client) ListCertificates(ctx context.Context, q CertificateQuery, opts ...CallOption) iter.Seq2[Certificate, error] {
	const op = "czertainly.ListCertificates"
	body, err := q.wire(op)
	size := int(*orZero(body.ItemsPerPage))
	return func(yield func(Certificate, error) bool) {
		if err != nil {
			yield(Certificate{}, err)
			return
		}
		fetch := func(ctx context.Context, start, rows int) (pager.Page[Certificate], error) {
			page, err := c.certificatePage(ctx, op, body, start/rows+1, opts)
			if err != nil {
				return pager.Page[Certificate]{}, err
			}
			return pager.Page[Certificate]{Items: page.Certificates, Total: int(page.TotalItems)}, nil
		}
		popts := pager.Options{Op: op, PageSize: size, MaxPageSize: MaxPageSize}
		for crt, err := range pager.Keyed(ctx, popts, certificateKey, fetch) {
			if !yield(crt, err) || err != nil {
				return
			}
		}
	}
}

func certificateKey(c Certificate) string { return c.UUID }

func orZero[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// SearchField is one field of the certificate search catalogue.
type SearchField struct {
	FieldIdentifier      string            `json:"fieldIdentifier"`
	FieldLabel           string            `json:"fieldLabel"`
	Type                 string            `json:"type"`
	Conditions           []FilterCondition `json:"conditions"`
	PlatformEnum         string            `json:"platformEnum,omitempty"`
	AttributeContentType string            `json:"attributeContentType,omitempty"`
	Value                any               `json:"value,omitempty"`
	MultiValue           bool              `json:"multiValue,omitempty"`
}

// SearchFieldGroup is the catalogue's fields of one source.
type SearchFieldGroup struct {
	FilterFieldSource FilterFieldSource `json:"filterFieldSource"`
	SearchFieldData   []SearchField     `json:"searchFieldData"`
}

// ListCertificateSearchFields returns the catalogue of fields and
// conditions a certificate search takes (GET /v1/certificates/search).
func (c *Client) ListCertificateSearchFields(ctx context.Context, opts ...CallOption) ([]SearchFieldGroup, error) {
	const op = "czertainly.ListCertificateSearchFields"
	req, err := czertainlyapi.NewGetCertificateSearchableFieldsRequest(c.server)
	var out []SearchFieldGroup
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetCertificate returns one certificate with its content.
func (c *Client) GetCertificate(ctx context.Context, uuid string, opts ...CallOption) (*CertificateDetail, error) {
	const op = "czertainly.GetCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetCertificateRequest(c.server, id)
	var out CertificateDetail
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CertificateFormat is the container of a download.
type CertificateFormat string

// The download formats.
const (
	CertificateFormatRaw   CertificateFormat = "raw"
	CertificateFormatPKCS7 CertificateFormat = "pkcs7"
)

// CertificateEncoding is the encoding of a download.
type CertificateEncoding string

// The download encodings.
const (
	CertificateEncodingPEM CertificateEncoding = "pem"
	CertificateEncodingDER CertificateEncoding = "der"
)

// Download is a certificate or chain as Core delivers it.
type Download struct {
	Format   CertificateFormat   `json:"format"`
	Encoding CertificateEncoding `json:"encoding"`
	// Content is base64 as Core sends it: of the PEM text for pem, of the
	// DER bytes for der.
	Content string `json:"content"`
	// CompleteChain, for a chain, says whether Core reached a root.
	CompleteChain bool `json:"completeChain,omitempty"`
}

// Bytes decodes Content: PEM text or DER bytes.
func (d *Download) Bytes() ([]byte, error) {
	return base64.StdEncoding.DecodeString(d.Content)
}

func checkFormat(op string, f CertificateFormat, e CertificateEncoding) error {
	if f != CertificateFormatRaw && f != CertificateFormatPKCS7 {
		return apierror.Invalid(op, "format %q is not raw or pkcs7", f)
	}
	if e != CertificateEncodingPEM && e != CertificateEncodingDER {
		return apierror.Invalid(op, "encoding %q is not pem or der", e)
	}
	return nil
}

// DownloadCertificate returns the certificate in a format and encoding.
func (c *Client) DownloadCertificate(ctx context.Context, uuid string, format CertificateFormat, encoding CertificateEncoding, opts ...CallOption) (*Download, error) {
	const op = "czertainly.DownloadCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(op, format, encoding); err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewDownloadCertificateRequest(c.server, id, czertainlyapi.CertificateFormat(format),
		&czertainlyapi.DownloadCertificateParams{Encoding: czertainlyapi.CertificateFormatEncoding(encoding)})
	var out Download
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DownloadCertificateChain returns the certificate's chain in a format and
// encoding; withEnd includes the certificate itself.
func (c *Client) DownloadCertificateChain(ctx context.Context, uuid string, format CertificateFormat, encoding CertificateEncoding, withEnd bool, opts ...CallOption) (*Download, error) {
	const op = "czertainly.DownloadCertificateChain"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	if err := checkFormat(op, format, encoding); err != nil {
		return nil, err
	}
	if format == CertificateFormatRaw && encoding == CertificateEncodingDER {
		// Core refuses this pair for a chain (422): raw DER holds one
		// certificate.
		return nil, apierror.Invalid(op, "a chain cannot be raw DER; use raw PEM or PKCS#7")
	}
	req, err := czertainlyapi.NewDownloadCertificateChainRequest(c.server, id, czertainlyapi.CertificateFormat(format),
		&czertainlyapi.DownloadCertificateChainParams{Encoding: czertainlyapi.CertificateFormatEncoding(encoding), WithEndCertificate: &withEnd})
	var out Download
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Chain is a certificate's chain as inventory entries.
type Chain struct {
	CompleteChain bool                `json:"completeChain"`
	Certificates  []CertificateDetail `json:"certificates"`
}

// X509 parses every certificate of the chain, in Core's order.
func (ch *Chain) X509() ([]*x509.Certificate, error) {
	out := make([]*x509.Certificate, 0, len(ch.Certificates))
	for i := range ch.Certificates {
		crt, err := ch.Certificates[i].X509()
		if err != nil {
			return nil, fmt.Errorf("chain certificate %d: %w", i, err)
		}
		out = append(out, crt)
	}
	return out, nil
}

// GetCertificateChain returns the issuers of the certificate (and the
// certificate first, with withEnd) as inventory entries.
func (c *Client) GetCertificateChain(ctx context.Context, uuid string, withEnd bool, opts ...CallOption) (*Chain, error) {
	const op = "czertainly.GetCertificateChain"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetCertificateChainRequest(c.server, id, &czertainlyapi.GetCertificateChainParams{WithEndCertificate: &withEnd})
	var out Chain
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CertificateEvent is an entry of a certificate's history.
type CertificateEvent struct {
	UUID                  string         `json:"uuid"`
	CertificateUUID       string         `json:"certificateUuid"`
	Created               time.Time      `json:"created"`
	CreatedBy             string         `json:"createdBy"`
	Event                 string         `json:"event"`
	Status                string         `json:"status"`
	Message               string         `json:"message"`
	AdditionalInformation map[string]any `json:"additionalInformation,omitempty"`
}

// GetCertificateHistory returns the certificate's event history.
func (c *Client) GetCertificateHistory(ctx context.Context, uuid string, opts ...CallOption) ([]CertificateEvent, error) {
	const op = "czertainly.GetCertificateHistory"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetCertificateEventHistoryRequest(c.server, id)
	var out []CertificateEvent
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// ValidationResult is the outcome of validating a certificate.
type ValidationResult struct {
	ResultStatus        ValidationStatus `json:"resultStatus"`
	ValidationChecks    map[string]any   `json:"validationChecks,omitempty"`
	Message             string           `json:"message,omitempty"`
	ValidationTimestamp time.Time        `json:"validationTimestamp,omitzero"`
}

// ValidateCertificate validates the certificate now and returns the result.
func (c *Client) ValidateCertificate(ctx context.Context, uuid string, opts ...CallOption) (*ValidationResult, error) {
	const op = "czertainly.ValidateCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewGetCertificateValidationResultRequest(c.server, id)
	var out ValidationResult
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadCertificate adds an existing certificate (DER or PEM) to the
// inventory and returns its UUID. It is never repeated once it may have
// reached the server.
func (c *Client) UploadCertificate(ctx context.Context, cert []byte, custom []RequestAttribute, opts ...CallOption) (string, error) {
	const op = "czertainly.UploadCertificate"
	der, err := certDER(op, cert)
	if err != nil {
		return "", err
	}
	attrs, err := wireAttributes(op, custom)
	if err != nil {
		return "", err
	}
	req, err := czertainlyapi.NewUploadRequest(c.server, czertainlyapi.UploadCertificateRequestDto{
		Certificate: base64.StdEncoding.EncodeToString(der), CustomAttributes: attrs})
	var out struct {
		UUID string `json:"uuid"`
	}
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return "", err
	}
	return out.UUID, nil
}

// certDER accepts one certificate as DER or PEM and returns its DER.
func certDER(op string, data []byte) ([]byte, error) {
	der := data
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "CERTIFICATE" {
			return nil, apierror.Invalid(op, "PEM block is %q, not CERTIFICATE", block.Type)
		}
		der = block.Bytes
	}
	if _, err := x509.ParseCertificate(der); err != nil {
		return nil, apierror.Invalid(op, "not an X.509 certificate (DER or PEM): %v", err)
	}
	return der, nil
}

func wireAttributes(op string, in []RequestAttribute) ([]czertainlyapi.RequestAttribute, error) {
	out := make([]czertainlyapi.RequestAttribute, 0, len(in))
	for i, a := range in {
		id, err := parseUUID(op, fmt.Sprintf("attribute %d UUID", i), a.UUID)
		if err != nil {
			return nil, err
		}
		if a.Name == "" || a.ContentType == "" {
			return nil, apierror.Invalid(op, "attribute %d: name and content type are required", i)
		}
		v := a.Version
		if v == "" {
			v = "v2"
		}
		if v != "v2" && v != "v3" {
			return nil, apierror.Invalid(op, "attribute %d: version %q is not v2 or v3", i, v)
		}
		w := czertainlyapi.RequestAttribute{Uuid: id, Name: a.Name, ContentType: a.ContentType, Version: czertainlyapi.RequestAttributeVersion(v)}
		if a.Content != nil {
			content := append([]map[string]any(nil), a.Content...)
			if v == "v3" {
				// A v3 content item names its own type
				// (BaseAttributeContentV3.java:20-34 in
				// CZERTAINLY-Interfaces 804df038); an item given
				// without one takes the attribute's, on a copy.
				for j, item := range content {
					if _, ok := item["contentType"]; !ok {
						typed := make(map[string]any, len(item)+1)
						maps.Copy(typed, item)
						typed["contentType"] = a.ContentType
						content[j] = typed
					}
				}
			}
			w.Content = &content
		}
		out = append(out, w)
	}
	return out, nil
}

// DeleteCertificate removes a certificate from the inventory.
func (c *Client) DeleteCertificate(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.DeleteCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewDeleteCertificateRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// DeletionAccepted is Core's answer to DeleteCertificates. Core deletes
// in the background and its answer says nothing of the outcome (always
// status SUCCESS with 0 failed items; CertificateControllerImpl.java
// :118-127 at cad4432a), so this holds only what was asked and Core's
// message. Confirm with RemainingCertificates or WaitForDeletion.
type DeletionAccepted struct {
	// UUIDs are the certificates whose deletion was requested.
	UUIDs []string `json:"uuids"`
	// Message is Core's, e.g. that the deletion was initiated.
	Message string `json:"message"`
}

// BulkResult is the wire form of Core's BulkOperationResponse. Core's
// bulk delete always answers it with status SUCCESS and 0 failed items,
// whatever happens later (see DeleteCertificates), so the package no
// longer returns it.
//
// Deprecated: kept for code (and the fake) that builds the wire answer;
// DeleteCertificates returns a *DeletionAccepted.
type BulkResult struct {
	// Status is SUCCESS, FAILED or PARTIAL.
	Status     string `json:"status"`
	FailedItem int64  `json:"failedItem"`
	Message    string `json:"message"`
}

// DeleteCertificates asks Core to remove several certificates. Core only
// accepts the request: it deletes in the background, in batches, skipping
// a certificate it may not or cannot delete (one a user signs in with,
// CertificateServiceImpl.java:485-488) and telling the caller in a
// platform notification, never in the answer (CertificateServiceImpl
// .java:589-660 is @Async). So a nil error means accepted, not deleted:
// confirm with RemainingCertificates or WaitForDeletion. It is not
// repeated once it may have reached the server.
func (c *Client) DeleteCertificates(ctx context.Context, uuids []string, opts ...CallOption) (*DeletionAccepted, error) {
	const op = "czertainly.DeleteCertificates"
	if len(uuids) == 0 {
		return nil, apierror.Invalid(op, "no certificate UUIDs")
	}
	if _, err := parseUUIDs(op, "certificate UUID", uuids); err != nil {
		return nil, err
	}
	ids := append([]string(nil), uuids...)
	req, err := czertainlyapi.NewBulkDeleteCertificateRequest(c.server, czertainlyapi.RemoveCertificateDto{Uuids: &ids})
	var out struct {
		Message string `json:"message"`
	}
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return &DeletionAccepted{UUIDs: append([]string(nil), uuids...), Message: out.Message}, nil
}

// ArchiveCertificate archives a certificate: it stays in the inventory but
// leaves searches (unless IncludeArchived) and takes no more operations.
func (c *Client) ArchiveCertificate(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.ArchiveCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewArchiveCertificateRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// UnarchiveCertificate undoes ArchiveCertificate.
func (c *Client) UnarchiveCertificate(ctx context.Context, uuid string, opts ...CallOption) error {
	const op = "czertainly.UnarchiveCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewUnarchiveCertificateRequest(c.server, id)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// ArchiveCertificates archives several certificates in one call.
func (c *Client) ArchiveCertificates(ctx context.Context, uuids []string, opts ...CallOption) error {
	return c.bulkArchive(ctx, "czertainly.ArchiveCertificates", uuids, true, opts)
}

// UnarchiveCertificates undoes ArchiveCertificates.
func (c *Client) UnarchiveCertificates(ctx context.Context, uuids []string, opts ...CallOption) error {
	return c.bulkArchive(ctx, "czertainly.UnarchiveCertificates", uuids, false, opts)
}

func (c *Client) bulkArchive(ctx context.Context, op string, uuids []string, archive bool, opts []CallOption) error {
	if len(uuids) == 0 {
		return apierror.Invalid(op, "no certificate UUIDs")
	}
	ids, err := parseUUIDs(op, "certificate UUID", uuids)
	if err != nil {
		return err
	}
	build := czertainlyapi.NewBulkUnarchiveCertificateRequest
	if archive {
		build = czertainlyapi.NewBulkArchiveCertificateRequest
	}
	req, err := build(c.server, ids)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// CertificateUpdate changes a certificate's owner, groups or RA profile.
// A nil field is left as it is; an empty GroupUUIDs removes every group,
// and "" for OwnerUUID or RAProfileUUID removes the owner or the RA
// profile, as Core allows (CertificateServiceImpl.java:513-523 at
// cad4432a).
type CertificateUpdate struct {
	OwnerUUID     *string
	GroupUUIDs    *[]string
	RAProfileUUID *string
	TrustedCA     *bool
}

// wire checks u and builds Core's body; "" is passed on as the removal
// Core makes of it.
func (u CertificateUpdate) wire(op string) (czertainlyapi.CertificateUpdateObjectsDto, error) {
	var body czertainlyapi.CertificateUpdateObjectsDto
	if u.OwnerUUID != nil {
		if *u.OwnerUUID != "" {
			if _, err := parseUUID(op, "owner UUID", *u.OwnerUUID); err != nil {
				return body, err
			}
		}
		owner := *u.OwnerUUID
		body.OwnerUuid = &owner
	}
	if u.RAProfileUUID != nil {
		if *u.RAProfileUUID != "" {
			if _, err := parseUUID(op, "RA profile UUID", *u.RAProfileUUID); err != nil {
				return body, err
			}
		}
		ra := *u.RAProfileUUID
		body.RaProfileUuid = &ra
	}
	if u.GroupUUIDs != nil {
		if _, err := parseUUIDs(op, "group UUID", *u.GroupUUIDs); err != nil {
			return body, err
		}
		g := append([]string{}, *u.GroupUUIDs...)
		body.GroupUuids = &g
	}
	body.TrustedCa = u.TrustedCA
	if body.OwnerUuid == nil && body.RaProfileUuid == nil && body.GroupUuids == nil && body.TrustedCa == nil {
		return body, apierror.Invalid(op, "nothing to update")
	}
	return body, nil
}

// UpdateCertificate changes what u sets (PATCH /v1/certificates/{uuid}).
func (c *Client) UpdateCertificate(ctx context.Context, uuid string, u CertificateUpdate, opts ...CallOption) error {
	const op = "czertainly.UpdateCertificate"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return err
	}
	body, err := u.wire(op)
	if err != nil {
		return err
	}
	req, err := czertainlyapi.NewUpdateCertificateObjectsRequest(c.server, id, body)
	return c.t.NoContent(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// Location is a place (a keystore, a server) a certificate is installed in.
type Location struct {
	UUID                   string              `json:"uuid"`
	Name                   string              `json:"name"`
	Description            string              `json:"description,omitempty"`
	EntityInstanceUUID     string              `json:"entityInstanceUuid"`
	EntityInstanceName     string              `json:"entityInstanceName"`
	Attributes             []ResponseAttribute `json:"attributes"`
	Enabled                bool                `json:"enabled"`
	SupportMultipleEntries bool                `json:"supportMultipleEntries"`
	SupportKeyManagement   bool                `json:"supportKeyManagement"`
}

// ListCertificateLocations returns the locations the certificate is in.
func (c *Client) ListCertificateLocations(ctx context.Context, uuid string, opts ...CallOption) ([]Location, error) {
	const op = "czertainly.ListCertificateLocations"
	id, err := parseUUID(op, "certificate UUID", uuid)
	if err != nil {
		return nil, err
	}
	req, err := czertainlyapi.NewListCertificateLocationsRequest(c.server, id)
	var out []Location
	if err := c.t.JSON(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, &out); err != nil {
		return nil, err
	}
	return out, nil
}
