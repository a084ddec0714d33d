#!/usr/bin/env python3
"""A Web Push service on loopback for fanout's Web Push adapter tests (RFC 8030, 8291, 8292).

It checks every push with implementations independent of fanout's: the VAPID JWT with py_vapid
(signature over ES256, then the claims: aud = this service's origin, exp in the future and at most
24 h away, sub mailto: or https:), the body with http_ece (RFC 8188 aes128gcm, decrypted with the
subscriber's private key and auth secret, which the test wrote to the keys file as the browser
would keep them). What it received goes to the output file, one JSON object a line:

    {"token": ..., "status": 201, "ttl": "3600", "urgency": "high", "topic": ..., "encoding": "aes128gcm",
     "claims": {"aud": ..., "exp": ..., "sub": ...}, "k": ..., "bytes": 412, "payload": {...decrypted JSON...}}

A push that fails a check is answered 400 and written with "error". Otherwise the endpoint's
token chooses the answer: gone-* 410, missing-* 404, busy-* 429 (Retry-After: 2), big-* 413,
down-* 503, anything else 201 with a Location.

    push_service.py --keys KEYS.json --out OUT.jsonl --cert-dir DIR [--http]

It serves HTTPS with a certificate for 127.0.0.1 signed by a CA it makes (DIR/ca.pem, for the
adapter's trustedCAFile), or plain HTTP with --http. It prints "READY <port>" when listening.
Needs: pip install http_ece py_vapid cryptography (tools/test.sh does).
"""
import argparse
import base64
import datetime
import http.server
import json
import os
import ssl
import sys
import threading
import time

import http_ece
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress
from py_vapid import jwt as vapid_jwt


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_certificates(directory):
    """A CA and a server certificate for 127.0.0.1 and localhost; returns (cert file, key file)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fanout test push CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    cert_file = os.path.join(directory, "server.pem")
    key_file = os.path.join(directory, "server.key")
    with open(cert_file, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_file, key_file


class Service:
    def __init__(self, keys_file, out_file, origin_scheme):
        self.keys_file = keys_file
        self.out = open(out_file, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.keys = {}
        self.scheme = origin_scheme

    def subscriber(self, token):
        with self.lock:
            if token not in self.keys:
                with open(self.keys_file, encoding="utf-8") as f:
                    self.keys = json.load(f)
            entry = self.keys.get(token)
        if entry is None:
            return None
        d = int.from_bytes(b64url(entry["private"]), "big")
        return ec.derive_private_key(d, ec.SECP256R1()), b64url(entry["auth"])

    def record(self, entry):
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False)
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()


def check(service, handler, token, body):
    """Returns (record, error): the request's checks with independent implementations."""
    h = handler.headers
    rec = {"token": token, "ttl": h.get("TTL"), "urgency": h.get("Urgency"), "topic": h.get("Topic"),
           "encoding": h.get("Content-Encoding"), "bytes": len(body)}
    if handler.command != "POST":
        return rec, "method %s is not POST" % handler.command
    if h.get("Content-Encoding") != "aes128gcm":
        return rec, "Content-Encoding is not aes128gcm"
    ttl = h.get("TTL")
    if ttl is None or not ttl.isdigit():
        return rec, "TTL missing or not a number of seconds"
    if h.get("Urgency") not in (None, "very-low", "low", "normal", "high"):
        return rec, "Urgency is not very-low, low, normal or high"
    if len(body) > 4096:
        return rec, "body of %d bytes is over 4096" % len(body)
    auth = h.get("Authorization", "")
    if not auth.startswith("vapid "):
        return rec, "Authorization is not vapid"
    params = {}
    for part in auth[len("vapid "):].split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    if "t" not in params or "k" not in params:
        return rec, "Authorization lacks t= or k="
    rec["k"] = params["k"]
    try:
        header = json.loads(b64url(params["t"].split(".")[0]))
        claims = vapid_jwt.decode(params["t"], params["k"])  # verifies the ES256 signature
    except Exception as e:  # InvalidSignature, bad base64, bad JSON
        return rec, "VAPID JWT does not verify: %r" % (e,)
    rec["claims"] = claims
    if header.get("alg") != "ES256":
        return rec, "JWT alg is not ES256"
    host = h.get("Host", "")
    if claims.get("aud") != "%s://%s" % (service.scheme, host):
        return rec, "aud %r is not this origin %s://%s" % (claims.get("aud"), service.scheme, host)
    now = time.time()
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now or exp > now + 86400 + 60:
        return rec, "exp %r not in the next 24 h" % (exp,)
    sub = claims.get("sub", "")
    if not (sub.startswith("mailto:") or sub.startswith("https:")):
        return rec, "sub %r is not mailto: or https:" % (sub,)
    keys = service.subscriber(token)
    if keys is None:
        return rec, "no subscriber keys for this endpoint"
    private_key, auth_secret = keys
    try:
        plain = http_ece.decrypt(body, private_key=private_key, auth_secret=auth_secret, version="aes128gcm")
    except Exception as e:
        return rec, "body does not decrypt: %r" % (e,)
    try:
        rec["payload"] = json.loads(plain.decode("utf-8"))
    except Exception as e:
        return rec, "payload is not UTF-8 JSON: %r" % (e,)
    rec["plaintextBytes"] = len(plain)
    return rec, None


def make_handler(service):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, extra=None, body=b""):
            self.send_response(status)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if not self.path.startswith("/push/"):
                self.answer(404, body=b"no such path")
                return
            token = self.path[len("/push/"):]
            rec, error = check(service, self, token, body)
            if error:
                rec["status"] = 400
                rec["error"] = error
                service.record(rec)
                self.answer(400, body=error.encode())
                return
            status, extra = 201, {"Location": "/message/%s/%d" % (token, time.time_ns())}
            if token.startswith("gone-"):
                status, extra = 410, {}
            elif token.startswith("missing-"):
                status, extra = 404, {}
            elif token.startswith("busy-"):
                status, extra = 429, {"Retry-After": "2"}
            elif token.startswith("big-"):
                status, extra = 413, {}
            elif token.startswith("down-"):
                status, extra = 503, {}
            rec["status"] = status
            service.record(rec)
            self.answer(status, extra)

        do_GET = do_POST

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert-dir")
    parser.add_argument("--http", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    service = Service(args.keys, args.out, "http" if args.http else "https")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(service))
    server.daemon_threads = True
    if not args.http:
        if not args.cert_dir:
            parser.error("--cert-dir is needed for HTTPS")
        cert, key = make_certificates(args.cert_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.set_alpn_protocols(["http/1.1"])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print("READY %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
