// The store every process of a deployment counts in: the central database's rate_limits
// table (created by a central migration) by default, Redis when REDIS_URL is set. Each
// limiter is a rate-limiter-flexible fixed window: `points` per `durationSeconds` per key.
import { Redis } from "ioredis";
import pg from "pg";
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { LimitsConfig } from "../rate-limits-config.ts";

export interface LimitStore {
  kind: "postgres" | "redis";
  /** The limiter named `name` (the key prefix) with this many points per window; one instance per shape. */
  limiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract;
  /** A small pool on the central database (the org_limits lookups, and the counters unless Redis). */
  central: pg.Pool;
  close(): Promise<void>;
}

/** Connections of the limits pool, per process (counted in the main server's connection budget). */
export const LIMITS_POOL_SIZE = 4;

export async function createLimitStore(
  config: LimitsConfig,
  centralUrl: string,
  onError: (error: Error) => void,
): Promise<LimitStore> {
  const central = new pg.Pool({
    connectionString: centralUrl,
    max: LIMITS_POOL_SIZE,
    application_name: "tenantgraph-limits",
    // A counter write commits without waiting for its WAL flush (an fsync: ~1 ms here, several
    // on a busy disk), which a cold organization's first request waits for when it takes its
    // leases. What this risks is only a crash of PostgreSQL itself losing the last fraction of
    // a second of counts, i.e. a window admitting a little more once; this pool writes nothing
    // else. A startup parameter: no extra round trip.
    options: "-c synchronous_commit=off",
  });
  central.on("error", onError); // an idle connection dropped by the server must not crash the process
  let redis: Redis | undefined;
  if (config.redisUrl) {
    // No offline queue: while Redis is away a limiter answers at once from its insurance.
    redis = new Redis(config.redisUrl, { enableOfflineQueue: false, lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on("error", onError);
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      await central.end();
      throw new Error(`REDIS_URL: cannot connect to Redis (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  const limiters = new Map<string, RateLimiterAbstract>();
  const build = (name: string, points: number, duration: number): RateLimiterAbstract => {
    // A key over its limit is refused by this process without asking the store again until
    // its window ends, so a flood of refused requests costs the store nothing.
    const inMemoryBlockOnConsumed = points + 1;
    if (redis) {
      return new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisKeyPrefix}:${name}`,
        points,
        duration,
        inMemoryBlockOnConsumed,
        rejectIfRedisNotReady: true,
        // Redis unreachable: each process counts on its own (the limits hold per process)
        // rather than refusing every request or letting all through.
        insuranceLimiter: new RateLimiterMemory({ points, duration }),
      });
    }
    return new RateLimiterPostgres({
      storeClient: central,
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true, // the central migration creates it; the library never runs DDL
      // One limiter of the process deletes long-expired rows of the whole table (every 5 minutes).
      clearExpiredByTimeout: limiters.size === 0,
      keyPrefix: name,
      points,
      duration,
      inMemoryBlockOnConsumed,
    });
  };
  return {
    kind: redis ? "redis" : "postgres",
    central,
    limiter(name, points, durationSeconds) {
      const shape = `${name}/${points}/${durationSeconds}`;
      let limiter = limiters.get(shape);
      if (!limiter) {
        limiter = build(name, points, durationSeconds);
        limiters.set(shape, limiter);
      }
      return limiter;
    },
    async close() {
      redis?.disconnect();
      await central.end();
    },
  };
}
