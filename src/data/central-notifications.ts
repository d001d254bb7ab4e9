// Events every tenantgraph process hears, through the central database (LISTEN/NOTIFY):
// an operator command or another process changes the central database and says so in the
// same transaction, so the notification is delivered exactly when the change commits.
// Each process keeps one dedicated connection that LISTENs, reconnects after errors, and
// tells subscribers with a local "resync" event that they may have missed events (caches
// built on these events must then revalidate what they hold).
import pg from "pg";

export const CENTRAL_EVENTS_CHANNEL = "tenantgraph_org_events";

/**
 * What is announced. Every variant names what a cache must forget; receivers re-read the
 * central database for the new truth (the payload carries ids only, never state).
 */
export type CentralEvent =
  /** The organization was deleted: drop its client and everything cached about it. */
  | { type: "org-deleted"; orgId: string }
  /** Its state, placement (tier, server, database, schema), slug, name or host names changed. */
  | { type: "org-changed"; orgId: string }
  /** A member was added or removed, or its role changed. */
  | { type: "membership-changed"; orgId: string; userId: string }
  /** One session (sessionId) or every session of a user (no sessionId) was revoked. */
  | { type: "sessions-revoked"; userId: string; sessionId?: string };

/** The string fields each event must carry (optional ones after a "?"). */
const EVENT_FIELDS: { [K in CentralEvent["type"]]: readonly string[] } = {
  "org-deleted": ["orgId"],
  "org-changed": ["orgId"],
  "membership-changed": ["orgId", "userId"],
  "sessions-revoked": ["userId", "sessionId?"],
};

/** Delivered locally after the listening connection was re-established (events may be lost). */
export type ResyncEvent = { type: "resync" };

export type Subscribable = CentralEvent | ResyncEvent;
type Handler<E> = (event: E) => void | Promise<void>;

/** A client that can run a query: a pg.Client/PoolClient, or Prisma's $executeRaw holder. */
interface PrismaLike {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Announces an event on `db`. Pass the transaction of the change (a Prisma interactive
 * transaction, or a pg client inside BEGIN): NOTIFY is delivered only if it commits. With
 * Prisma the result is a PrismaPromise, so it also fits in a batch `$transaction([...])`.
 */
export function notifyCentral<T extends PrismaLike>(db: T, event: CentralEvent): ReturnType<T["$executeRaw"]>;
export function notifyCentral(db: pg.ClientBase, event: CentralEvent): Promise<unknown>;
export function notifyCentral(db: PrismaLike | pg.ClientBase, event: CentralEvent): PromiseLike<unknown> {
  const payload = JSON.stringify(event);
  if ("$executeRaw" in db) return db.$executeRaw`SELECT pg_notify(${CENTRAL_EVENTS_CHANNEL}, ${payload})`;
  return db.query("SELECT pg_notify($1, $2)", [CENTRAL_EVENTS_CHANNEL, payload]);
}

/**
 * Tells this process's own subscribers of a change it has just committed, so the change applies
 * here at once (synchronously) rather than when the NOTIFY comes back. Call it after the
 * transaction that announced `event` with notifyCentral committed; the other processes hear the
 * NOTIFY (and this one hears it again: subscribers must be idempotent).
 */
export type AnnounceLocally = (event: CentralEvent) => void;

export function parseEvent(payload: string | undefined): CentralEvent | undefined {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(payload ?? "") as Record<string, unknown>;
  } catch {
    return undefined; // not ours: reported by the caller
  }
  if (typeof event !== "object" || event === null || typeof event.type !== "string") return undefined;
  const fields = Object.hasOwn(EVENT_FIELDS, event.type) ? EVENT_FIELDS[event.type as CentralEvent["type"]] : undefined;
  if (!fields) return undefined; // from a newer version
  const parsed: Record<string, string> = { type: event.type };
  for (const field of fields) {
    const optional = field.endsWith("?");
    const name = optional ? field.slice(0, -1) : field;
    const value = event[name];
    if (typeof value === "string") parsed[name] = value;
    else if (!optional || value !== undefined) return undefined;
  }
  return parsed as unknown as CentralEvent;
}

export interface CentralListenerOptions {
  /** First delay before reconnecting; doubles up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  onError?: (error: unknown, context: string) => void;
}

export class CentralListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Set<{ type: Subscribable["type"]; handler: Handler<never> }>();
  private closed = false;
  private connected = false;
  private delay: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly options: CentralListenerOptions = {},
  ) {
    this.delay = options.reconnectDelayMs ?? 200;
  }

  /** Connects and LISTENs; resolves once notifications are being received. */
  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Like start(), but an unreachable central database is not an error: it keeps trying in
   * the background (a server starts anyway and reports the database on /health/db) and
   * subscribers get "resync" once it listens.
   */
  async startOrRetry(): Promise<void> {
    await this.connect().catch((error: unknown) => {
      this.options.onError?.(error, "listener connect failed");
      this.scheduleReconnect();
    });
  }

  /** Calls `handler` for each event of `type`; returns the unsubscribe function. */
  subscribe<K extends Subscribable["type"]>(type: K, handler: Handler<Extract<Subscribable, { type: K }>>): () => void {
    const entry = { type, handler: handler as Handler<never> };
    this.handlers.add(entry);
    return () => void this.handlers.delete(entry);
  }

  /** Delivers `event` to this process's subscribers now (see AnnounceLocally). */
  deliverLocally(event: CentralEvent): void {
    this.dispatch(event);
  }

  get listening(): boolean {
    return this.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: "tenantgraph-listener" });
    // Until LISTEN succeeded, errors surface through connect()/query() (the caller retries).
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    client.on("notification", (message) => {
      if (message.channel !== CENTRAL_EVENTS_CHANNEL) return;
      const event = parseEvent(message.payload);
      if (event) this.dispatch(event);
      else this.options.onError?.(new Error(`unknown event: ${message.payload?.slice(0, 200)}`), "parse");
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CENTRAL_EVENTS_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    this.delay = this.options.reconnectDelayMs ?? 200;
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    this.connected = false;
    this.options.onError?.(error, "listener connection lost");
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.connect().then(
        () => this.dispatch({ type: "resync" }),
        (error: unknown) => {
          this.options.onError?.(error, "listener reconnect failed");
          this.delay = Math.min(this.delay * 2, this.options.maxReconnectDelayMs ?? 10_000);
          this.scheduleReconnect();
        },
      );
    }, this.delay);
    this.timer.unref();
  }

  private dispatch(event: Subscribable): void {
    for (const { type, handler } of this.handlers) {
      if (type !== event.type) continue;
      try {
        void Promise.resolve((handler as Handler<Subscribable>)(event)).catch((error: unknown) =>
          this.options.onError?.(error, `handler of ${event.type}`),
        );
      } catch (error) {
        this.options.onError?.(error, `handler of ${event.type}`);
      }
    }
  }
}
