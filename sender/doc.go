// Package sender judges who sent a message and from where. It checks SPF
// for the connecting IP and DKIM and DMARC for the message. It finds the
// login origin of the sender's client in the Received chain and client
// headers, and places those addresses in countries and networks. It
// compares the sender, its display name and its link domains with the
// organisation's history. It returns facts (Assessment) and policy.Signal
// values. It never reads attachments and never decides a verdict.
//
// Assess returns no error. DNS lookups stop at the [dns] budget, and a DNS
// failure becomes a temperror result with the failed lookups in the
// evidence. History lookups are bounded only by the caller's context; a
// history error leaves the novelty signals out and is listed in
// Assessment.Errors.
//
// Config keys read: [sender] authserv_ids, trusted_relays,
// history_full_days, history_full_messages, max_dkim_signatures,
// max_received; [dns] and [geo] through sender/dnsclient and sender/geo;
// [org] local_domains through Input.LocalDomains.
//
// Authentication-Results and Received-SPF fields are believed only when
// their authserv-id is in authserv_ids, and then only the topmost such
// field: a message's own unverified fields never count. Such a field is
// only safe when the host named by that id adds it to every message (or
// removes forged copies), as RFC 8601 §5 asks, because a forged copy is
// otherwise the topmost.
//
// Limitations: DMARC's pct tag is ignored (a failing message is reported
// whatever the sampling rate); ARC is not evaluated, so mail forwarded by
// mailing lists may fail DKIM and DMARC; the login origin is only as good
// as the headers the sender's provider writes.
package sender
