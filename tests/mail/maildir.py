#!/usr/bin/python3
"""Read the test Maildir for tests/cli_mail.sh.

    maildir.py DIR count [SUBJECT-PART]     messages (whose decoded subject holds SUBJECT-PART)
    maildir.py DIR ids                      Message-IDs, one a line
    maildir.py DIR json [SUBJECT-PART]      the last to arrive of them as JSON: headers raw and decoded,
                                            the decoded body, the envelope recipients"""
import email
import email.header
import email.policy
import json
import mailbox
import re
import sys


def decoded(value):
    value = re.sub(r"\r?\n", "", value) if value else value  # unfolded
    return str(email.header.make_header(email.header.decode_header(value))) if value else ""


def messages(path, part):
    out = []
    box = mailbox.Maildir(path, create=False)
    for key in box.keys():
        raw = box.get_bytes(key)
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        if part and part not in decoded(msg["Subject"]):
            continue
        # the order they arrived: the one server's counter in the file name
        q = re.search(r"Q(\d+)", key)
        out.append((int(q.group(1)) if q else 0, raw, msg))
    return [(raw, msg) for _, raw, msg in sorted(out, key=lambda m: m[0])]


def main():
    path, what = sys.argv[1], sys.argv[2]
    part = sys.argv[3] if len(sys.argv) > 3 else ""
    found = messages(path, part)
    if what == "count":
        print(len(found))
    elif what == "ids":
        for _, m in found:
            print(m["Message-ID"])
    elif what == "json":
        if not found:
            print("{}")
            return
        raw, m = found[-1]
        body = m.get_payload(decode=True).decode(m.get_content_charset() or "ascii")
        print(json.dumps({
            "raw_headers": raw.split(b"\n\n", 1)[0].decode("ascii", "replace"),
            "subject": decoded(m["Subject"]),
            "from": m["From"], "reply_to": m["Reply-To"], "to": decoded(m["To"]),
            "date": m["Date"], "message_id": m["Message-ID"],
            "content_type": m["Content-Type"], "cte": m["Content-Transfer-Encoding"],
            "envelope_to": m["X-Envelope-To"], "body": body,
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
