#!/usr/bin/env python3
"""Writes a Bittensor keyfile encrypted as btwallet 4 encrypts one, with PyNaCl.

An independent maker of `$NACL` keyfiles for src/orchestra/crypto/keyfile_reference_test.cc:
it shares no code with our C++ keyfile code and follows btwallet's src/keyfile.rs
(encrypt_keyfile_data, derive_key) byte for byte:

    key   = argon2i (libsodium crypto_pwhash ALG_ARGON2I13) of the password's UTF-8 bytes,
            32 bytes, salt NACL_SALT = 13 71 83 df f1 5a 09 bc 9c 90 b5 51 87 39 e9 b1,
            opslimit = OPSLIMIT_SENSITIVE (8), memlimit = MEMLIMIT_SENSITIVE (512 MiB)
    nonce = 24 random bytes (secretbox::gen_nonce)
    file  = b"$NACL" + nonce + secretbox::seal(plaintext, nonce, key)   (MAC, then ciphertext)

The plaintext is the keyfile JSON btwallet's serialized_keypair_to_keyfile_data writes (compact,
only the fields it knows): here accountId, publicKey, secretPhrase and ss58Address, as given on
the command line (PyNaCl has no sr25519, so the caller states the public side), or any bytes
from --plaintext-file.

    make_nacl_keyfile.py --out FILE --password PW --phrase WORDS --public-key 0xHEX --ss58 ADDR
                         [--nonce-hex HEX48]
    make_nacl_keyfile.py --out FILE --password PW --plaintext-file PLAIN [--nonce-hex HEX48]

--nonce-hex fixes the nonce (for a pinned test vector); otherwise it is random, as btwallet's.
Needs PyNaCl (Debian's python3-nacl; scripts/setup installs it). Exit 2 on bad arguments,
3 when PyNaCl is missing.
"""

import argparse
import json
import os
import sys

NACL_SALT = bytes.fromhex("137183dff15a09bc9c90b5518739e9b1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--phrase")
    parser.add_argument("--public-key")
    parser.add_argument("--ss58")
    parser.add_argument("--plaintext-file")
    parser.add_argument("--nonce-hex")
    args = parser.parse_args()

    try:
        import nacl.pwhash
        import nacl.secret
        import nacl.utils
    except ImportError as error:
        print(f"make_nacl_keyfile.py: PyNaCl is missing ({error}); install python3-nacl",
              file=sys.stderr)
        return 3

    if args.plaintext_file:
        with open(args.plaintext_file, "rb") as f:
            plaintext = f.read()
    else:
        if not (args.phrase and args.public_key and args.ss58):
            parser.error("give --phrase, --public-key and --ss58, or --plaintext-file")
        keyfile = {
            "accountId": args.public_key,
            "publicKey": args.public_key,
            "secretPhrase": args.phrase,
            "ss58Address": args.ss58,
        }
        plaintext = json.dumps(keyfile, separators=(",", ":")).encode()

    if args.nonce_hex:
        nonce = bytes.fromhex(args.nonce_hex)
        if len(nonce) != nacl.secret.SecretBox.NONCE_SIZE:
            parser.error("--nonce-hex must be 24 bytes (48 hex digits)")
    else:
        nonce = nacl.utils.random(nacl.secret.SecretBox.NONCE_SIZE)

    key = nacl.pwhash.argon2i.kdf(
        nacl.secret.SecretBox.KEY_SIZE,
        args.password.encode("utf-8"),
        NACL_SALT,
        opslimit=nacl.pwhash.argon2i.OPSLIMIT_SENSITIVE,
        memlimit=nacl.pwhash.argon2i.MEMLIMIT_SENSITIVE,
    )
    # SecretBox.encrypt returns nonce + MAC + ciphertext, which is btwallet's layout after $NACL.
    sealed = nacl.secret.SecretBox(key).encrypt(plaintext, nonce)
    data = b"$NACL" + bytes(sealed)
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
