package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// configFile is the -config file: the systems to read. The format is
// described in the package comment; unknown fields are refused, so a typo
// is a usage error rather than a setting silently ignored.
type configFile struct {
	Systems []systemConfig `json:"systems"`
}

// systemConfig is one system of the config file. Secrets are never in the
// file: only the names of the environment variables that hold them.
type systemConfig struct {
	Name   string `json:"name"`
	Vendor string `json:"vendor"`
	URL    string `json:"url"`

	// Username is the user name itself (not a secret); UsernameEnv names
	// the variable holding it instead.
	Username    string `json:"username,omitempty"`
	UsernameEnv string `json:"usernameEnv,omitempty"`
	PasswordEnv string `json:"passwordEnv,omitempty"`
	TokenEnv    string `json:"tokenEnv,omitempty"`
	// ClientCertFile and ClientKeyFile are PEM files for mutual TLS.
	ClientCertFile string `json:"clientCertFile,omitempty"`
	ClientKeyFile  string `json:"clientKeyFile,omitempty"`
	// CAFile is a PEM bundle of the roots that sign the server's
	// certificate, when the system's roots are not enough.
	CAFile string `json:"caFile,omitempty"`
	// Timeout bounds each request's wait for an answer, e.g. "30s"
	// (default 1m).
	Timeout string `json:"timeout,omitempty"`
	// Options are the vendor's own settings, checked by the vendor's
	// wiring (systems.go).
	Options json.RawMessage `json:"options,omitempty"`

	timeout time.Duration
}

// credentials are a system's secrets, read from the environment.
type credentials struct {
	username, password, token string
}

// loadConfig reads and checks the config file. Every error is a
// *usageError: nothing has been sent yet.
func loadConfig(name string) (*configFile, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, usagef("-config: %v", err)
	}
	return parseConfig(name, b)
}

func parseConfig(name string, b []byte) (*configFile, error) {
	var cf configFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		return nil, usagef("%s: %v", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, usagef("%s: more than one JSON value", name)
	}
	if len(cf.Systems) == 0 {
		return nil, usagef("%s: no systems", name)
	}
	seen := map[string]bool{}
	for i := range cf.Systems {
		s := &cf.Systems[i]
		where := fmt.Sprintf("%s: system %d", name, i+1)
		if s.Name != "" {
			where = fmt.Sprintf("%s: system %q", name, s.Name)
		}
		switch {
		case strings.TrimSpace(s.Name) == "":
			return nil, usagef("%s: no name", where)
		case seen[s.Name]:
			return nil, usagef("%s: the name is used twice", where)
		case !slices.Contains(vendorNames(), s.Vendor):
			return nil, usagef("%s: vendor %q: want one of %s", where, s.Vendor, strings.Join(vendorNames(), ", "))
		case s.Username != "" && s.UsernameEnv != "":
			return nil, usagef("%s: give username or usernameEnv, not both", where)
		case (s.ClientCertFile == "") != (s.ClientKeyFile == ""):
			return nil, usagef("%s: clientCertFile and clientKeyFile go together", where)
		}
		seen[s.Name] = true
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, usagef("%s: url %q: want an absolute URL: https, or http to a loopback host (the vendor packages refuse credentials over plain http elsewhere)", where, s.URL)
		}
		s.timeout = time.Minute
		if s.Timeout != "" {
			d, err := time.ParseDuration(s.Timeout)
			if err != nil || d < 0 {
				return nil, usagef("%s: timeout %q: want a duration such as 30s", where, s.Timeout)
			}
			s.timeout = d
		}
	}
	return &cf, nil
}

// credentials reads the variables the system names. A variable that is
// named but unset or empty is a usage error: the run would only fail at
// the server, less clearly.
func (s *systemConfig) credentials(getenv func(string) string) (credentials, error) {
	var c credentials
	read := func(field, name string) (string, error) {
		if name == "" {
			return "", nil
		}
		v := getenv(name)
		if v == "" {
			return "", usagef("system %q: %s names $%s, which is not set", s.Name, field, name)
		}
		return v, nil
	}
	var err error
	c.username = s.Username
	if s.UsernameEnv != "" {
		if c.username, err = read("usernameEnv", s.UsernameEnv); err != nil {
			return c, err
		}
	}
	if c.password, err = read("passwordEnv", s.PasswordEnv); err != nil {
		return c, err
	}
	if c.token, err = read("tokenEnv", s.TokenEnv); err != nil {
		return c, err
	}
	return c, nil
}

// vendorOptions decodes the system's "options" into v, refusing unknown
// fields.
func (s *systemConfig) vendorOptions(v any) error {
	if len(s.Options) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(s.Options))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return usagef("system %q: options: %v", s.Name, err)
	}
	return nil
}
