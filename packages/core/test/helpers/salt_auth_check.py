"""
Runs Salt's own minion-side checks on `_auth` replies (used by auth-pair-vectors.test.ts).

stdin: JSON list of cases; stdout: JSON list of results (same order). Per case:
  * Salt's primitives: PublicKey.verify (clear signature, PKCS1v15-SHA1), PrivateKey.decrypt
    (OAEP-SHA1 `aes`/`token`/`session`), PublicKey.decrypt (X9.31 recovery of `sig`);
  * Salt's whole minion verification, AsyncAuth.handle_signin_response, in a throw-away pki_dir
    holding minion.pem/minion.pub (and minion_master.pub when the case is pinned).
Exit code 3 means the salt package here lacks the 3008 API this script uses.
"""

import asyncio
import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile

try:
    import salt.config
    import salt.crypt
    import salt.payload
    import salt.version
except ImportError as exc:  # pragma: no cover
    print(json.dumps({"error": f"salt not importable: {exc}"}))
    sys.exit(3)

if not hasattr(salt.crypt, "PublicKey") or not hasattr(salt.crypt.PublicKey, "from_str"):
    print(json.dumps({"error": f"salt {salt.version.__version__} has no PublicKey.from_str"}))
    sys.exit(3)


def b(text):
    return base64.b64decode(text)


def text(value):
    return value.decode() if isinstance(value, bytes) else value


def primitives(case):
    out = {}
    master_pub = salt.crypt.PublicKey.from_str(case["master_pub"])
    minion_key = salt.crypt.PrivateKey.from_str(case["minion_pem"])
    load, sig = b(case["reply"]["load"]), b(case["reply"]["sig"])
    out["clear_signature_valid"] = master_pub.verify(load, sig)
    payload = salt.payload.loads(load)
    out["nonce"] = text(payload.get("nonce"))
    if "aes" in payload:
        aes = minion_key.decrypt(payload["aes"])
        out["aes"] = aes.decode()
        recovered = master_pub.decrypt(payload["sig"])
        out["sig_x931_recovered"] = recovered.decode()
        out["sig_matches_sha256_hex_of_aes"] = recovered == hashlib.sha256(aes).hexdigest().encode()
    if "token" in payload:
        out["token"] = minion_key.decrypt(payload["token"]).decode()
        if case.get("master_pem") and case.get("request_token"):
            master_key = salt.crypt.PrivateKey.from_str(case["master_pem"])
            out["token_matches_request"] = master_key.decrypt(b(case["request_token"])).decode() == out["token"]
    if "session" in payload:
        out["session"] = minion_key.decrypt(payload["session"]).decode()
    return out


async def signin(case):
    pki = tempfile.mkdtemp(prefix="brine-salt-check-")
    try:
        with open(os.path.join(pki, "minion.pem"), "w") as f:
            f.write(case["minion_pem"])
        with open(os.path.join(pki, "minion.pub"), "w") as f:
            f.write(case["minion_pub"])
        if case.get("pinned"):
            with open(os.path.join(pki, "minion_master.pub"), "w") as f:
                f.write(case["master_pub"])
        opts = salt.config.DEFAULT_MINION_OPTS.copy()
        opts.update(
            {
                "pki_dir": pki,
                "cachedir": pki,
                "sock_dir": pki,
                "id": case["id"],
                "master_uri": "tcp://127.0.0.1:4506",
                "__role": "minion",
                "acceptance_wait_time": 0,
                "rejected_retry": True,
            }
        )
        auth = salt.crypt.AsyncAuth(opts)
        sign_in_payload = {"nonce": case["nonce"]}
        if case.get("request_token"):
            sign_in_payload["token"] = b(case["request_token"])
        if case.get("clear_token"):
            auth.token = case["clear_token"].encode()
        reply = {"enc": "clear", "load": b(case["reply"]["load"]), "sig": b(case["reply"]["sig"])}
        try:
            ret = auth.handle_signin_response(sign_in_payload, reply)
        except Exception as exc:  # the verdict is the point: report it
            return {"error": f"{type(exc).__name__}: {exc}"}
        if isinstance(ret, dict):
            return {
                "aes": text(ret.get("aes")),
                "session": text(ret.get("session")),
                "publish_port": ret.get("publish_port"),
                "pinned_after": os.path.exists(os.path.join(pki, "minion_master.pub")),
            }
        return {"result": ret}
    finally:
        shutil.rmtree(pki, ignore_errors=True)


async def main():
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        results.append({"primitives": primitives(case), "signin": await signin(case)})
    print(json.dumps({"salt_version": salt.version.__version__, "results": results}))


asyncio.run(main())
