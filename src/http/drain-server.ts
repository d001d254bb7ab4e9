// Stopping the HTTP server without cutting requests off: stop accepting connections, let
// the requests in flight finish (up to a grace period), and close keep-alive connections as
// soon as they are idle instead of waiting for the client or the 5 s keep-alive timeout.
import type { Server } from "node:http";

export interface DrainResult {
  /** Connections still busy at the end of the grace period, closed anyway. */
  forced: boolean;
}

export async function drainHttpServer(server: Server, graceMs: number): Promise<DrainResult> {
  if (!server.listening) return { forced: false };
  // Responses from now on tell clients not to reuse the connection.
  server.on("request", (_request, response) => {
    if (!response.headersSent) response.setHeader("connection", "close");
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<"grace over">((resolve) => (timer = setTimeout(() => resolve("grace over"), graceMs)));
  try {
    const outcome = await Promise.race([closed.then(() => "closed" as const), graceOver]);
    if (outcome === "closed") return { forced: false };
    server.closeAllConnections();
    await closed;
    return { forced: true };
  } finally {
    clearInterval(idleSweep);
    clearTimeout(timer);
  }
}
