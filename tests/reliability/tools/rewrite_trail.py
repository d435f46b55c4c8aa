#!/usr/bin/env python3
"""Rewrite a brokerage audit trail from event FROM on, as someone who can
write the file and knows the hash construction would: change one text field
of one payload (and the record), then recompute every hash after it and the
recorded head. Used by audit_tamper.sh to show that the chain alone cannot
catch this and the anchors do.

usage: rewrite_trail.py DB SEQ OLD NEW   (replaces OLD by NEW in event SEQ's after)"""
import hashlib
import sqlite3
import struct
import sys

def put_text(h, t):
    if t is None:
        h.update(b"\xff" * 8)
        return
    b = t.encode("utf-8") if isinstance(t, str) else t
    h.update(struct.pack(">Q", len(b)))
    h.update(b)

def payload_hash(before, after):
    h = hashlib.blake2b(digest_size=32)
    put_text(h, "brokerage-payload-v1")
    put_text(h, before)
    put_text(h, after)
    return h.digest()

def event_hash(seq, at, actor, action, entity, entity_id, referral_id, ph, prev):
    h = hashlib.blake2b(digest_size=32)
    put_text(h, "brokerage-event-v1")
    h.update(prev)
    for v in (seq, at):
        h.update(struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF))
    put_text(h, actor)
    put_text(h, action)
    put_text(h, entity)
    h.update(struct.pack(">Q", entity_id & 0xFFFFFFFFFFFFFFFF))
    h.update(struct.pack(">Q", (referral_id or 0) & 0xFFFFFFFFFFFFFFFF))
    h.update(ph)
    return h.digest()

db, start, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = sqlite3.connect(db)
for (name,) in c.execute("select name from sqlite_schema where type = 'trigger'").fetchall():
    c.execute(f'drop trigger "{name}"')
before, after = c.execute("select before, after from event_payload where seq = ?", (start,)).fetchone()
c.execute("update event_payload set after = ? where seq = ?", (after.replace(old, new), start))
prev = bytes(32)
if start > 1:
    prev = c.execute("select hash from event where seq = ?", (start - 1,)).fetchone()[0]
rows = c.execute("select e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.referral_id, e.payload_hash, "
                 "p.seq, p.before, p.after from event e left join event_payload p on p.seq = e.seq "
                 "where e.seq >= ? order by e.seq", (start,)).fetchall()
for seq, at, actor, action, entity, eid, rid, stored_ph, pseq, b, a in rows:
    ph = payload_hash(b, a) if pseq is not None else stored_ph
    h = event_hash(seq, at, actor, action, entity, eid, rid, ph, prev)
    c.execute("update event set payload_hash = ?, prev_hash = ?, hash = ? where seq = ?", (ph, prev, h, seq))
    prev = h
last = c.execute("select max(seq) from event").fetchone()[0]
c.execute("update meta set value = ? where key = 'audit_head'", (f"{last} {prev.hex()}",))
c.commit()
