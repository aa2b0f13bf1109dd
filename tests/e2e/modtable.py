"""The board's module table, read from its one definition
(src/engine/engine_modules.c, issue 15), so tests never keep a copy of
the module list: which modules and u-aliases each port offers, and how
`import ` + Tab lists names (repl.md §2.9)."""
import os
import re

from conftest import ROOT

_SRC = os.path.join(ROOT, "src", "engine", "engine_modules.c")
_PORTS = {"ALL": {"esp32", "pycom", "rp2"}, "V124": {"esp32", "rp2"}, "ESP32": {"esp32"},
          "PYCOM": {"pycom"}, "RP2": {"rp2"}, "NET": {"esp32", "pycom"}, "0": set()}
# vboard run --board NAME -> the port it is (src/board/profile.c)
BOARD_PORT = {"generic": "esp32", "esp32": "esp32", "pycom": "pycom", "rp2": "rp2"}


def _entries():
    text = open(_SRC).read()
    body = text[text.index("vb_engine_modules[] = {"):]
    body = body[:body.index("\n};")]
    rows = re.findall(r'\{"(\w+)", (?:"(\w+)"|NULL), (\w+), (\w+), (VB_MOD_\w+)', body)
    assert rows, "no module table in " + _SRC
    return [dict(name=n, alias=a or None, ports=_PORTS[p], alias_ports=_PORTS[ap], how=how)
            for n, a, p, ap, how in rows]


ENTRIES = _entries()


def modules(port):
    """The module names a port offers, in table order (help('modules'))."""
    return [e["name"] for e in ENTRIES if port in e["ports"]]


def aliases(port):
    """{alias: module name} of the u-aliases a port offers."""
    return {e["alias"]: e["name"] for e in ENTRIES
            if e["alias"] and port in e["ports"] and port in e["alias_ports"]}


def absent_aliases(port):
    """u-aliases in the table that this port does not offer."""
    return sorted(e["alias"] for e in ENTRIES if e["alias"] and e["alias"] not in aliases(port))


def listing(names):
    """§2.9: 16-column slots, at least 2 spaces apart, at most 64 columns."""
    out, col = b"", 0
    for i, n in enumerate(sorted(names)):
        n = n.encode()
        if i:
            gap = -col % 16
            if gap < 2:
                gap += 16
            if col + gap + len(n) <= 64:
                out += b" " * gap
                col += gap
            else:
                out += b"\r\n"
                col = 0
        out += n
        col += len(n)
    return b"\r\n" + out + b"\r\n"


def help_modules(port):
    """help('modules') of a port, cooked: sorted names four to a line in
    16-column slots, then the filesystem line."""
    names = sorted(modules(port))
    lines = [b"".join(n.encode().ljust(16) for n in names[i:i + 4]).rstrip()
             for i in range(0, len(names), 4)]
    return b"\r\n".join(lines) + b"\r\nPlus any modules on the filesystem\r\n"
