#!/usr/bin/env python3
"""What a sysadmin would write instead of sipcred-convert: add md5 and sha256 hashes to every
clrtxt user of a userdb, with hashlib. The baseline of bench/convert_speed.py.

    bench/convert_python.py IN OUT
"""
import hashlib
import sys
from urllib.parse import unquote


def main(src, dst):
    with open(src, encoding="utf-8", newline="") as fin, \
            open(dst, "w", encoding="utf-8", newline="") as fout:
        for line in fin:
            if line.startswith("#") or ";" not in line or " clrtxt:" not in line:
                fout.write(line)
                continue
            creds, rest = line.split(";", 1)
            fields = creds.split()
            identity = fields[0]
            user, _, domain = identity.rpartition("@")
            password = next(f[7:] for f in fields[1:] if f.startswith("clrtxt:"))
            a1 = f"{unquote(user)}:{domain}:{password}".encode()
            md5 = hashlib.md5(a1).hexdigest()
            sha256 = hashlib.sha256(a1).hexdigest()
            fout.write(f"{identity} clrtxt:{password} md5:{md5} sha256:{sha256} ;{rest}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
