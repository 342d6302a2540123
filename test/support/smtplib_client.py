#!/usr/bin/env python3
"""Sends one message with Python's smtplib, for openltm's end-to-end tests.

Usage: smtplib_client.py --port N [--host H] [--mode plain|starttls|tls]
                         [--from A] [--to B[,C]] [--body TEXT]
The SMTP conversation goes to stderr (smtplib debug level 1). Exit 0 when the message
was accepted; 1 with "smtplib error: ..." on the last line otherwise. The server
certificate is not verified: test certificates are self-signed.
"""
import argparse
import smtplib
import ssl
import sys
from email.message import EmailMessage


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    p.add_argument("--from", dest="sender", default="sender@client.test")
    p.add_argument("--to", default="rcpt@server.test")
    p.add_argument("--body", default="Sent by Python smtplib.")
    p.add_argument("--subject", default="smtplib test")
    p.add_argument("--timeout", type=float, default=10)
    a = p.parse_args()

    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    msg = EmailMessage()
    msg["From"] = a.sender
    msg["To"] = a.to
    msg["Subject"] = a.subject
    msg.set_content(a.body)

    try:
        if a.mode == "tls":
            s = smtplib.SMTP_SSL(a.host, a.port, timeout=a.timeout, context=ctx)
        else:
            s = smtplib.SMTP(a.host, a.port, timeout=a.timeout)
        s.set_debuglevel(1)
        s.ehlo("client.test")
        if a.mode == "starttls":
            # starttls() raises SMTPNotSupportedError when the server does not offer it.
            s.starttls(context=ctx)
            s.ehlo("client.test")
        refused = s.send_message(msg, from_addr=a.sender, to_addrs=a.to.split(","))
        s.quit()
        if refused:
            print(f"smtplib error: refused {refused}", file=sys.stderr)
            return 1
        return 0
    except (smtplib.SMTPException, OSError) as e:
        print(f"smtplib error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
