// METRICS_PORT: /metrics on a listener of its own, so that the API's port (open to clients)
// never serves it and the metrics port can be reachable from the monitoring network only.
// The bearer token (METRICS_TOKEN) applies here too when set.
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { metricsHandler } from "./http/use-metrics.ts";
import type { Metrics } from "./metrics/metrics.ts";

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsListener(
  metrics: Metrics,
  options: { port: number; host: string; token?: string },
): Promise<MetricsListener> {
  const answer = metricsHandler(metrics, options.token);
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    const request = new Request("http://metrics/metrics", {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
    });
    answer(request, Response).then(
      async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(await response.text());
      },
      () => res.writeHead(500).end(),
    );
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
