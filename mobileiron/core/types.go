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

// The certificate states the seed lists.
const (
	StatusActive                   CertificateStatus = "ACTIVE"
	StatusExpired                  CertificateStatus = "EXPIRED"
	StatusPendingRevocation        CertificateStatus = "PENDING_REVOCATION"
	StatusManualRevocationRequired CertificateStatus = "MANUAL_REVOCATION_REQUIRED"
	StatusRevoked                  CertificateStatus = "REVOKED"
	StatusSent                     CertificateStatus = "SENT"
	StatusWaitingSend              CertificateStatus = "WAITING_SEND"
	StatusGenerating               CertificateStatus = "GENERATING"
	StatusHighGenerating           CertificateStatus = "HIGH_GENERATING"
)

var certificateStatuses = []CertificateStatus{
	StatusActive, StatusExpired, StatusPendingRevocation, StatusManualRevocationRequired,
	StatusRevoked, StatusSent, StatusWaitingSend, StatusGenerating, StatusHighGenerating,
}

// Valid reports whether s is one of the documented states.
func (s CertificateStatus) Valid() bool { return slices.Contains(certificateStatuses, s) }

// EnrollmentSubType is a certificate enrollment (SCEP/CE) sub-type.
type EnrollmentSubType string

// The sub-types the seed lists.
const (
	SubTypeBlueCoat             EnrollmentSubType = "BLUE_COAT"
	SubTypeClientProvided       EnrollmentSubType = "CLIENT_PROVIDED"
	SubTypeUserProvided         EnrollmentSubType = "USER_PROVIDED"
	SubTypeEntrust              EnrollmentSubType = "ENTRUST"
	SubTypeGlobalSign           EnrollmentSubType = "GLOBAL_SIGN"
	SubTypeLocal                EnrollmentSubType = "LOCAL"
	SubTypeOpenTrust            EnrollmentSubType = "OPEN_TRUST"
	SubTypeSCEP                 EnrollmentSubType = "SCEP"
	SubTypeSingleFileIdentity   EnrollmentSubType = "SINGLE_FILE_IDENTITY"
	SubTypeSymantecManagedPKI   EnrollmentSubType = "SYMANTEC_MANAGED_PKI"
	SubTypeSymantecWSManagedPKI EnrollmentSubType = "SYMANTEC_WS_MANAGED_PKI"
)

var enrollmentSubTypes = []EnrollmentSubType{
	SubTypeBlueCoat, SubTypeClientProvided, SubTypeUserProvided, SubTypeEntrust, SubTypeGlobalSign,
	SubTypeLocal, SubTypeOpenTrust, SubTypeSCEP, SubTypeSingleFileIdentity, SubTypeSymantecManagedPKI,
	SubTypeSymantecWSManagedPKI,
}

// Valid reports whether t is one of the documented sub-types.
func (t EnrollmentSubType) Valid() bool { return slices.Contains(enrollmentSubTypes, t) }

// Message is one entry of the messages container Core adds to its answers.
type Message struct {
	Type       string // Info, Warning, Error
	Key        string // e.g. com.mobileiron.vsp.messages.http.200
	Text       string // the localized message
	Parameters []any
}

// Certificate is one certificate found by SearchCertificates.
type Certificate struct {
	ID                  int64
	SerialNumber        string // Core sends a number or a string; kept as text
	Type                string // e.g. "Centralized"
	Trash               bool
	ExpiredAt           time.Time
	CreatedAt           time.Time
	UserID              string // Core sends a number; kept as text like other user ids
	DeviceID            int64
	DeviceUUID          string
	LocalCAID           int64
	CESettingName       string
	Status              CertificateStatus
	CEID                int64
	ConsumerAppSettings []int64
}

// UserProvidedCertificate is the certificate a user uploaded to a
// user-provided certificate enrollment.
type UserProvidedCertificate struct {
	ID                 string
	Version            string
	SerialNumber       string
	SignatureAlgorithm string
	Issuer             string
	Subject            string
	CommonName         string
	NotBefore          time.Time
	NotAfter           time.Time
	SubjectAltNames    any // undocumented shape; null in the seed
	Cert               string
	CertType           string
	Alias              string
	CertData           string
	CreatedAt          time.Time
	ModifiedAt         time.Time
	IPhoneUID          string
	// IPhoneDevelopmentAPNSCert is Core's iPhoneDevelopmentAPNSCert flag.
	IPhoneDevelopmentAPNSCert bool
	Identity                  bool
	ValidTimeLine             bool
}

// UserProvidedEnrollment is a user-provided certificate enrollment of one
// user with the details of the certificate uploaded to it.
type UserProvidedEnrollment struct {
	CEID            int64
	CertificateID   int64
	RequirePassword bool
	DisplayName     string
	ExpiresAt       time.Time
	UploadedAt      time.Time
	IsPKCS12        bool
}

// Configuration is a certificate enrollment (SCEP/CE) configuration.
type Configuration struct {
	Name       string
	Value      string // the configuration's ID, e.g. the CEid of user-provided calls
	AppType    string
	AppSubType string
	RowType    string
}

// User is a user found by SearchUsersWithoutCertificates.
type User struct {
	ID           int64
	Principal    string
	DisplayName  string
	FirstName    string
	LastName     string
	EmailAddress string
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
		uuid = deref(in.DeviceUUid) // the seed's sample spells it deviceUUid
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
