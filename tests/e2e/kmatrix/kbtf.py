#!/usr/bin/env python3
"""kbtf.py — the kernel's own BTF (what /sys/kernel/btf/vmlinux shows at run time), carved out of
a kernel image file, for building CO-RE objects against a kernel that is not running here.

Usage: kbtf.py IMAGE OUT.btf

IMAGE is a Debian vmlinuz: an arm64 `Image` (uncompressed) or an x86 bzImage whose payload is
compressed (gzip, xz, lzma, zstd or lz4-legacy; found by magic and unpacked), or a plain vmlinux.
The .BTF section is stored verbatim in every one of them: a btf_header (magic 0xeB9F, version 1,
hdr_len 24) followed by the type and string sections. The largest well-formed blob wins; the
result is raw BTF that `bpftool btf dump file OUT.btf format c` turns into vmlinux.h.
"""
import lzma, shutil, struct, subprocess, sys, zlib

MAGIC = b"\x9f\xeb\x01\x00"  # 0xeB9F little-endian, version 1, flags 0


def carve(data):
    best = None
    at = data.find(MAGIC)
    while at >= 0:
        if at + 24 <= len(data):
            hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from("<5I", data, at + 4)
            end = at + hdr_len + str_off + str_len
            if (hdr_len == 24 and type_off == 0 and str_off == type_len and type_len > 0
                    and str_len > 0 and end <= len(data)
                    and data[at + hdr_len + str_off] == 0 and data[end - 1] == 0):
                if best is None or end - at > len(best):
                    best = data[at:end]
        at = data.find(MAGIC, at + 1)
    return best


def unpackers(data):
    """Yield decompressed payloads found inside DATA (a bzImage or a compressed Image)."""
    def scan(magic, fn):
        at = data.find(magic)
        while at >= 0:
            try:
                out = fn(data[at:])
                if out:
                    yield out
            except Exception:
                pass
            at = data.find(magic, at + 1)

    def gz(b):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(b)

    def xz(b):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(b)

    def tool(cmd):
        def run(b):
            if not shutil.which(cmd[0]):
                return None
            return subprocess.run(cmd, input=b, capture_output=True).stdout
        return run

    yield from scan(b"\x1f\x8b\x08", gz)
    yield from scan(b"\xfd7zXZ\x00", xz)
    yield from scan(b"\x28\xb5\x2f\xfd", tool(["zstd", "-dc"]))
    yield from scan(b"\x02\x21\x4c\x18", tool(["lz4", "-dc"]))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: kbtf.py IMAGE OUT.btf")
    data = open(sys.argv[1], "rb").read()
    btf = carve(data)
    if btf is None:
        for payload in unpackers(data):
            btf = carve(payload)
            if btf is not None:
                break
    if btf is None:
        sys.exit("kbtf.py: no BTF in %s (kernel built without CONFIG_DEBUG_INFO_BTF?)" % sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(btf)
    print("kbtf.py: %s: %d bytes of BTF" % (sys.argv[2], len(btf)))


if __name__ == "__main__":
    main()
