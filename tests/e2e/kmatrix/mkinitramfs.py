#!/usr/bin/env python3
"""mkinitramfs.py — packs a staging directory into a gzip'ed newc cpio archive (an initramfs),
without the cpio tool and reproducibly: entries in sorted order, owner root, mtime 0, inode
numbers counted from 1, gzip header without name or time.

Usage: mkinitramfs.py STAGING_DIR OUT.cpio.gz
Regular files, directories and symbolic links are packed (modes kept); anything else is an error.
"""
import gzip, os, stat, sys


def header(ino, mode, nlink, size, name):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name) + 1, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * (-n % 4)


def entry(out, ino, mode, nlink, name, data):
    name_b = name.encode() + b"\0"
    h = header(ino, mode, nlink, len(data), name_b[:-1])
    out.write(h + name_b + pad(len(h) + len(name_b)))
    out.write(data + pad(len(data)))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkinitramfs.py STAGING_DIR OUT.cpio.gz")
    root, dest = sys.argv[1], sys.argv[2]
    paths = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            paths.append(os.path.relpath(os.path.join(d, n), root))
    paths.sort()
    with open(dest, "wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as out:
        ino = 1
        for rel in paths:
            full = os.path.join(root, rel)
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                entry(out, ino, stat.S_IFLNK | 0o777, 1, rel, os.readlink(full).encode())
            elif stat.S_ISDIR(st.st_mode):
                entry(out, ino, stat.S_IFDIR | perm, 2, rel, b"")
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as src:
                    entry(out, ino, stat.S_IFREG | perm, 1, rel, src.read())
            else:
                sys.exit("mkinitramfs.py: %s: not a file, directory or symlink" % full)
            ino += 1
        entry(out, 0, 0, 1, "TRAILER!!!", b"")


if __name__ == "__main__":
    main()
