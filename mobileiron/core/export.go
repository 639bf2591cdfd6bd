package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/atomicfile"
	"github.com/certadmin/certadmin-go/internal/poll"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
)

// ExportStart is Core's answer to a request to start an export.
type ExportStart struct {
	// AlreadyRunning is true when Core did not start a new export because
	// one was in progress, perhaps started by another administrator. Core
	// says so with the same message key and another localized message (and
	// no results).
	AlreadyRunning bool `json:"alreadyRunning"`
	// StatusURL and DownloadURL are Core's exportStatusPollUrl and
	// csvDownloadUrl.
	StatusURL   string    `json:"exportStatusPollUrl"`
	DownloadURL string    `json:"csvDownloadUrl"`
	Messages    []Message `json:"messages"`
}

// ExportStatus is the state of an export job on the server.
type ExportStatus struct {
	Running bool `json:"isRunning"`
	// Available is Core's isExportStatusAvailable.
	Available bool `json:"isExportStatusAvailable"`
	// Result is "success" or "fail" once the job ended (exportStatusMsg).
	Result string `json:"exportStatusMsg"`
	// FileName is the path of the CSV file on the server.
	FileName    string    `json:"csvFileName"`
	InitiatedAt time.Time `json:"initiatedAt"`
	// Messages are those of the status answer, if Core sent any.
	Messages []Message `json:"messages"`
}

// ExportSummary describes a finished export.
type ExportSummary struct {
	// Bytes is how many bytes of CSV were written.
	Bytes int64 `json:"bytes"`
	// FileName is the path of the CSV file on the server.
	FileName    string    `json:"csvFileName"`
	InitiatedAt time.Time `json:"initiatedAt"`
	// JoinedRunning is true when an export was already in progress and its
	// result was downloaded instead of starting a new one.
	JoinedRunning bool `json:"joinedRunning"`
	// Checks counts the status calls made while waiting.
	Checks int `json:"checks"`
	// Messages are Core's messages: those of the initiation, then those of
	// the final status answer.
	Messages []Message `json:"messages"`
}

// Default rhythm of the status checks of an export (WithPollInterval,
// WithPollBackoff, WithWaitTimeout).
const (
	DefaultPollInterval    = time.Second
	DefaultPollMaxInterval = 15 * time.Second
	DefaultWaitTimeout     = 30 * time.Minute
)

var defaultWait = workflow.Settings{PollInterval: DefaultPollInterval, Multiplier: 1.5,
	MaxInterval: DefaultPollMaxInterval, DelayFirst: true, WaitTimeout: DefaultWaitTimeout}

// WithPollInterval sets the wait before an export's first status check
// and between checks (default DefaultPollInterval).
func WithPollInterval(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.PollInterval(d))
}

// WithPollBackoff grows an export's check interval by multiplier after
// each check, up to maxInterval (default 1.5 and DefaultPollMaxInterval).
// A multiplier of 1 keeps it constant; one below 1, or a maxInterval that
// is not positive, is refused with ErrInvalidInput.
func WithPollBackoff(multiplier float64, maxInterval time.Duration) ClientOrCallOption {
	return workflowOption(workflow.Backoff(multiplier, maxInterval))
}

// WithWaitTimeout bounds the wait for an export to finish (default
// DefaultWaitTimeout; 0 leaves it to the context); the download that
// follows is bounded by the context only.
func WithWaitTimeout(d time.Duration) ClientOrCallOption {
	return workflowOption(workflow.WaitTimeout(d))
}

// WithProgress calls fn with every status seen while an export runs.
func WithProgress(fn func(ExportStatus)) ClientOrCallOption {
	return workflowOption(workflow.Progress(fn))
}

type failIfRunning struct{ set bool }

// FailIfExportRunning makes an export workflow return ErrExportInProgress
// when an export is already running, instead of waiting for it and
// downloading its result (which may have been started by someone else with
// another filter).
func FailIfExportRunning() CallOption {
	return callOption(func(cs *transport.CallSettings) { transport.CallExtension[failIfRunning](cs).set = true })
}

// exportJob is one of Core's initiate → status → download sequences.
type exportJob struct {
	op       string
	initiate func(ctx context.Context, opts ...CallOption) (*ExportStart, error)
	status   func(ctx context.Context, opts ...CallOption) (*ExportStatus, error)
	download func(ctx context.Context, w io.Writer, opts ...CallOption) (int64, error)
}

// run initiates the export, waits for it and streams the CSV into w.
func (c *Client) run(ctx context.Context, job exportJob, w io.Writer, opts []CallOption) (*ExportSummary, error) {
	cs := callSettings(opts)
	s, err := workflow.ForCall(job.op, c.wf, cs)
	if err != nil {
		return nil, err
	}
	start, err := job.initiate(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if f := transport.LookupCallExtension[failIfRunning](cs); start.AlreadyRunning && f != nil && f.set {
		return nil, &apierror.Error{Op: job.op, Kind: ErrExportInProgress, Message: firstText(start.Messages)}
	}
	checks := 0
	progress := func(st ExportStatus) { workflow.Report(s, st) }
	st, err := poll.Until(ctx, s.Poll(s.WaitTimeout), func(ctx context.Context) (ExportStatus, bool, error) {
		checks++
		st, err := job.status(ctx, opts...)
		if err != nil {
			return ExportStatus{}, false, err
		}
		if st.Running || !st.Available {
			return *st, false, nil
		}
		if !strings.EqualFold(st.Result, "success") {
			return *st, true, &apierror.Error{Op: job.op, Kind: ErrExportFailed,
				Message: fmt.Sprintf("export status %q (server file %q)", st.Result, st.FileName)}
		}
		return *st, true, nil
	}, progress)
	if err != nil {
		var ae *apierror.Error
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", job.op, err)
	}
	n, err := job.download(ctx, w, opts...)
	if err != nil {
		return nil, err
	}
	msgs := append(append([]Message(nil), start.Messages...), st.Messages...)
	return &ExportSummary{Bytes: n, FileName: st.FileName, InitiatedAt: st.InitiatedAt, JoinedRunning: start.AlreadyRunning,
		Checks: checks, Messages: msgs}, nil
}

// toFile runs export into a temporary file renamed to path only on success.
func toFile(path string, export func(w io.Writer) (*ExportSummary, error)) (*ExportSummary, error) {
	var sum *ExportSummary
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error {
		var err error
		sum, err = export(w)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

func firstText(msgs []Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[0].Text
}

// ExportCertificates runs the certificate export end to end: it initiates
// the export of the certificates matching f (Status is required), waits for
// Core to finish it and streams the CSV into w without holding it in memory.
// If an export is already running it waits for that one and downloads its
// result, unless FailIfExportRunning is given. A download cut short is an
// error (ErrTruncated), never a short file reported as done.
func (c *Client) ExportCertificates(ctx context.Context, f CertificateFilter, w io.Writer, opts ...CallOption) (*ExportSummary, error) {
	const op = "core.ExportCertificates"
	if _, err := f.check(op, true); err != nil {
		return nil, err
	}
	return c.run(ctx, exportJob{
		op: op,
		initiate: func(ctx context.Context, opts ...CallOption) (*ExportStart, error) {
			return c.InitiateCertificateExport(ctx, f, opts...)
		},
		status:   c.CertificateExportStatus,
		download: c.DownloadCertificateExport,
	}, w, opts)
}

// ExportCertificatesToFile is ExportCertificates into the file at path. The
// file appears under its name only when the export is complete; a failed
// export leaves no partial file behind (and an existing file untouched).
func (c *Client) ExportCertificatesToFile(ctx context.Context, f CertificateFilter, path string, opts ...CallOption) (*ExportSummary, error) {
	if _, err := f.check("core.ExportCertificates", true); err != nil {
		return nil, err
	}
	return toFile(path, func(w io.Writer) (*ExportSummary, error) { return c.ExportCertificates(ctx, f, w, opts...) })
}

// InitiateCertificateExport asks Core to prepare a CSV of the certificates
// matching f (Status is required). Most callers want ExportCertificates.
// It is never repeated once it may have reached the server.
func (c *Client) InitiateCertificateExport(ctx context.Context, f CertificateFilter, opts ...CallOption) (*ExportStart, error) {
	const op = "core.InitiateCertificateExport"
	w, err := f.check(op, true)
	if err != nil {
		return nil, err
	}
	cs := callSettings(opts)
	space, err := c.spaceFor(cs)
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	// In the query as this chapter and the 11.3 page say and in the body as
	// the 11.x page says (see the package doc).
	body := coreapi.CertificateExportRequest{
		AdminDeviceSpaceId: &space,
		CeSettingName:      f.CESettingName,
		CertificateStatus:  *w.status,
		UserId:             w.userID,
		DeviceUUID:         w.deviceUUID,
		ExpiresAfter:       w.expiresAfter,
		ExpiresBefore:      w.expiresBefore,
	}
	req, err := coreapi.NewInitiateCertificateExportRequest(c.server, &coreapi.InitiateCertificateExportParams{AdminDeviceSpaceId: &space}, body)
	return c.exportStart(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs})
}

// CertificateExportStatus returns the state of the certificate export.
func (c *Client) CertificateExportStatus(ctx context.Context, opts ...CallOption) (*ExportStatus, error) {
	const op = "core.CertificateExportStatus"
	cs := callSettings(opts)
	space, err := c.spaceFor(cs)
	if err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	req, err := coreapi.NewGetCertificateExportStatusRequest(c.server, &coreapi.GetCertificateExportStatusParams{AdminDeviceSpaceId: space})
	return c.exportStatus(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs})
}

// DownloadCertificateExport streams the CSV of the last certificate export
// into w and returns the number of bytes written.
func (c *Client) DownloadCertificateExport(ctx context.Context, w io.Writer, opts ...CallOption) (int64, error) {
	const op = "core.DownloadCertificateExport"
	cs := callSettings(opts)
	space, err := c.spaceFor(cs)
	if err != nil {
		return 0, apierror.Invalid(op, "%v", err)
	}
	req, err := coreapi.NewDownloadCertificateExportRequest(c.server, &coreapi.DownloadCertificateExportParams{AdminDeviceSpaceId: space})
	return c.t.Stream(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: cs}, w)
}

// ExportUsersWithoutCertificates runs the export of the users of certificate
// enrollment ceID who have no certificate from it, end to end, like
// ExportCertificates.
func (c *Client) ExportUsersWithoutCertificates(ctx context.Context, ceID int64, w io.Writer, opts ...CallOption) (*ExportSummary, error) {
	const op = "core.ExportUsersWithoutCertificates"
	if err := checkNumericCEID(op, ceID); err != nil {
		return nil, err
	}
	return c.run(ctx, exportJob{
		op: op,
		initiate: func(ctx context.Context, opts ...CallOption) (*ExportStart, error) {
			return c.InitiateUsersWithoutCertificatesExport(ctx, ceID, opts...)
		},
		status: func(ctx context.Context, opts ...CallOption) (*ExportStatus, error) {
			return c.UsersWithoutCertificatesExportStatus(ctx, ceID, opts...)
		},
		download: func(ctx context.Context, w io.Writer, opts ...CallOption) (int64, error) {
			return c.DownloadUsersWithoutCertificatesExport(ctx, ceID, w, opts...)
		},
	}, w, opts)
}

// ExportUsersWithoutCertificatesToFile is ExportUsersWithoutCertificates
// into the file at path, which appears only when the export is complete.
func (c *Client) ExportUsersWithoutCertificatesToFile(ctx context.Context, ceID int64, path string, opts ...CallOption) (*ExportSummary, error) {
	if err := checkNumericCEID("core.ExportUsersWithoutCertificates", ceID); err != nil {
		return nil, err
	}
	return toFile(path, func(w io.Writer) (*ExportSummary, error) {
		return c.ExportUsersWithoutCertificates(ctx, ceID, w, opts...)
	})
}

// InitiateUsersWithoutCertificatesExport asks Core to prepare a CSV of the
// users of certificate enrollment ceID without a certificate. It is never
// repeated once it may have reached the server.
func (c *Client) InitiateUsersWithoutCertificatesExport(ctx context.Context, ceID int64, opts ...CallOption) (*ExportStart, error) {
	const op = "core.InitiateUsersWithoutCertificatesExport"
	if err := checkNumericCEID(op, ceID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewInitiateUsersWithoutCertificatesExportRequest(c.server, ceID)
	return c.exportStart(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// UsersWithoutCertificatesExportStatus returns the state of that export.
// Core wants POST for it; it only reads, so the transport may repeat it.
func (c *Client) UsersWithoutCertificatesExportStatus(ctx context.Context, ceID int64, opts ...CallOption) (*ExportStatus, error) {
	const op = "core.UsersWithoutCertificatesExportStatus"
	if err := checkNumericCEID(op, ceID); err != nil {
		return nil, err
	}
	req, err := coreapi.NewGetUsersWithoutCertificatesExportStatusRequest(c.server, ceID)
	return c.exportStatus(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)})
}

// DownloadUsersWithoutCertificatesExport streams the CSV of that export
// into w and returns the number of bytes written.
func (c *Client) DownloadUsersWithoutCertificatesExport(ctx context.Context, ceID int64, w io.Writer, opts ...CallOption) (int64, error) {
	const op = "core.DownloadUsersWithoutCertificatesExport"
	if err := checkNumericCEID(op, ceID); err != nil {
		return 0, err
	}
	req, err := coreapi.NewDownloadUsersWithoutCertificatesExportRequest(c.server, ceID)
	return c.t.Stream(ctx, transport.Call{Op: op, Request: req, BuildErr: err, Settings: callSettings(opts)}, w)
}

func (c *Client) exportStart(ctx context.Context, call transport.Call) (*ExportStart, error) {
	var out coreapi.ExportInitiateResponse
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return nil, err
	}
	st := &ExportStart{Messages: messagesOf(out.Messages)}
	if out.Results == nil {
		// Core answers "already in progress" with no results and the same
		// message key as a fresh start; only the localized text differs.
		st.AlreadyRunning = true
		return st, nil
	}
	st.StatusURL = deref(out.Results.ExportStatusPollUrl)
	st.DownloadURL = deref(out.Results.CsvDownloadUrl)
	return st, nil
}

func (c *Client) exportStatus(ctx context.Context, call transport.Call) (*ExportStatus, error) {
	var out coreapi.ExportStatusResponse
	if err := c.t.JSON(ctx, call, &out); err != nil {
		return nil, err
	}
	if out.Results == nil {
		return nil, &apierror.Error{Op: call.Op, Kind: apierror.ErrUnexpectedResponse, Message: "answer holds no results"}
	}
	r := out.Results
	return &ExportStatus{
		Running:     deref(r.IsRunning),
		Available:   deref(r.IsExportStatusAvailable),
		Result:      deref(r.ExportStatusMsg),
		FileName:    deref(r.CsvFileName),
		InitiatedAt: epochTime(r.InitiatedAt),
		Messages:    messagesOf(out.Messages),
	}, nil
}
