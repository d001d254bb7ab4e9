// The loop of a timed load: `connections` keep-alive HTTP/1.1 connections (one agent per run),
// each sending its next request as soon as the previous answer is read, until `seconds` are
// over. What each request is, and what its answer changes, is the caller's: the read mix
// (bench/request-path-load.ts) and the write mix (bench/request-path-writes.ts).
import http from "node:http";

export interface TimedLoad {
  requests: number;
  seconds: number;
  /** Latency of every request, ms. */
  latencies: Float64Array;
}

/**
 * `send(agent, connection, n)`: the n-th request (from 0) of that connection, timed; then
 * `answered(text, connection, n)`, untimed, with its answer.
 */
export async function runTimedLoad(
  connections: number,
  seconds: number,
  send: (agent: http.Agent, connection: number, n: number) => Promise<string>,
  answered?: (text: string, connection: number, n: number) => void,
): Promise<TimedLoad> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: connections }, async (_, connection) => {
        for (let n = 0; performance.now() < deadline; n++) {
          const sent = performance.now();
          const text = await send(agent, connection, n);
          latencies.push(performance.now() - sent);
          answered?.(text, connection, n);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return {
    requests: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies: Float64Array.from(latencies),
  };
}
