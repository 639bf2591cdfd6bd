"""An HTTP server that authenticates with impacket's NTLM and SPNEGO code.

It is a test oracle for the mimcm client's Windows authentication: the
CHALLENGE message, the SPNEGO framing and the check of the NTLMv2 response
all come from impacket (Debian's python3-impacket), not from this project.
Run it with Debian's /usr/bin/python3. Modes:

  ntlm       401 offers "WWW-Authenticate: NTLM"; raw NTLM messages.
  negotiate  401 offers "Negotiate"; raw NTLM messages under it (a SPNEGO
             token is refused, as by a server that knows only raw NTLM).
  spnego     401 offers "Negotiate"; NTLM inside SPNEGO only (NegTokenInit,
             then NegTokenResp), as gss-ntlmssp and browsers speak it; a
             raw NTLM message is refused.

A connection is authenticated once (as IIS does by default) and its later
requests need no credentials. GET .../requests/<id> answers a request
object whose Comment names the user impacket authenticated. GET /_stats
answers the counts as JSON; /_ paths are not counted. The first line on
stdout is "LISTEN <port>" once the socket listens.
"""

import argparse
import calendar
import hmac
import json
import os
import struct
import sys
import threading
import time
from base64 import b64decode, b64encode
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from impacket import ntlm
from impacket.spnego import (ASN1_AID, ASN1_SUPPORTED_MECH, SPNEGO_NegTokenInit,
                             SPNEGO_NegTokenResp, TypesMech)

NTLM_MECH = TypesMech['NTLMSSP - Microsoft NTLM Security Support Provider']

stats_lock = threading.Lock()
stats = {"requests": 0, "connections": 0, "handshakes": 0, "refused": 0,
         "challenges": 0, "spnego_tokens": 0, "raw_tokens": 0}


def count(key, n=1):
    with stats_lock:
        stats[key] += n


def make_challenge(negotiate, domain, server):
    """A CHALLENGE message answering NEGOTIATE, built as impacket's SMB server builds it."""
    flags = 0
    for f in (ntlm.NTLMSSP_NEGOTIATE_56, ntlm.NTLMSSP_NEGOTIATE_128, ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH,
              ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, ntlm.NTLMSSP_NEGOTIATE_UNICODE,
              ntlm.NTLM_NEGOTIATE_OEM):
        if negotiate['flags'] & f:
            flags |= f
    flags |= (ntlm.NTLMSSP_NEGOTIATE_VERSION | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO |
              ntlm.NTLMSSP_TARGET_TYPE_SERVER | ntlm.NTLMSSP_NEGOTIATE_NTLM | ntlm.NTLMSSP_REQUEST_TARGET)
    av = ntlm.AV_PAIRS()
    av[ntlm.NTLMSSP_AV_HOSTNAME] = av[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = server.encode('utf-16le')
    av[ntlm.NTLMSSP_AV_DOMAINNAME] = av[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = domain.encode('utf-16le')
    av[ntlm.NTLMSSP_AV_TIME] = struct.pack('<q', 116444736000000000 + calendar.timegm(time.gmtime()) * 10000000)
    c = ntlm.NTLMAuthChallenge()
    c['flags'] = flags
    c['domain_len'] = c['domain_max_len'] = len(domain.encode('utf-16le'))
    c['domain_offset'] = 40 + 16
    c['challenge'] = os.urandom(8)
    c['domain_name'] = domain.encode('utf-16le')
    c['TargetInfoFields_len'] = c['TargetInfoFields_max_len'] = len(av)
    c['TargetInfoFields'] = av
    c['TargetInfoFields_offset'] = 40 + 16 + len(c['domain_name'])
    c['Version'] = b'\xff' * 8
    c['VersionLen'] = 8
    return c


def verify(auth, challenge, user, password):
    """Checks the NTLMv2 response of AUTHENTICATE with impacket's NTOWFv2, as its SMB server does."""
    name = auth['user_name'].decode('utf-16le')
    domain = auth['domain_name'].decode('utf-16le')
    if name.lower() != user.lower() or len(auth['ntlm']) <= 24:  # 24 bytes: NTLMv1, refused
        return None
    key = ntlm.NTOWFv2(name, password, domain)
    proof, blob = auth['ntlm'][:16], auth['ntlm'][16:]
    if not hmac.compare_digest(proof, ntlm.hmac_md5(key, challenge['challenge'] + blob)):
        return None
    return domain + '\\' + name


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self):
        super().setup()
        self.counted = False    # connections that only read stats are not counted
        self.user = None        # who this connection authenticated as
        self.challenge = None   # the CHALLENGE sent on this connection
        self.wrapped = False    # the handshake is in SPNEGO

    def log_message(self, *args):
        pass

    def reply(self, status, body=b'', ctype='text/html', headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, token=None):
        scheme = 'NTLM' if MODE == 'ntlm' else 'Negotiate'
        value = scheme if token is None else scheme + ' ' + b64encode(token).decode()
        if token is None:
            count('refused')
        self.reply(401, b'<html><body><h1>401 - Unauthorized</h1></body></html>',
                   headers=[('WWW-Authenticate', value)])

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def handle_any(self):
        n = int(self.headers.get('Content-Length') or 0)
        if n:
            self.rfile.read(n)
        if self.path.startswith('/_stats'):
            with stats_lock:
                body = json.dumps(stats).encode()
            return self.reply(200, body, 'application/json')
        count('requests')
        if not self.counted:
            self.counted = True
            count('connections')
        authz = self.headers.get('Authorization')
        if authz:
            done = self.step(authz)
            if done is not True:
                return
        elif self.user is None:
            return self.refuse()
        self.answer([])

    def step(self, authz):
        """Runs one leg of the handshake; True once authenticated (the request is then answered)."""
        scheme, _, b64 = authz.strip().partition(' ')
        want = 'NTLM' if MODE == 'ntlm' else 'Negotiate'
        if scheme.lower() != want.lower():
            return self.refuse()
        try:
            tok = b64decode(b64.strip(), validate=True)
        except ValueError:
            return self.refuse()
        wrapped = tok[:1] in (bytes([ASN1_AID]), bytes([ASN1_SUPPORTED_MECH]))
        if wrapped:
            count('spnego_tokens')
            if MODE != 'spnego':
                return self.refuse()
            try:
                if tok[0] == ASN1_AID:
                    init = SPNEGO_NegTokenInit(tok)
                    if NTLM_MECH not in init['MechTypes']:
                        return self.refuse()
                    tok = init['MechToken']
                else:
                    tok = SPNEGO_NegTokenResp(tok)['ResponseToken']
            except Exception:
                return self.refuse()
        else:
            count('raw_tokens')
            if MODE == 'spnego':
                return self.refuse()
        if not tok.startswith(b'NTLMSSP\x00') or len(tok) < 12:
            return self.refuse()
        kind = struct.unpack('<L', tok[8:12])[0]
        if kind == 1:
            neg = ntlm.NTLMAuthNegotiate()
            neg.fromString(tok)
            self.user, self.wrapped = None, wrapped
            self.challenge = make_challenge(neg, DOMAIN, 'ACCEPTOR')
            count('challenges')
            out = self.challenge.getData()
            if wrapped:
                r = SPNEGO_NegTokenResp()
                r['NegState'] = b'\x01'  # accept-incomplete
                r['SupportedMech'] = NTLM_MECH
                r['ResponseToken'] = out
                out = r.getData()
            return self.refuse(out)
        if kind == 3 and self.challenge is not None:
            auth = ntlm.NTLMAuthChallengeResponse()
            auth.fromString(tok)
            who = verify(auth, self.challenge, USER, PASSWORD)
            self.challenge = None
            if who is None:
                return self.refuse()
            self.user = who
            count('handshakes')
            if wrapped:
                r = SPNEGO_NegTokenResp()
                r['NegState'] = b'\x00'  # accept-completed
                self.final = [('WWW-Authenticate', 'Negotiate ' + b64encode(r.getData()).decode())]
            else:
                self.final = []
            return True
        return self.refuse()

    def answer(self, _):
        headers = getattr(self, 'final', [])
        self.final = []
        parts = self.path.rstrip('/').split('/')
        if len(parts) >= 2 and parts[-2].lower() == 'requests':
            body = {"Uuid": parts[-1], "RequestType": 1, "Status": 3, "Flags": 0,
                    "DataCollection": [], "DataCollectionFlags": 0, "Priority": 0,
                    "Submitted": "2026-01-01T00:00:00", "Completed": "0001-01-01T00:00:00",
                    "Comment": "authenticated as " + self.user}
            return self.reply(200, json.dumps(body).encode(), 'application/json; charset=utf-8', headers)
        self.reply(404, b'{"Message":"No HTTP resource was found"}', 'application/json', headers)


def main():
    global MODE, USER, PASSWORD, DOMAIN
    p = argparse.ArgumentParser()
    p.add_argument('--mode', choices=['ntlm', 'negotiate', 'spnego'], required=True)
    p.add_argument('--user', required=True)
    p.add_argument('--domain', required=True)
    args = p.parse_args()
    MODE, USER, DOMAIN = args.mode, args.user, args.domain
    PASSWORD = os.environ['ACCEPTOR_PASSWORD']  # not on the command line, where ps shows it
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    print('LISTEN %d' % srv.server_address[1], flush=True)
    # Stop when the parent goes away (stdin closes), so no acceptor outlives its test.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    srv.serve_forever()


if __name__ == '__main__':
    main()
