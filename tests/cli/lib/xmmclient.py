"""A raw xenmm/proto.h client for the daemon tests: speaks the wire
protocol directly, so tests can send what the drop-in libraries never
would (garbage, other versions, pointers outside the arena).

    python3 xmmclient.py SOCKET CASE
prints one result line per case (see CASES below) and exits 0, or exits 1
with a reason."""
import mmap
import os
import socket
import struct
import sys
import threading

MAGIC = 0x4D4D4E58
VERSION = 1
HELLO, HYPERCALL, FOREIGN_MAP = 1, 2, 3
HDR = struct.Struct("<IHHII")          # magic, version, type, len, seq
ARENA = 1 << 20
XEN_VERSION = 17                       # __HYPERVISOR_xen_version
XENVER_version, XENVER_extraversion = 0, 1


def hdr(type_, length, seq=1, version=VERSION, magic=MAGIC):
    return HDR.pack(magic, version, type_, length, seq)


class Client:
    def __init__(self, path, version=VERSION, domid=0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.connect(path)
        self.fd = os.memfd_create("arena")
        os.ftruncate(self.fd, ARENA)
        self.arena = mmap.mmap(self.fd, ARENA)
        self.base = 0x7F0000000000    # any address: the daemon translates
        body = struct.pack("<IIQQ", domid, os.getpid(), self.base, ARENA)
        msg = hdr(HELLO, HDR.size + len(body), version=version) + body
        self.s.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                struct.pack("i", self.fd))])
        data, anc, _, _ = self.s.recvmsg(256, socket.CMSG_SPACE(4))
        self.hello_result, = struct.unpack_from("<q", data, HDR.size)
        for level, kind, fds in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                os.close(struct.unpack("i", fds[:4])[0])
        self.seq = 1

    def hypercall(self, op, *args):
        args = list(args) + [0] * (6 - len(args))
        self.seq += 1
        body = struct.pack("<Q6Q", op, *args)
        self.s.send(hdr(HYPERCALL, HDR.size + len(body), self.seq) + body)
        data = self.s.recv(256)
        if not data:
            raise EOFError("daemon closed the connection")
        return struct.unpack_from("<q", data, HDR.size)[0]


def case_version(path):
    c = Client(path)
    v = c.hypercall(XEN_VERSION, XENVER_version, 0)
    print("hello=%d version=%#x" % (c.hello_result, v))


def case_efault(path):
    """A buffer outside the arena, one at its end, and one inside."""
    c = Client(path)
    outside = c.hypercall(XEN_VERSION, XENVER_extraversion, 0x1000)
    edge = c.hypercall(XEN_VERSION, XENVER_extraversion, c.base + ARENA - 8)
    inside = c.hypercall(XEN_VERSION, XENVER_extraversion, c.base + 4096)
    extra = c.arena[4096:4096 + 16].split(b"\0")[0].decode()
    print("outside=%d edge=%d inside=%d extra=%s" % (outside, edge, inside,
                                                     extra))


def case_badversion(path):
    c = Client(path, version=99)
    print("hello=%d" % c.hello_result)


def case_garbage(path):
    """Garbage after a good hello: the daemon drops this client only."""
    c = Client(path)
    c.s.send(b"\xff" * 40)
    closed = c.s.recv(256) == b""
    print("closed=%d" % closed)


def case_nohello(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.send(hdr(HYPERCALL, HDR.size + 56) + b"\0" * 56)
    print("closed=%d" % (s.recv(256) == b""))


def case_baddomid(path):
    c = Client(path, domid=4242)
    print("hello=%d" % c.hello_result)


def case_vanish(path):
    """Send a call and go away without reading the reply."""
    c = Client(path)
    body = struct.pack("<Q6Q", XEN_VERSION, XENVER_version, 0, 0, 0, 0, 0)
    c.s.send(hdr(HYPERCALL, HDR.size + len(body), 2) + body)
    os._exit(0)


def case_concurrent(path, clients=16, calls=200):
    bad = []

    def run():
        try:
            c = Client(path)
            for _ in range(calls):
                if c.hypercall(XEN_VERSION, XENVER_version, 0) != 0x40011:
                    bad.append("wrong answer")
        except Exception as e:             # noqa: BLE001 (report any)
            bad.append(repr(e))
    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("clients=%d calls=%d bad=%d" % (clients, clients * calls, len(bad)))


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in CASES:
        sys.exit("usage: xmmclient.py SOCKET {%s}" % ",".join(sorted(CASES)))
    CASES[sys.argv[2]](sys.argv[1])
