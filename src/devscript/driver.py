"""vboard's helper for script-defined I2C devices (issue 16).

The supervisor runs this with the host's python3, outside the board's
sandbox, one process per board serving every script device of it, and
speaks the record protocol of src/bus/devscript.h on this process's
stdin (calls) and stdout (replies). The device files' own print() goes
to stderr, never into the protocol.

A device file is plain Python, loaded once per device (two devices with
the same file do not share its globals). Its hooks are looked up on an
instance of its class `Device` if it defines one (made with no
arguments), else on the module itself.

Byte level (as the wires see it; each hook optional):
    start(read: bool) -> bool   addressed (read or write): True ACKs
    write(byte: int) -> bool    a byte written to it: True ACKs
    read() -> int               a byte the master reads (0-255)
    stop()                      a STOP ended its transaction

Register level (the usual sensor: the first byte written after the
address sets a register pointer, further bytes written go to it and the
next registers, reads come from it and the next; 8-bit registers):
    read_reg(reg: int) -> int          the register's value (0-255)
    write_reg(reg: int, value: int)    a register written

A file defines read/write, or read_reg/write_reg (then start and stop may
still be given). A parts file's `args` for the device (a mapping) are the
keyword arguments of Device(...), or of a module-level setup(...) called
once after loading. Missing hooks: start ACKs, write ACKs and drops the
byte, read gives 0xFF. A hook that raises, or returns a bad value, NACKs
that transaction; the board goes on, the error is shown. The device
keeps its state across board resets and power cycles (it is on the host).
"""
import importlib.util
import json
import os
import struct
import sys
import traceback

CALL_MAGIC = 0x43534456     # "VDSC"
REPLY_MAGIC = 0x52534456    # "VDSR"
HEADER = struct.Struct("<IIBBHHH")
START, READ, STOP = 1, 2, 4
OK, RAISED, LOADED, LOAD_FAILED = 0, 1, 2, 3
TEXT_MAX = 400


class DeviceError(Exception):
    """A hook gave something the bus cannot carry."""


class Registers:
    """The register-level API on top of the byte level."""

    def __init__(self, target):
        self.target = target
        self.ptr = None         # None: the next byte written is the pointer
        self.ptr_at = 0

    def start(self, read):
        self.ptr = None
        return True

    def write(self, byte):
        if self.ptr is None:
            self.ptr = True
            self.ptr_at = byte
            return True
        fn = getattr(self.target, "write_reg", None)
        if fn is not None:
            fn(self.ptr_at, byte)
        self.ptr_at = (self.ptr_at + 1) & 0xFF
        return True

    def read(self):
        fn = getattr(self.target, "read_reg", None)
        v = 0xFF if fn is None else fn(self.ptr_at)
        self.ptr_at = (self.ptr_at + 1) & 0xFF
        return v


class Dev:
    def __init__(self, path, index, args):
        spec = importlib.util.spec_from_file_location("vboard_device_%d" % index, path)
        if spec is None or spec.loader is None:
            raise DeviceError("not a Python file")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if isinstance(getattr(mod, "Device", None), type):
            target = mod.Device(**args)
        elif callable(getattr(mod, "setup", None)):
            target = mod
            mod.setup(**args)
        elif args:
            raise DeviceError("has arguments but neither a class Device nor a setup() to take them")
        else:
            target = mod
        has = lambda name: callable(getattr(target, name, None))
        if has("read") or has("write"):
            self.byte_level = target
        elif has("read_reg") or has("write_reg"):
            self.byte_level = Registers(target)
        else:
            raise DeviceError("defines none of read, write, read_reg, write_reg")
        self.target = target
        self.addressed = False
        self.reading = False

    def hook(self, name):
        own = getattr(self.target, name, None)
        if callable(own):
            return own
        return getattr(self.byte_level, name, None) if self.byte_level is not self.target else None

    def start(self, read):
        fn = self.hook("start")
        regs = self.byte_level if isinstance(self.byte_level, Registers) else None
        if regs is not None and fn != regs.start:
            regs.start(read)          # the pointer is the chip's, whatever its start says
        ack = True if fn is None else fn(read)
        if not isinstance(ack, (bool, int)) and ack is not None:
            raise DeviceError("start() returned %r, not True or False" % (ack,))
        self.addressed = bool(ack) or ack is None
        self.reading = read
        return self.addressed

    def write(self, byte):
        fn = self.hook("write")
        ack = True if fn is None else fn(byte)
        if not isinstance(ack, (bool, int)) and ack is not None:
            raise DeviceError("write() returned %r, not True or False" % (ack,))
        return bool(ack) or ack is None

    def read(self):
        fn = self.hook("read")
        v = 0xFF if fn is None else fn()
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 255:
            raise DeviceError("read() returned %r, not a byte (0-255)" % (v,))
        return v

    def stop(self):
        fn = self.hook("stop")
        self.addressed = False
        if fn is not None:
            fn()

    def serve(self, ops, data, nread):
        """One request's traffic: (acks, the bytes read)."""
        acks = 0
        out = bytearray(b"\xff" * nread)
        if ops & START:
            if not self.start(bool(ops & READ)):
                return 0, bytes(out)
            acks = 1
        if self.addressed:
            for b in data:
                if self.reading or not self.write(b):
                    break
                acks += 1
            if self.reading:
                for i in range(nread):
                    out[i] = self.read()
        if ops & STOP and self.addressed:
            self.stop()
        return acks, bytes(out)


def last_line(exc):
    """The traceback's last line, and where in the user's files it was."""
    lines = traceback.format_exception_only(type(exc), exc)
    text = lines[-1].strip() if lines else type(exc).__name__
    if isinstance(exc, SyntaxError) and exc.lineno:
        return "%s (%s, line %d)" % (text, os.path.basename(exc.filename or "?"), exc.lineno)
    theirs = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != "<string>"]   # not ours (-c)
    if theirs:
        return "%s (%s, line %d)" % (text, os.path.basename(theirs[-1].filename), theirs[-1].lineno)
    return text


def main(argv):
    rx = os.fdopen(os.dup(0), "rb", buffering=0)
    tx = os.fdopen(os.dup(1), "wb", buffering=0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)               # the files' print() goes to stderr,
    sys.stdout = sys.stderr     # a line at a time (the helper may be killed)

    def reply(seq, status, acks=0, payload=b""):
        tx.write(HEADER.pack(REPLY_MAGIC, seq, status, 0, acks, len(payload), 0) + payload)

    devs = {}
    for spec, args in zip(argv[0::2], argv[1::2]):
        index, bus, addr, path = spec.split(":", 3)
        sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
        try:
            devs[int(index)] = Dev(path, int(index), json.loads(args))
        except BaseException as e:   # SystemExit, KeyboardInterrupt too: a file must not end us
            text = "%s: %s" % (path, last_line(e))
            reply(0, LOAD_FAILED, 0, text.encode("utf-8", "replace")[:TEXT_MAX])
            return 1
    reply(0, LOADED)

    def read_exact(n):
        buf = b""
        while len(buf) < n:
            part = rx.read(n - len(buf))
            if not part:
                raise EOFError
            buf += part
        return buf

    while True:
        try:
            magic, seq, dev, ops, nwrite, nread, _ = HEADER.unpack(read_exact(HEADER.size))
            data = read_exact(nwrite)
        except EOFError:
            return 0                 # the board ended
        if magic != CALL_MAGIC or dev not in devs:
            return 1
        try:
            acks, out = devs[dev].serve(ops, data, nread)
            reply(seq, OK, acks, out)
        except BaseException as e:
            reply(seq, RAISED, 0, last_line(e).encode("utf-8", "replace")[:TEXT_MAX])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
