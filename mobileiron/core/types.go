package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
)

// CertificateStatus is the state of a certificate in Core.
type CertificateStatus string

// The certificate states the vendor's documentation lists.
const (
	CertificateStatusActive                   CertificateStatus = "ACTIVE"
	CertificateStatusExpired                  CertificateStatus = "EXPIRED"
	CertificateStatusPendingRevocation        CertificateStatus = "PENDING_REVOCATION"
	CertificateStatusManualRevocationRequired CertificateStatus = "MANUAL_REVOCATION_REQUIRED"
	CertificateStatusRevoked                  CertificateStatus = "REVOKED"
	CertificateStatusSent                     CertificateStatus = "SENT"
	CertificateStatusWaitingSend              CertificateStatus = "WAITING_SEND"
	CertificateStatusGenerating               CertificateStatus = "GENERATING"
	CertificateStatusHighGenerating           CertificateStatus = "HIGH_GENERATING"
)

var certificateStatuses = []CertificateStatus{
	CertificateStatusActive, CertificateStatusExpired, CertificateStatusPendingRevocation, CertificateStatusManualRevocationRequired,
	CertificateStatusRevoked, CertificateStatusSent, CertificateStatusWaitingSend, CertificateStatusGenerating, CertificateStatusHighGenerating,
}

// Valid reports whether s is one of the documented states.
func (s CertificateStatus) Valid() bool { return slices.Contains(certificateStatuses, s) }

// EnrollmentSubType is a certificate enrollment (SCEP/CE) sub-type.
type EnrollmentSubType string

// The sub-types the vendor's documentation lists.
const (
	EnrollmentSubTypeBlueCoat             EnrollmentSubType = "BLUE_COAT"
	EnrollmentSubTypeClientProvided       EnrollmentSubType = "CLIENT_PROVIDED"
	EnrollmentSubTypeUserProvided         EnrollmentSubType = "USER_PROVIDED"
	EnrollmentSubTypeEntrust              EnrollmentSubType = "ENTRUST"
	EnrollmentSubTypeGlobalSign           EnrollmentSubType = "GLOBAL_SIGN"
	EnrollmentSubTypeLocal                EnrollmentSubType = "LOCAL"
	EnrollmentSubTypeOpenTrust            EnrollmentSubType = "OPEN_TRUST"
	EnrollmentSubTypeSCEP                 EnrollmentSubType = "SCEP"
	EnrollmentSubTypeSingleFileIdentity   EnrollmentSubType = "SINGLE_FILE_IDENTITY"
	EnrollmentSubTypeSymantecManagedPKI   EnrollmentSubType = "SYMANTEC_MANAGED_PKI"
	EnrollmentSubTypeSymantecWSManagedPKI EnrollmentSubType = "SYMANTEC_WS_MANAGED_PKI"
)

var enrollmentSubTypes = []EnrollmentSubType{
	EnrollmentSubTypeBlueCoat, EnrollmentSubTypeClientProvided, EnrollmentSubTypeUserProvided, EnrollmentSubTypeEntrust, EnrollmentSubTypeGlobalSign,
	EnrollmentSubTypeLocal, EnrollmentSubTypeOpenTrust, EnrollmentSubTypeSCEP, EnrollmentSubTypeSingleFileIdentity, EnrollmentSubTypeSymantecManagedPKI,
	EnrollmentSubTypeSymantecWSManagedPKI,
}

// Valid reports whether t is one of the documented sub-types.
func (t EnrollmentSubType) Valid() bool { return slices.Contains(enrollmentSubTypes, t) }

// Message is one entry of the messages container Core adds to its answers.
type Message struct {
	// Type is Info, Warning or Error.
	Type string `json:"type"`
	// Key is Core's messageKey, e.g. com.mobileiron.vsp.messages.http.200.
	Key string `json:"messageKey"`
	// Text is the localized message.
	Text string `json:"localizedMessage"`
	// Parameters are Core's messageParameters, as they came.
	Parameters []any `json:"messageParameters"`
}

// Certificate is one certificate found by SearchCertificates.
type Certificate struct {
	ID int64 `json:"id"`
	// SerialNumber: Core sends a number or a string; kept as text.
	SerialNumber string `json:"serialNumber"`
	// Type is e.g. "Centralized".
	Type      string    `json:"type"`
	Trash     bool      `json:"trash"`
	ExpiredAt time.Time `json:"expiredAt"`
	CreatedAt time.Time `json:"createdAt"`
	// UserID: Core sends a number; kept as text like other user ids.
	UserID   string `json:"userId"`
	DeviceID int64  `json:"deviceId"`
	// DeviceUUID is read from deviceUuid (the field list's spelling) or
	// deviceUUid (the sample's).
	DeviceUUID          string            `json:"deviceUuid"`
	LocalCAID           int64             `json:"localCAId"`
	CESettingName       string            `json:"ceSettingName"`
	Status              CertificateStatus `json:"certificateStatus"`
	CEID                int64             `json:"ceId"`
	ConsumerAppSettings []int64           `json:"consumerAppSettings"`
}

// CertificateSearchResult is Core's answer to SearchCertificates.
type CertificateSearchResult struct {
	Results []Certificate `json:"results"`
	// ResultCount is the number of entries Core says it returns (0 when
	// the answer does not say). It is reported as sent, even where it
	// differs from len(Results).
	ResultCount int       `json:"resultCount"`
	Messages    []Message `json:"messages"`
}

// UserProvidedCertificate is the certificate a user uploaded to a
// user-provided certificate enrollment.
type UserProvidedCertificate struct {
	ID                 string    `json:"id"`
	Version            string    `json:"version"`
	SerialNumber       string    `json:"serialNumber"`
	SignatureAlgorithm string    `json:"signatureAlgorithm"`
	Issuer             string    `json:"issuer"`
	Subject            string    `json:"subject"`
	CommonName         string    `json:"commonName"`
	NotBefore          time.Time `json:"notBefore"`
	NotAfter           time.Time `json:"notAfter"`
	// SubjectAltNames is kept as decoded: its shape is not documented
	// (null in the vendor's sample).
	SubjectAltNames any       `json:"subjectAltNames"`
	Cert            string    `json:"cert"`
	CertType        string    `json:"certType"`
	Alias           string    `json:"alias"`
	CertData        string    `json:"certData"`
	CreatedAt       time.Time `json:"createdAt"`
	ModifiedAt      time.Time `json:"modifiedAt"`
	IPhoneUID       string    `json:"iPhoneUID"`
	// IPhoneDevelopmentAPNSCert is Core's iPhoneDevelopmentAPNSCert flag.
	IPhoneDevelopmentAPNSCert bool `json:"iPhoneDevelopmentAPNSCert"`
	Identity                  bool `json:"identity"`
	ValidTimeLine             bool `json:"validTimeLine"`
}

// UserProvidedCertificateResult is Core's answer to
// GetUserProvidedCertificate.
type UserProvidedCertificateResult struct {
	// Results holds the certificates of the user in the enrollment,
	// normally one.
	Results  []UserProvidedCertificate `json:"results"`
	Messages []Message                 `json:"messages"`
}

// UserProvidedEnrollment is a user-provided certificate enrollment of one
// user with the details of the certificate uploaded to it.
type UserProvidedEnrollment struct {
	CEID            int64     `json:"ceId"`
	CertificateID   int64     `json:"certificateId"`
	RequirePassword bool      `json:"requirePassword"`
	DisplayName     string    `json:"displayName"`
	ExpiresAt       time.Time `json:"certificateExpirationDate"`
	UploadedAt      time.Time `json:"certificateUploadedDate"`
	IsPKCS12        bool      `json:"isPkcs12"`
}

// UserProvidedEnrollmentList is Core's answer to
// ListUserProvidedCertificates.
type UserProvidedEnrollmentList struct {
	Results  []UserProvidedEnrollment `json:"results"`
	Messages []Message                `json:"messages"`
}

// Configuration is a certificate enrollment (SCEP/CE) configuration.
type Configuration struct {
	Name string `json:"name"`
	// Value is the configuration's ID, e.g. the CEid of user-provided calls.
	Value      string `json:"value"`
	AppType    string `json:"appType"`
	AppSubType string `json:"appSubType"`
	RowType    string `json:"rowType"`
}

// CEID is Value as the certificate enrollment ID the other operations
// take (UploadUserProvidedCertificateInput.CEID, SearchUsersWithoutCertificates):
// Core lists configurations with their ID as a string.
func (c Configuration) CEID() (int64, error) {
	id, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("core: configuration %q: value %q is not a certificate enrollment ID", c.Name, c.Value)
	}
	return id, nil
}

// ConfigurationList is Core's answer to SCEPConfigurations and
// CEConfigurations.
type ConfigurationList struct {
	Results []Configuration `json:"results"`
	// ResultCount is the number of entries Core says it returns (0 when
	// the answer does not say).
	ResultCount int       `json:"resultCount"`
	Messages    []Message `json:"messages"`
}

// User is a user found by SearchUsersWithoutCertificates.
type User struct {
	ID           int64  `json:"id"`
	Principal    string `json:"principal"`
	DisplayName  string `json:"displayName"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	EmailAddress string `json:"emailAddress"`
}

// UserSearchResult is Core's answer to SearchUsersWithoutCertificates.
type UserSearchResult struct {
	Results []User `json:"results"`
	// ResultCount is the number of entries Core says it returns (0 when
	// the answer does not say).
	ResultCount int       `json:"resultCount"`
	Messages    []Message `json:"messages"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func messagesOf(in *[]coreapi.Message) []Message {
	if in == nil {
		return nil
	}
	out := make([]Message, 0, len(*in))
	for _, m := range *in {
		out = append(out, Message{Type: deref(m.Type), Key: deref(m.MessageKey), Text: deref(m.LocalizedMessage), Parameters: deref(m.MessageParameters)})
	}
	return out
}

// rawJSON is the union types of the generated models (number-or-string ids,
// date-or-epoch dates).
type rawJSON interface{ MarshalJSON() ([]byte, error) }

// flexText reads a value Core sends as a number or a string.
func flexText[T rawJSON](v *T) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := (*v).MarshalJSON()
	if err != nil {
		return "", err
	}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == "null":
		return "", nil
	case b[0] == '"':
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return "", err
		}
		return n.String(), nil
	}
}

// flexTime reads a date Core sends as milliseconds since the Unix epoch or
// as text ("2017-04-18", RFC 3339). A date without a zone is taken as UTC.
func flexTime[T rawJSON](v *T) (time.Time, error) {
	s, err := flexText(v)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	return parseTime(s)
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised date %q", s)
}

func epochTime(ms *int64) time.Time {
	if ms == nil || *ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

// fieldErrors collects the first conversion error with its field name.
type fieldErrors struct{ err error }

func (f *fieldErrors) note(name string, err error) {
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("field %s: %w", name, err)
	}
}

func textField[T rawJSON](f *fieldErrors, name string, v *T) string {
	s, err := flexText(v)
	f.note(name, err)
	return s
}

func timeField[T rawJSON](f *fieldErrors, name string, v *T) time.Time {
	t, err := flexTime(v)
	f.note(name, err)
	return t
}

func certificateOf(in coreapi.Certificate) (Certificate, error) {
	var fe fieldErrors
	uuid := deref(in.DeviceUuid)
	if uuid == "" {
		uuid = deref(in.DeviceUUid) // the vendor's sample spells it deviceUUid
	}
	out := Certificate{
		ID:                  deref(in.Id),
		SerialNumber:        textField(&fe, "serialNumber", in.SerialNumber),
		Type:                deref(in.Type),
		Trash:               deref(in.Trash),
		ExpiredAt:           timeField(&fe, "expiredAt", in.ExpiredAt),
		CreatedAt:           timeField(&fe, "createdAt", in.CreatedAt),
		UserID:              textField(&fe, "userId", in.UserId),
		DeviceID:            deref(in.DeviceId),
		DeviceUUID:          uuid,
		LocalCAID:           deref(in.LocalCAId),
		CESettingName:       deref(in.CeSettingName),
		Status:              CertificateStatus(deref(in.CertificateStatus)),
		CEID:                deref(in.CeId),
		ConsumerAppSettings: deref(in.ConsumerAppSettings),
	}
	return out, fe.err
}

func userProvidedCertificateOf(in coreapi.UserProvidedCertificate) (UserProvidedCertificate, error) {
	var fe fieldErrors
	out := UserProvidedCertificate{
		ID:                        textField(&fe, "id", in.Id),
		Version:                   textField(&fe, "version", in.Version),
		SerialNumber:              textField(&fe, "serialNumber", in.SerialNumber),
		SignatureAlgorithm:        deref(in.SignatureAlgorithm),
		Issuer:                    deref(in.Issuer),
		Subject:                   deref(in.Subject),
		CommonName:                deref(in.CommonName),
		NotBefore:                 timeField(&fe, "notBefore", in.NotBefore),
		NotAfter:                  timeField(&fe, "notAfter", in.NotAfter),
		SubjectAltNames:           in.SubjectAltNames,
		Cert:                      deref(in.Cert),
		CertType:                  deref(in.CertType),
		Alias:                     deref(in.Alias),
		CertData:                  deref(in.CertData),
		CreatedAt:                 timeField(&fe, "createdAt", in.CreatedAt),
		ModifiedAt:                timeField(&fe, "modifiedAt", in.ModifiedAt),
		IPhoneUID:                 deref(in.IPhoneUID),
		IPhoneDevelopmentAPNSCert: deref(in.IPhoneDevelopmentAPNSCert),
		Identity:                  deref(in.Identity),
		ValidTimeLine:             deref(in.ValidTimeLine),
	}
	return out, fe.err
}

func userProvidedEnrollmentOf(in coreapi.UserProvidedDetail) (UserProvidedEnrollment, error) {
	var fe fieldErrors
	out := UserProvidedEnrollment{
		CEID:            deref(in.CeId),
		CertificateID:   deref(in.CertificateId),
		RequirePassword: deref(in.RequirePassword),
		DisplayName:     deref(in.DisplayName),
		ExpiresAt:       timeField(&fe, "certificateExpirationDate", in.CertificateExpirationDate),
		UploadedAt:      timeField(&fe, "certificateUploadedDate", in.CertificateUploadedDate),
		IsPKCS12:        deref(in.IsPkcs12),
	}
	return out, fe.err
}

func configurationOf(in coreapi.Configuration) Configuration {
	return Configuration{
		Name: deref(in.Name), Value: deref(in.Value), AppType: deref(in.AppType),
		AppSubType: deref(in.AppSubType), RowType: deref(in.RowType),
	}
}

func userOf(in coreapi.User) User {
	return User{
		ID: deref(in.Id), Principal: deref(in.Principal), DisplayName: deref(in.DisplayName),
		FirstName: deref(in.FirstName), LastName: deref(in.LastName), EmailAddress: deref(in.EmailAddress),
	}
}

// convertAll converts the generated models of a result list; an entry that
// does not convert makes the answer unexpected. A missing list is empty.
func convertAll[In, Out any](op string, in *[]In, conv func(In) (Out, error)) ([]Out, error) {
	out := make([]Out, 0, len(deref(in)))
	for i, v := range deref(in) {
		o, err := conv(v)
		if err != nil {
			return nil, &apierror.Error{Op: op, Kind: apierror.ErrUnexpectedResponse, Message: fmt.Sprintf("result %d", i), Err: err}
		}
		out = append(out, o)
	}
	return out, nil
}

func infallible[In, Out any](f func(In) Out) func(In) (Out, error) {
	return func(v In) (Out, error) { return f(v), nil }
}
