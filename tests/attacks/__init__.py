"""Attack constructors for the verifier's test suite: each takes a signed pact's bytes and returns
a tampered copy, built at test time so the suite always attacks what pakta makes today.

- `pdf`: byte-level PDF surgery (locate a signature's byte range, overwrite in place, append a
  hand-written incremental update with a classic xref table, or one written by pyHanko).
- `identities`: Ed25519 keys and certificates, honest ones and impostors that copy a trusted
  certificate's names but not its key.
- `tamper`: the attacks themselves, one function per attack, named after what they do.

Nothing here is a key on disk: every key is generated in memory when a test asks for it.
"""
