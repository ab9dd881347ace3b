"""The local stack's services answer on the loopback interface only: nobody on the same network
reads or writes the local tables, payments or messages."""

from __future__ import annotations

from pathlib import Path

LOOPBACK = {"0100007F",  # 127.0.0.1 in /proc/net/tcp
            "0000000000000000FFFF00000100007F",  # ::ffff:127.0.0.1
            "00000000000000000000000001000000"}  # ::1
LISTEN = "0A"


def listening_addresses(port: int) -> list[str]:
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == LISTEN:
                found.append(address)
    return found


def test_local_services_listen_on_loopback_only(local_services):
    ports = local_services.ports
    for name, port in (("dynamodb", ports.dynamodb), ("emulator", ports.emulator), ("stripe", ports.stripe)):
        addresses = listening_addresses(port)
        assert addresses, f"{name}: nothing listens on {port}"
        assert set(addresses) <= LOOPBACK, f"{name} listens on {addresses}"
