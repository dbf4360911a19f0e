#!/usr/bin/python3
"""Extract the uncompressed ELF kernel from an x86 bzImage.

Usage: extract-vmlinux.py BZIMAGE OUTPUT

Under TCG the stock bzImage spends about 2.7 s decompressing itself; QEMU can
instead boot the ELF vmlinux directly through its PVH entry point. The
payload is located from the boot protocol header (setup_sects,
payload_offset, payload_length), not by scanning for compression magic, and
the result is checked to be an x86-64 ELF carrying the PVH entry note
(XEN_ELFNOTE_PHYS32_ENTRY), without which QEMU refuses to boot it. Exits 1
with a message when any of this does not hold, so that the caller can fall
back to the bzImage.
"""

import gzip
import io
import lzma
import shutil
import struct
import subprocess
import sys

XEN_ELFNOTE_PHYS32_ENTRY = 18


def fail(message):
    sys.stderr.write(f"extract-vmlinux: {message}\n")
    sys.exit(1)


def payload(image):
    if image[0x202:0x206] != b"HdrS":
        fail("not a bzImage (no HdrS boot header)")
    setup_sects = image[0x1F1] or 4
    offset, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sects + 1) * 512 + offset
    data = image[start : start + length]
    if len(data) != length or length == 0:
        fail("payload extends past the end of the image")
    return data


def decompress(data):
    if data.startswith(b"\xfd7zXZ\x00"):
        # The kernel appends its decompressed size after the stream: read
        # exactly one stream and ignore the rest.
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    if data.startswith(b"\x28\xb5\x2f\xfd"):
        # Debian 13's kernels; Python has no zstd module before 3.14. The
        # kernel appends its decompressed size after the frame, which zstd
        # would read as a broken second frame: decompress the first frame
        # only, by its own header-declared content, ignoring trailing data.
        zstd = shutil.which("zstd")
        if not zstd:
            fail("the payload is zstd-compressed and zstd is not installed (Debian package zstd)")
        result = subprocess.run([zstd, "-d", "-c", "-q"], input=data[:-4],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if result.returncode != 0:
            fail("zstd could not decompress the payload: " + result.stderr.decode(errors="replace").strip())
        return result.stdout
    fail(f"unsupported payload compression (magic {data[:6].hex()})")


def has_pvh_note(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        fail("payload is not a little-endian ELF64 file")
    (e_phoff,) = struct.unpack_from("<Q", elf, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(e_phnum):
        base = e_phoff + i * e_phentsize
        p_type, _flags, p_offset = struct.unpack_from("<IIQ", elf, base)
        (p_filesz,) = struct.unpack_from("<Q", elf, base + 0x20)
        if p_type != 4:  # PT_NOTE
            continue
        pos, end = p_offset, p_offset + p_filesz
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12 : pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    return False


def main():
    if len(sys.argv) != 3:
        fail("usage: extract-vmlinux.py BZIMAGE OUTPUT")
    with open(sys.argv[1], "rb") as f:
        image = f.read()
    elf = decompress(payload(image))
    if not has_pvh_note(elf):
        fail("kernel has no PVH entry note (CONFIG_PVH off)")
    with open(sys.argv[2], "wb") as f:
        f.write(elf)


if __name__ == "__main__":
    main()
