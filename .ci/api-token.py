"""Prints an API bearer token for one of the demo clinic's logins (CI only: the demo writes its
credentials, TOTP secrets included, to demo-credentials.json). Usage: BASE CREDENTIALS USER."""
import json
import sys
import time
import urllib.request

import pyotp

base, creds_file, user = sys.argv[1], sys.argv[2], sys.argv[3]
cred = {c["username"]: c for c in json.load(open(creds_file, encoding="utf-8"))}[user]
for step in range(3):
    code = pyotp.TOTP(cred["totp_secret"]).at(time.time() + 30 * step)
    body = json.dumps({"username": user, "password": cred["password"], "totp": code}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/login", data=body, headers={"content-type": "application/json"})
    try:
        print(json.load(urllib.request.urlopen(req))["token"])
        break
    except urllib.error.HTTPError:
        continue
else:
    sys.exit(f"cannot log {user} in")
