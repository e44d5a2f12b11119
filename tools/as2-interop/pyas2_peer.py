#!/usr/bin/env python3
"""AS2 peer for interoperability tests: a thin command line around pyas2lib, an AS2 implementation nobody here wrote.

Messages and MDNs travel as two files: the HTTP headers ("Name: value" lines, CRLF) and the raw HTTP body.
Every command prints one JSON object on stdout; diagnostics go to stderr.
"""
import argparse
import base64
import json
import logging
import re
import sys
from email import message_from_bytes

from asn1crypto import cms

from pyas2lib import as2
from pyas2lib.constants import DIGEST_ALGORITHMS, ENCRYPTION_ALGORITHMS, SIGNATUR_ALGORITHMS


def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


def write_bytes(path, data):
    with open(path, "wb") as handle:
        handle.write(data)


def key_pair(key_path, cert_path):
    """pyas2lib loads a private key and its certificate from one PEM blob."""
    return read_bytes(key_path) + b"\n" + read_bytes(cert_path)


def unfolded_headers(mime_part):
    """HTTP carries each header on one line, so folded MIME header values are joined back."""
    return [(name, re.sub(r"\r?\n[ \t]+", " ", str(value)).strip()) for name, value in mime_part.items()]


def headers_file_bytes(headers):
    return "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8")


def read_headers_file(path):
    headers = []
    for line in read_bytes(path).decode("utf-8").splitlines():
        if not line.strip():
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    return headers


def raw_http_message(headers_path, body_path):
    """pyas2lib parses the HTTP headers followed by the body, as an AS2 server hands them over."""
    return headers_file_bytes(read_headers_file(headers_path)) + b"\r\n" + read_bytes(body_path)


def build(args):
    sender = as2.Organization(
        as2_name=args.as2_from,
        sign_key=key_pair(args.key, args.cert) if args.sign else None,
        mdn_url=args.mdn_url,
        domain=args.domain,
    )
    receiver = as2.Partner(
        as2_name=args.as2_to,
        encrypt_cert=read_bytes(args.partner_cert),
        verify_cert=read_bytes(args.partner_cert),
        sign=bool(args.sign),
        digest_alg=args.sign or "sha256",
        sign_alg=args.sign_alg,
        encrypt=bool(args.encrypt),
        enc_alg=args.encrypt or "tripledes_192_cbc",
        compress=args.compress,
        mdn_mode={"sync": "SYNC", "async": "ASYNC", "none": None}[args.mdn],
        mdn_digest_alg=args.mdn_sign,
    )
    message = as2.Message(sender, receiver)
    message.build(
        read_bytes(args.payload),
        filename=args.filename,
        subject=args.subject,
        content_type=args.content_type,
        message_id=args.message_id,
    )
    write_bytes(args.out_headers, headers_file_bytes(unfolded_headers(message.payload)))
    write_bytes(args.out_body, message.content)
    state = {
        "messageId": message.message_id,
        "mic": message.mic.decode() if message.mic else None,
        "micAlg": message.digest_alg,
        "as2From": args.as2_from,
        "as2To": args.as2_to,
        "mdnSignedRequested": args.mdn_sign,
        "signed": message.signed,
        "encrypted": message.encrypted,
        "compressed": message.compressed,
    }
    if args.out_state:
        write_bytes(args.out_state, json.dumps(state).encode("utf-8"))
    return state


def enveloped_algorithms(raw):
    """Reads the cipher and key transport from the CMS itself: pyas2lib reports no name for AES."""
    outer = message_from_bytes(raw)
    if outer.get_content_type() != "application/pkcs7-mime" or outer.get_param("smime-type") != "enveloped-data":
        return None, None
    try:
        enveloped = cms.ContentInfo.load(outer.get_payload(decode=True))["content"]
        cipher = enveloped["encrypted_content_info"]["content_encryption_algorithm"]["algorithm"].native
        key_transport = enveloped["recipient_infos"][0].chosen["key_encryption_algorithm"]["algorithm"].native
        return cipher, key_transport
    except Exception:  # pylint: disable=broad-except
        return None, None


def receive(args):
    organization = as2.Organization(
        as2_name=args.as2_id,
        sign_key=key_pair(args.key, args.cert),
        decrypt_key=key_pair(args.key, args.cert),
        domain=args.domain,
    )
    partner = as2.Partner(
        as2_name=args.partner_as2_id,
        verify_cert=read_bytes(args.partner_cert) if args.partner_cert else None,
        sign=args.require_signed,
        encrypt=args.require_encrypted,
        sign_alg=args.mdn_sign_alg,
    )

    def find_org_partner(org_id, partner_id):
        return (
            organization if org_id == args.as2_id else None,
            partner if partner_id == args.partner_as2_id else None,
        )

    raw = raw_http_message(args.headers, args.body)
    cms_cipher, cms_key_transport = enveloped_algorithms(raw)
    message = as2.Message()
    status, (exception, _traceback), mdn = message.parse(raw, find_org_partner_cb=find_org_partner)
    payload = None
    if exception is None and message.payload is not None:
        payload = message.payload.get_payload(decode=True)
        if args.out_payload and payload is not None:
            write_bytes(args.out_payload, payload)
    if mdn is not None:
        if args.out_mdn_headers:
            write_bytes(args.out_mdn_headers, headers_file_bytes(unfolded_headers(mdn.payload)))
        if args.out_mdn_body:
            write_bytes(args.out_mdn_body, mdn.content)
    filename = message.payload.get_filename() if message.payload is not None else None
    return {
        "status": status,
        "error": str(exception) if exception else None,
        "detailedStatus": getattr(exception, "disposition_modifier", None) if exception else None,
        "messageId": message.message_id,
        "signed": message.signed,
        "micAlg": message.digest_alg,
        "mic": message.mic.decode() if message.mic else None,
        "encrypted": message.encrypted,
        "encAlg": message.enc_alg,
        "cmsCipher": cms_cipher,
        "cmsKeyTransport": cms_key_transport,
        "compressed": message.compressed,
        "filename": filename,
        "payloadBase64": base64.b64encode(payload).decode() if payload is not None and args.print_payload else None,
        "payloadLength": len(payload) if payload is not None else None,
        "mdn": None if mdn is None else {"mode": mdn.mdn_mode, "url": mdn.mdn_url, "signedWith": mdn.digest_alg},
    }


def received_content_mic(report):
    for part in report.walk():
        if part.get_content_type() == "message/disposition-notification":
            for fields in part.get_payload():
                value = fields.get("Received-Content-MIC")
                if value:
                    mic, _, alg = value.partition(",")
                    return mic.strip(), alg.strip()
    return None, None


def verify_mdn(args):
    state = json.loads(read_bytes(args.state))
    original = as2.Message(
        as2.Organization(as2_name=state["as2From"]),
        as2.Partner(
            as2_name=state["as2To"],
            verify_cert=read_bytes(args.partner_cert),
            mdn_digest_alg=state["mdnSignedRequested"],
        ),
    )
    original.message_id = state["messageId"]
    original.mic = state["mic"].encode() if state["mic"] else None
    original.digest_alg = state["micAlg"]

    def find_message(message_id, _recipient):
        return original if message_id == original.message_id else None

    raw = raw_http_message(args.headers, args.body)
    mdn = as2.Mdn()
    status, detailed_status = mdn.parse(raw, find_message)
    outer = message_from_bytes(raw)
    mic, mic_alg = received_content_mic(mdn.payload) if mdn.payload is not None else (None, None)
    return {
        "status": status,
        "detailedStatus": detailed_status,
        "originalMessageId": mdn.orig_message_id,
        "expectedMessageId": original.message_id,
        "signed": outer.get_content_type() == "multipart/signed",
        "signatureAlg": mdn.digest_alg if outer.get_content_type() == "multipart/signed" else None,
        "receivedMic": mic,
        "receivedMicAlg": mic_alg,
        "sentMic": state["mic"],
        "micEqual": mic is not None and mic == state["mic"],
    }


def parser():
    root = argparse.ArgumentParser(description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    b = commands.add_parser("build", help="build an AS2 message")
    b.add_argument("--as2-from", required=True)
    b.add_argument("--as2-to", required=True)
    b.add_argument("--key", help="sender's PEM private key (needed with --sign)")
    b.add_argument("--cert", help="sender's PEM certificate (needed with --sign)")
    b.add_argument("--partner-cert", required=True, help="receiver's PEM certificate: encrypts, verifies the MDN")
    b.add_argument("--sign", nargs="?", const="sha256", choices=DIGEST_ALGORITHMS, help="digest (default sha256)")
    b.add_argument("--sign-alg", default="rsassa_pkcs1v15", choices=SIGNATUR_ALGORITHMS)
    b.add_argument("--encrypt", nargs="?", const="aes_256_cbc", choices=ENCRYPTION_ALGORITHMS)
    # No --key-enc-alg: pyas2lib 1.4.4 Message.build ignores Partner.key_enc_alg and always wraps keys with RSA PKCS#1 v1.5.
    b.add_argument("--compress", action="store_true")
    b.add_argument("--mdn", default="sync", choices=["sync", "async", "none"])
    b.add_argument("--mdn-url", help="Receipt-Delivery-Option for --mdn async")
    b.add_argument("--mdn-sign", choices=DIGEST_ALGORITHMS, help="ask for an MDN signed with this digest")
    b.add_argument("--payload", required=True)
    b.add_argument("--filename")
    b.add_argument("--subject", default="AS2 interop test")
    b.add_argument("--content-type", default="application/edi-consent")
    b.add_argument("--message-id", help="left side of the Message-ID")
    b.add_argument("--domain", default="pyas2.interop.test")
    b.add_argument("--out-headers", required=True)
    b.add_argument("--out-body", required=True)
    b.add_argument("--out-state", help="JSON kept for verify-mdn (Message-ID, MIC)")
    b.set_defaults(run=build)

    r = commands.add_parser("receive", help="parse a raw AS2 message and write the MDN pyas2lib answers")
    r.add_argument("--as2-id", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("--cert", required=True)
    r.add_argument("--partner-as2-id", required=True)
    r.add_argument("--partner-cert")
    r.add_argument("--require-signed", action="store_true")
    r.add_argument("--require-encrypted", action="store_true")
    r.add_argument("--mdn-sign-alg", default="rsassa_pkcs1v15", choices=SIGNATUR_ALGORITHMS)
    r.add_argument("--domain", default="pyas2.interop.test")
    r.add_argument("--headers", required=True)
    r.add_argument("--body", required=True)
    r.add_argument("--out-payload")
    r.add_argument("--print-payload", action="store_true")
    r.add_argument("--out-mdn-headers")
    r.add_argument("--out-mdn-body")
    r.set_defaults(run=receive)

    v = commands.add_parser("verify-mdn", help="verify an MDN for a message built with --out-state")
    v.add_argument("--state", required=True)
    v.add_argument("--partner-cert", required=True, help="the MDN signer's PEM certificate")
    v.add_argument("--headers", required=True)
    v.add_argument("--body", required=True)
    v.set_defaults(run=verify_mdn)
    return root


def main():
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)
    args = parser().parse_args()
    print(json.dumps(args.run(args)))


if __name__ == "__main__":
    main()
