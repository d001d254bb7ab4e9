// The HTTP port is bound before anything else starts (PostgreSQL, migrations, demo
// provisioning), so a busy port fails at once, with nothing created. Until the application
// is handed over, every request is answered 503 with Retry-After.
import { createServer, type RequestListener, type Server } from "node:http";

export interface BoundPort {
  server: Server;
  /** Routes requests to `handler` from now on. */
  serve(handler: RequestListener): void;
}

export async function bindPort(port: number, host: string): Promise<BoundPort> {
  let handler: RequestListener | undefined;
  const server = createServer((request, response) => {
    if (handler) return void handler(request, response);
    response.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "1" });
    response.end("tenantgraph is starting\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} on ${host} is in use: stop what uses it or set PORT to a free port`)
          : error,
      ),
    );
    server.listen(port, host, resolve);
  });
  return { server, serve: (next) => (handler = next) };
}
