package mimcmtest

import "net/http"

type ntlmState struct{}

func newNTLMState() *ntlmState { return &ntlmState{} }

func (s *Server) windowsAuth(w http.ResponseWriter, _ *http.Request) (account, bool) {
	unauthorized(w)
	return account{}, false
}
