#!/usr/bin/env python3
"""A TCP load balancer for tests: each new connection goes to the next backend in turn; one
that refuses the connection (a server that was killed) is skipped for the next. Bytes are copied
both ways until either side closes. Listens on 127.0.0.1 only.

    tcp_balancer.py LISTEN_PORT BACKEND_PORT... (prints "ready" once it listens)
"""
import asyncio
import itertools
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    listen = int(sys.argv[1])
    backends = [int(p) for p in sys.argv[2:]]
    turn = itertools.cycle(range(len(backends)))

    async def serve(client_reader, client_writer):
        first = next(turn)
        for i in range(len(backends)):
            port = backends[(first + i) % len(backends)]
            try:
                server_reader, server_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            await asyncio.gather(pipe(client_reader, server_writer),
                                 pipe(server_reader, client_writer))
            return
        client_writer.close()  # no backend answers

    server = await asyncio.start_server(serve, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
