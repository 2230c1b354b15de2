"""TCP echo over loopback for asyncio and uvloop: the shape of benches/net.rs.

tcp_echo_1conn: one connection, 5,000 round trips of 64 bytes.
tcp_echo_64conn: 64 connections x 100 round trips of 64 bytes, at once.
Prints one JSON object: {"asyncio": {"tcp_echo_1conn": ns_per_round_trip, ...},
"uvloop": {...}} (no "uvloop" key when it is not installed).
Usage: python3 echo.py [--runs N]
"""

import argparse
import asyncio
import json
import socket
import statistics
import time

MSG = b"\x07" * 64
ONE_CONN_OPS = 5_000
MANY_CONNS = 64
MANY_ROUNDS = 100


async def serve(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = await reader.read(256)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def client(port, rounds):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(rounds):
        writer.write(MSG)
        await writer.drain()
        await reader.readexactly(len(MSG))
    writer.close()
    await writer.wait_closed()


async def batch(conns, rounds):
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    start = time.perf_counter()
    await asyncio.gather(*(client(port, rounds) for _ in range(conns)))
    elapsed = time.perf_counter() - start
    server.close()
    await server.wait_closed()
    return elapsed * 1e9 / (conns * rounds)


def measure(runner_factory, runs):
    out = {}
    for name, conns, rounds in [
        ("tcp_echo_1conn", 1, ONE_CONN_OPS),
        ("tcp_echo_64conn", MANY_CONNS, MANY_ROUNDS),
    ]:
        samples = [runner_factory(batch(conns, rounds)) for _ in range(runs)]
        out[name] = statistics.median(samples)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    report = {"asyncio": measure(asyncio.run, args.runs)}
    try:
        import uvloop

        report["uvloop"] = measure(uvloop.run, args.runs)
    except ImportError:
        pass
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
