"""A real SAML identity provider for the tests: pysaml2's ``saml2.server.Server`` behind a tiny
HTTP server on 127.0.0.1, signing with a throwaway certificate made by openssl at test time."""

from __future__ import annotations

import base64
import html
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary

AUTHN = {"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
         "authn_auth": "http://127.0.0.1/test-idp"}


def make_certificate(directory: Path, name: str = "idp") -> tuple[Path, Path]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", f"/CN=anneal-test-{name}"], check=True, capture_output=True)
    return key, cert


class SamlIdp:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.key, self.cert = make_certificate(directory)
        self.user: tuple[str, dict[str, list[str]]] = ("nobody", {})
        self.sp_metadata: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.base}/metadata"

    def config(self, lifetime_minutes: int = 15) -> IdPConfig:
        conf = IdPConfig()
        conf.load({
            "entityid": f"{self.base}/metadata",
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(f"{self.base}/sso", BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": {"minutes": lifetime_minutes}, "attribute_restrictions": None,
                                       "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
            }},
            "key_file": str(self.key), "cert_file": str(self.cert), "xmlsec_binary": get_xmlsec_binary(),
            "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
        })
        return conf

    def metadata_xml(self) -> str:
        metadata = create_metadata_string(None, config=self.config(), valid=24)
        return metadata.decode() if isinstance(metadata, bytes) else metadata

    def trust_sp(self, metadata: str) -> None:
        self.sp_metadata.append(metadata)

    def rotate_certificate(self) -> None:
        self.key, self.cert = make_certificate(self.directory, "idp-rotated")

    def response(self, authn_request: str, subject: str, attributes: dict[str, list[str]], *,
                 sign_response: bool = True, sign_assertion: bool = True, audience: str | None = None,
                 lifetime_minutes: int = 15, key: Path | None = None, sha1: bool = False, unsolicited: bool = False,
                 authn_context: str | None = None) -> tuple[str, str]:
        """A base64 SAMLResponse answering ``authn_request`` (the redirect's SAMLRequest), and its ACS URL."""
        server = Server(config=self.config(lifetime_minutes))
        if key is not None:
            server.sec.key_file = str(key)
        request = server.parse_authn_request(authn_request, BINDING_HTTP_REDIRECT).message
        acs = request.assertion_consumer_service_url
        xml = server.create_authn_response(
            identity=attributes, in_response_to=None if unsolicited else request.id, destination=acs,
            sp_entity_id=audience or request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=subject),
            authn={**AUTHN, "class_ref": authn_context} if authn_context else AUTHN,
            sign_response=sign_response, sign_assertion=sign_assertion,
            sign_alg=None if sha1 else "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg=None if sha1 else "http://www.w3.org/2001/04/xmlenc#sha256",
        )
        return base64.b64encode(str(xml).encode()).decode(), acs

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/metadata":
                    body, kind = idp.metadata_xml().encode(), "application/samlmetadata+xml"
                elif url.path == "/sso":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    subject, attributes = idp.user
                    response, acs = idp.response(query["SAMLRequest"], subject, attributes)
                    body = (f'<html><body><p>Test IdP: signing in as {html.escape(subject)}</p>'
                            f'<form method="post" action="{html.escape(acs)}">'
                            f'<input type="hidden" name="SAMLResponse" value="{response}">'
                            f'<input type="hidden" name="RelayState" value="{html.escape(query.get("RelayState", ""))}">'
                            f'<button type="submit">Continue to the service</button></form></body></html>').encode()
                    kind = "text/html"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
