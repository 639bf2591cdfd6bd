package workflow

import (
	"errors"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// A call's options change the client's settings, which changed the
// defaults; a call without options gets the client's.
func TestCallChangesClientChangesDefaults(t *testing.T) {
	defaults := Settings{PollInterval: time.Second, WaitTimeout: time.Minute, ApprovalWait: time.Minute}
	cfg := transport.NewConfig()
	Client(cfg, PollInterval(2*time.Second))
	Client(cfg, ApprovalWait(0))
	client, err := ForClient("op", cfg, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if client.PollInterval != 2*time.Second || client.ApprovalWait != 0 || client.WaitTimeout != time.Minute {
		t.Fatalf("client settings %+v", client)
	}
	var cs transport.CallSettings
	var got []string
	Call(&cs, WaitTimeout(0))
	Call(&cs, Progress(func(s string) { got = append(got, s) }))
	call, err := ForCall("op", client, &cs)
	if err != nil {
		t.Fatal(err)
	}
	if call.WaitTimeout != 0 || call.PollInterval != 2*time.Second {
		t.Errorf("call settings %+v", call)
	}
	Report(call, "x")
	Report(call, 1) // another type: not this callback's
	if len(got) != 1 || got[0] != "x" {
		t.Errorf("progress saw %v", got)
	}
	if plain, _ := ForCall("op", client, &transport.CallSettings{}); plain.WaitTimeout != time.Minute || plain.Progress != nil {
		t.Errorf("a call without options: %+v", plain)
	}
}

func TestCheckRefusesWhatNoWaitCanFollow(t *testing.T) {
	ok := Settings{PollInterval: time.Second}
	for _, s := range []Settings{{}, {PollInterval: -1}, {PollInterval: 1, WaitTimeout: -1}, {PollInterval: 1, ApprovalWait: -1}, {PollInterval: 1, Multiplier: -1}} {
		if err := s.Check("op"); !errors.Is(err, apierror.ErrInvalidInput) {
			t.Errorf("%+v: %v, want ErrInvalidInput", s, err)
		}
	}
	if err := ok.Check("op"); err != nil {
		t.Error(err)
	}
}

func TestPollDelaysTheFirstCheckOnlyWhenAsked(t *testing.T) {
	s := Settings{PollInterval: time.Second, Multiplier: 1.5, MaxInterval: time.Minute}
	if c := s.Poll(time.Hour); c.InitialDelay != 0 || c.Interval != time.Second || c.Timeout != time.Hour || c.Multiplier != 1.5 {
		t.Errorf("%+v", c)
	}
	s.DelayFirst = true
	if c := s.Poll(0); c.InitialDelay != time.Second {
		t.Errorf("%+v", c)
	}
}

func TestStageNames(t *testing.T) {
	if StageAwaitingApproval.String() != "awaiting approval" || StageCertificatesReceived.String() != "certificates received" || Stage(99).String() != "stage 99" {
		t.Error("stage names")
	}
}
