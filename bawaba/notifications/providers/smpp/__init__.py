"""SMPP 3.4 to a mobile operator's SMS centre (SMSC): one bound session per worker process.

    {"name": "asiacell", "kind": "smpp", "channels": ["sms"], "weight": 60,
     "options": {"host": "smsc.example.iq", "port": 2775, "system_id": "bawaba",
                 "password_env": "ASIACELL_SMPP_PASSWORD", "source_addr": "Bawaba", "tps": 40}}

Options:
- host, port (2775): the SMSC.
- system_id (at most 15 characters), password (at most 8; give it as password_env so it stays out of
  files), system_type (""): the bind credentials the operator issued.
- bind: "transceiver" (default: one session sends and receives receipts), "transmitter+receiver" (two
  sessions, for SMSCs without transceivers) or "transmitter" (sending only, no receipts).
- source_addr (""): the sender when the template names none; source_addr_ton / source_addr_npi for it
  (derived when not given: 5/0 for a name, 1/1 for an international number, 0/1 for a short code).
  A template's own sender always gets derived values.
- dest_addr_ton / dest_addr_npi (1/1): recipients are E.164 numbers, sent without the "+".
- tps (50): submit_sm per second from this process, each part of a long message counting (a token
  bucket; 0 for no limit). The SMSC's allowance divided by the number of worker processes.
- window (10): submit_sm awaiting their response at once on one session.
- enquire_link_interval (30 s), enquire_link_timeout (10 s): a link whose enquire_link stays unanswered
  that long is dropped; the next send opens a new one.
- connect_timeout (5 s): connecting and binding, and any one write; never more than the send's timeout.
- receipts_for: "last" part of a long message (default) or "every" part.
- receipt_ids: how receipts write the id submit_sm_resp gave: "as_submitted" (default), "decimal"
  (submit_sm_resp hexadecimal, receipts decimal: Kannel's msg-id-type 0x01), "hex" (the reverse, 0x02)
  or "auto" (as given, else its decimal or hexadecimal twin). Ask the operator and set it: "auto" can
  match a receipt to the wrong message when ids written in both bases coexist (256 and 0x100).
- receipt_timezone (settings.TIME_ZONE): the SMSC clock that receipts' "done date" is written in.
- permanent_errors ([]): more command_status values (vendor codes 0x400-0x4FF) meaning "this number can
  never get it"; invalid destination address, TON or NPI (0x0B, 0x50, 0x51) always do.
- service_type (""): when the operator asks for one.
- validity_period (true): a message that expires (a one-time code) is sent with a relative
  validity_period, the time left until its expiry in whole minutes rounded up (at least one), so the
  SMSC stops trying to deliver it once it is worthless; an expiry more than 30 days away is left to
  the SMSC's default. false for SMSCs that refuse the field: they keep trying for their own default.

smpplib encodes and decodes the PDUs; the session (socket, reader thread, matching responses to the
senders waiting for them, keep-alive) is ours: see docs/decisions/0007-smpp-with-smpplib.md.

Modules: options (the options above), addresses and encoding and validity (what goes in a submit_sm),
throttle (tps), session (one bound connection), receipts (reading deliver_sm), message_ids (which
message a receipt id is about), receipt_store and receipt_worker (storing receipts off the reader
thread), provider (SmppProvider, the send() contract).
"""

from bawaba.notifications.providers.smpp.provider import SmppProvider

__all__ = ["SmppProvider"]
