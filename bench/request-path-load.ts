// The load of the request-path benchmark, on the timed loop of bench/timed-load.ts (`connections`
// keep-alive HTTP/1.1 connections, each sending the next request as soon as its response is
// read, for a fixed time). Every request carries the next token of the list (a different
// organization each time). No dependency: node:http.
import http from "node:http";
import { runTimedLoad } from "./timed-load.ts";

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Latency of every request, ms. */
  latencies: Float64Array;
  /** CPU time the servers' process spent meanwhile, ms (filled in by the caller). */
  serverCpuMs?: number;
  /** Time garbage collection paused the servers' process meanwhile, ms (filled in by the caller). */
  serverGcMs?: number;
}

export interface LoadTarget {
  port: number;
  body: string;
  tokens: string[];
}

export function request(agent: http.Agent, target: LoadTarget, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: "127.0.0.1",
        port: target.port,
        path: "/graphql",
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json",
          authorization: `Bearer ${token}`,
          "content-length": Buffer.byteLength(target.body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          // A refused or failed request would measure nothing: stop instead.
          if (res.statusCode !== 200 || !text.startsWith('{"data"') || text.includes('"errors"'))
            reject(new Error(`port ${target.port}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
          else resolve(text);
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(target.body);
  });
}

export async function runLoad(target: LoadTarget, connections: number, seconds: number): Promise<LoadResult> {
  let next = Math.floor(Math.random() * target.tokens.length);
  return runTimedLoad(connections, seconds, (agent) =>
    request(agent, target, target.tokens[next++ % target.tokens.length]!),
  );
}

/** One request at a time to each token in turn; the latency of each, ms (cold vs warm organizations). */
export async function sequentialLatencies(target: LoadTarget): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  try {
    for (const token of target.tokens) {
      const sent = performance.now();
      await request(agent, target, token);
      out.push(performance.now() - sent);
    }
  } finally {
    agent.destroy();
  }
  return out;
}
