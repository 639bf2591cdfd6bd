package adminv1

// Unexported names the external tests (fuzz_test.go) check against.
var DecodeError = decodeError

const (
	OpListAdmins   = opListAdmins
	OpGetAdmin     = opGetAdmin
	OpCreateAdmin  = opCreateAdmin
	OpDeleteAdmin  = opDeleteAdmin
	OpEnableAdmins = opEnableAdmins
	HintForbidden  = hintForbidden
)
