"""Writes known_answers.json: pseudonyms with the standard library only, tokens with
`cryptography`'s AESSIV. Run from this folder: python3 known_answers.py > known_answers.json
"""
import base64, hashlib, hmac, json

SALT = b"sehat/pseudonym/v1"

def hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm, counter = okm + block, counter + 1
    return okm[:length]

def frame(kind: int, value: str) -> bytes:
    v = value.encode()
    return bytes([kind]) + len(v).to_bytes(2, "big") + v

def pseudonym(root_key: bytes, kid: int, domain: str, kind: int, value: str) -> str:
    domain_key = hkdf_sha256(root_key, SALT, domain.encode())
    tag = hmac.new(domain_key, b"pn1\x00" + frame(kind, value), hashlib.sha256).digest()[:16]
    return "pn1.%08x.%s" % (kid, base64.b32encode(tag).decode().rstrip("=").lower())

def token(token_key: bytes, kid: int, domain: str, kind: int, value: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV
    sealed = AESSIV(token_key).encrypt(frame(kind, value), [b"tk1", domain.encode(), kid.to_bytes(4, "big")])
    return "tk1.%08x.%s" % (kid, base64.urlsafe_b64encode(sealed).decode().rstrip("="))

KINDS = {"phone": 1, "bsuid": 2}
ROOT_KEYS = [(0x0000002A, bytes(range(32))), (0x3F9A0C21, hashlib.sha256(b"sehat known-answer root key 2").digest())]
TOKEN_KEYS = [(0x0000002A, bytes(range(64))), (0xC0FFEE01, hashlib.sha512(b"sehat known-answer token key 2").digest())]
DOMAINS = ["posyandu-send-log", "analysis", "messaging"]
SUBJECTS = [("phone", "6281234567890"), ("phone", "62215551234"), ("phone", "6591234567"),
            ("phone", "628123456789012"), ("bsuid", "ID.13491208655302741918"), ("bsuid", "US.1")]

def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()

out = {"pseudonyms": [], "tokens": []}
for kid, key in ROOT_KEYS:
    for domain in DOMAINS:
        for kind, value in SUBJECTS:
            out["pseudonyms"].append({"root_key": b64(key), "kid": "%08x" % kid, "domain": domain,
                                      "kind": kind, "value": value,
                                      "pseudonym": pseudonym(key, kid, domain, KINDS[kind], value)})
for kid, key in TOKEN_KEYS:
    for domain in ["messaging", "reminders"]:
        for kind, value in SUBJECTS:
            out["tokens"].append({"token_key": b64(key), "kid": "%08x" % kid, "domain": domain,
                                  "kind": kind, "value": value,
                                  "token": token(key, kid, domain, KINDS[kind], value)})
print(json.dumps(out, indent=1))
