#!/usr/bin/env python3
"""Write N provider replies into a Maildir's new/ for `brokerage mail-in`
(bench/run's mail_in_1k figure): each answers one of the database's open
offers with its reply token (the database's mail secret is set here when it
has none), shaped as the clients write them: a Gmail-like multipart/
alternative acceptance, an Outlook top-posted decline, a Thunderbird INFO.

    bench/mail_replies.py DB MAILDIR N
"""
import hashlib
import os
import secrets
import sqlite3
import sys

db, maildir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = sqlite3.connect(db)
row = con.execute("SELECT value FROM meta WHERE key = 'mail_token_secret'").fetchone()
if row is None:
    key = secrets.token_hex(32)
    con.execute("INSERT INTO meta(key, value) VALUES ('mail_token_secret', ?)", (key,))
    con.commit()
else:
    key = row[0]
# every provider answers from the one address the replies come from
con.execute("UPDATE provider SET emails = 'replies@provider.example'")
con.commit()
offers = [r[0] for r in con.execute("SELECT id FROM offer WHERE status IN ('sent', 'info_requested') ORDER BY id")]
con.close()
if not offers:
    sys.exit("mail_replies.py: no open offers in " + db)


def token(oid):
    h = hashlib.blake2b(b"offer:%d" % oid, digest_size=16, key=bytes.fromhex(key)).digest()
    b32 = "abcdefghijklmnopqrstuvwxyz234567"
    t = ""
    for i in range(12):
        bit = i * 5
        byte, shift = bit // 8, bit % 8
        t += b32[(((h[byte] << 8) | h[byte + 1]) >> (11 - shift)) & 31]
    return "BRK-%d-%s" % (oid, t)


SHAPES = [
    ("Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\nContent-Type: text/plain; charset=UTF-8\n\n"
     "accept 2026-04-01\n\nOn Mon, 2 Mar 2026 at 10:00, Brokerage <b@council.example> wrote:\n> offer\n\n"
     "--b\nContent-Type: text/html; charset=UTF-8\n\n<div>accept 2026-04-01</div><blockquote>offer</blockquote>\n--b--\n"),
    ("Content-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: quoted-printable\n\n"
     "DECLINE capacity No carers free until May\n\n-----Original Message-----\nFrom: Brokerage\nSent: 2 March 2026\n"),
    ("Content-Type: text/plain; charset=UTF-8; format=flowed\n\nINFO Is a hoist needed for transfers?\n\n"
     "On 02/03/2026 10:00, Brokerage wrote:\n> offer\n"),
]
os.makedirs(os.path.join(maildir, "new"), exist_ok=True)
os.makedirs(os.path.join(maildir, "cur"), exist_ok=True)
os.makedirs(os.path.join(maildir, "tmp"), exist_ok=True)
for i in range(n):
    oid = offers[i % len(offers)]
    msg = ("Received: from mail.provider.example by mx.council.example; Mon, 2 Mar 2026 10:00:00 +0000\n"
           "From: Provider <replies@provider.example>\nTo: brokerage@council.example\n"
           "Subject: RE: Care package offer [%s]\nMessage-ID: <bench-%d@provider.example>\nMIME-Version: 1.0\n%s"
           % (token(oid), i, SHAPES[i % len(SHAPES)]))
    with open(os.path.join(maildir, "new", "%06d.bench" % i), "w") as f:
        f.write(msg)
