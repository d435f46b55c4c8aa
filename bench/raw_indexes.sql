-- The indexes the raw baselines' queries want, added to the raw copy of each
-- benchmark database (never to the project's copy).
CREATE INDEX raw_referral_waiting ON referral(id)
  WHERE status IN ('new','ready','searching','exhausted','spot_requested','paused');
CREATE INDEX raw_offer_open ON offer(referral_id, deadline_at, id) WHERE status IN ('sent','info_requested');
