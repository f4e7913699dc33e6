"""asyncio over unix sockets: a subprocess with pipes, a unix stream
server and client on a path in the current directory, and streams on a
socketpair. Prints one line per part; the e2e group unixsock compares
them natively and inside cvisor."""
import asyncio, os, socket, sys

async def handle(reader, writer):
    data = await reader.readline()
    writer.write(b"echo:" + data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()

async def main():
    await asyncio.sleep(0.05)
    # A subprocess with pipes (the child watcher uses a pidfd or SIGCHLD).
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; print(sys.stdin.read().upper())",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate(b"hello")
    print("subprocess:", out.decode().strip(), proc.returncode)
    # A unix stream server and a client.
    path = os.path.join(os.getcwd(), "aio.sock")
    server = await asyncio.start_unix_server(handle, path)
    reader, writer = await asyncio.open_unix_connection(path)
    writer.write(b"ping\n")
    await writer.drain()
    print("unix:", (await reader.readline()).decode().strip())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    # socketpair-based streams.
    a, b = socket.socketpair()
    r, w = await asyncio.open_connection(sock=a)
    b.sendall(b"pair\n")
    print("pair:", (await r.readline()).decode().strip())
    w.close()
    b.close()

asyncio.run(main())
