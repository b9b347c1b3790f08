"""A SAML 2.0 identity provider for the sign-in tests (pysaml2, xmlsec1), on 127.0.0.1.

Usage: python saml_idp.py PORT CERT_FILE KEY_FILE SP_METADATA_FILE

It takes the service provider's AuthnRequest (HTTP-Redirect), shows a form that asks
for the e-mail address to sign in as, and posts a signed response with the address as
the `mail` attribute and as the NameID to the service provider's ACS (HTTP-POST).
"""

import html
import sys
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import INTERNETPROTOCOLPASSWORD
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

port, cert_file, key_file, sp_metadata_file = sys.argv[1:5]
base = f"http://127.0.0.1:{port}"

config = IdPConfig()
config.load(
    {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso", BINDING_HTTP_REDIRECT)],
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
                "policy": {"default": {"lifetime": {"minutes": 15}, "name_form": NAME_FORMAT_URI}},
            }
        },
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [sp_metadata_file]},
    }
)
idp = Server(config=config)

FORM = """<!doctype html><html lang="en"><head><title>Test IdP</title></head><body><main>
<h1>Test identity provider</h1>
<form method="post" action="/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay}">
<label for="email">E-mail</label> <input id="email" name="email">
<button type="submit">Sign in</button>
</form></main></body></html>"""


def _field(values, name):
    return values.get(name, [""])[0]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/sso":
        query = parse_qs(environ.get("QUERY_STRING", ""))
        page = FORM.format(
            request=html.escape(_field(query, "SAMLRequest")),
            relay=html.escape(_field(query, "RelayState")),
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]
    if path == "/login":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode())
        request = idp.parse_authn_request(_field(form, "SAMLRequest"), BINDING_HTTP_REDIRECT)
        email = _field(form, "email")
        response = idp.create_authn_response(
            identity={"mail": [email]},
            in_response_to=request.message.id,
            destination=request.message.assertion_consumer_service_url,
            sp_entity_id=request.message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            sign_response=True,
            sign_assertion=True,
            authn={"class_ref": INTERNETPROTOCOLPASSWORD, "authn_auth": base},
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        http_args = idp.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            request.message.assertion_consumer_service_url,
            _field(form, "RelayState"),
            response=True,
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [http_args["data"].encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", int(port), app, handler_class=QuietHandler)
print(f"ready {base}", flush=True)
server.serve_forever()
