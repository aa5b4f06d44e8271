#!/usr/bin/env python3
"""A loopback SMTP server for the tests (aiosmtpd, installed by scripts/keystone.sh install).

    smtp_sink.py DIR [--login USER:PASSWORD]

Listens on a free port of 127.0.0.1, prints that port on the first line of stdout, and writes
each message it accepts to DIR/NNNN.json: the envelope, the login used, the headers, and the
text/plain and text/html parts decoded. With --login, AUTH is offered (without TLS: loopback
only) and required, and only that user and password are accepted. Exits when stdin closes,
so it never outlives the test that started it.
"""
import asyncio
import email
import email.policy
import itertools
import json
import os
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {}
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html") and not part.is_multipart():
                parts.setdefault(part.get_content_type(), part.get_content())
        login = getattr(session.auth_data, "login", None)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode() if isinstance(login, bytes) else None,
            "headers": {name.lower(): str(value) for name, value in message.items()},
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
        }
        number = next(self.counter)
        temporary = os.path.join(self.directory, f".{number:04}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(temporary, os.path.join(self.directory, f"{number:04}.json"))
        return "250 OK"


def authenticator(expected):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == expected
        return AuthResult(success=ok, auth_data=auth_data if ok else None)

    return check


async def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    directory, login = args[0], None
    if len(args) == 3 and args[1] == "--login":
        user, _, password = args[2].partition(":")
        login = (user.encode(), password.encode())
    handler = Sink(directory)

    def factory():
        if login is None:
            return SMTP(handler)
        return SMTP(
            handler,
            authenticator=authenticator(login),
            auth_required=True,
            auth_require_tls=False,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    stdin_closed = asyncio.Event()
    threading.Thread(
        target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stdin_closed.set)), daemon=True
    ).start()
    await stdin_closed.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
