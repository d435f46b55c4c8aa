#!/usr/bin/python3
"""A local SMTP server for the mail tests (tests/cli_mail.sh).

    smtp_sink.py MAILDIR PORTFILE

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE once it
accepts connections, and stores every message it is given in MAILDIR (a
Maildir), with the envelope's recipients in an X-Envelope-To header put
first. Runs until SIGTERM or SIGINT. The test that starts it stops it."""
import mailbox
import os
import signal
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, maildir):
        self.maildir = maildir

    async def handle_DATA(self, server, session, envelope):
        head = b"X-Envelope-To: " + ",".join(envelope.rcpt_tos).encode() + b"\n"
        self.maildir.add(head + envelope.original_content.replace(b"\r\n", b"\n"))
        return "250 OK stored"


def main():
    maildir = mailbox.Maildir(sys.argv[1], create=True)
    portfile = sys.argv[2]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    ctl = Controller(Sink(maildir), hostname="127.0.0.1", port=port)
    ctl.start()
    with open(portfile + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(portfile + ".tmp", portfile)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    ctl.stop()


if __name__ == "__main__":
    main()
