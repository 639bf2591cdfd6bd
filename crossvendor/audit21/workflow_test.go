//go:build audit

package audit21

import (
	"context"
	"crypto/x509/pkix"
	"errors"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// Issue: "One workflow vocabulary serves every vendor: wait, pending error,
// resume, stage and next step, progress." The same story in both
// approval-waiting vendors, with the same calls: WithApprovalWait(0) stops at
// the approval; the error matches ErrApprovalPending and ErrPending, is an
// *EnrollError at EnrollStageAwaitingApproval with a Next, wraps a
// *PendingError at the same stage; WithProgress saw that stage; after the
// approval ResumeEnrollment(ctx, pending) finishes.
func TestWorkflowVocabularyEndToEnd(t *testing.T) {
	ctx := context.Background()
	t.Run("mimcm", func(t *testing.T) {
		srv := mimcmtest.NewTestServer(t)
		c, err := srv.NewClient(mimcm.WithPollInterval(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var stages []mimcm.EnrollStage
		_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateApproval},
			mimcm.WithApprovalWait(0), mimcm.WithProgress(func(p mimcm.Progress) { stages = append(stages, p.Stage) }))
		if !errors.Is(err, mimcm.ErrApprovalPending) || !errors.Is(err, mimcm.ErrPending) {
			t.Fatalf("err = %v, want ErrApprovalPending and ErrPending", err)
		}
		var ee *mimcm.EnrollError
		var pe *mimcm.PendingError
		if !errors.As(err, &ee) || ee.Stage != mimcm.EnrollStageAwaitingApproval || ee.Next == "" {
			t.Errorf("EnrollError = %+v", ee)
		}
		if !errors.As(err, &pe) || pe.Stage != mimcm.EnrollStageAwaitingApproval {
			t.Fatalf("PendingError = %+v", pe)
		}
		if !containsStage(stages, mimcm.EnrollStageAwaitingApproval) {
			t.Errorf("progress stages %v miss AwaitingApproval", stages)
		}
		if err := srv.ApproveRequest(pe.RequestID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ResumeEnrollment(ctx, pe); err != nil {
			t.Errorf("ResumeEnrollment after approval: %v", err)
		}
	})
	t.Run("czertainly", func(t *testing.T) {
		srv := czertainlytest.NewTestServer(t)
		c, err := srv.NewClient(czertainly.WithPollInterval(time.Millisecond), czertainly.WithWaitTimeout(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var stages []czertainly.EnrollStage
		_, err = c.Enroll(ctx, czertainly.EnrollInput{
			Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.ApprovalRAProfileUUID},
			Subject: pkix.Name{CommonName: "audit21.example"}, DNSNames: []string{"audit21.example"},
		}, czertainly.WithApprovalWait(0), czertainly.WithProgress(func(p czertainly.Progress) { stages = append(stages, p.Stage) }))
		if !errors.Is(err, czertainly.ErrApprovalPending) || !errors.Is(err, czertainly.ErrPending) {
			t.Fatalf("err = %v, want ErrApprovalPending and ErrPending", err)
		}
		var ee *czertainly.EnrollError
		var pe *czertainly.PendingError
		if !errors.As(err, &ee) || ee.Stage != czertainly.EnrollStageAwaitingApproval || ee.Next == "" {
			t.Errorf("EnrollError = %+v", ee)
		}
		if !errors.As(err, &pe) || pe.Stage != czertainly.EnrollStageAwaitingApproval {
			t.Fatalf("PendingError = %+v", pe)
		}
		if !containsStage(stages, czertainly.EnrollStageAwaitingApproval) {
			t.Errorf("progress stages %v miss AwaitingApproval", stages)
		}
		for _, a := range srv.PendingApprovals() {
			if err := srv.Approve(a); err != nil {
				t.Fatal(err)
			}
		}
		srv.RunBackground()
		if _, err := c.ResumeEnrollment(ctx, pe); err != nil {
			t.Errorf("ResumeEnrollment after approval: %v", err)
		}
	})
}

func containsStage[S comparable](s []S, want S) bool {
	for _, x := range s {
		if x == want {
			return true
		}
	}
	return false
}

// Issue: "never a panic or a failing first call". Options NewClient accepts
// with a nil value (WithProgress(nil), WithLogger(nil)) must not make a
// workflow panic.
func TestAcceptedNilOptionsDoNotPanic(t *testing.T) {
	ctx := context.Background()
	check := func(name string, f func() error) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: PANIC %v", name, r)
			}
		}()
		if err := f(); err != nil && !errors.Is(err, czertainly.ErrInvalidInput) && !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Errorf("%s: %v", name, err)
		}
	}
	msrv := mimcmtest.NewTestServer(t)
	check("mimcm WithProgress(nil)+WithLogger(nil)", func() error {
		c, err := msrv.NewClient(mimcm.WithProgress(nil), mimcm.WithLogger(nil))
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
		return err
	})
	csrv := czertainlytest.NewTestServer(t)
	check("czertainly WithProgress(nil)+WithLogger(nil)", func() error {
		c, err := csrv.NewClient(czertainly.WithProgress(nil), czertainly.WithLogger(nil), czertainly.WithPollInterval(time.Millisecond))
		if err != nil {
			return err
		}
		defer c.Close()
		_, err = c.Enroll(ctx, czertainly.EnrollInput{
			Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
			Subject: pkix.Name{CommonName: "audit21.example"}, DNSNames: []string{"audit21.example"},
		}, czertainly.WithProgress(nil))
		return err
	})
}
