// Dev-only: Prisma's schema engine (the wasm build from npm) driven through a PrismaPg driver
// adapter, because the CLI's native engine cannot be downloaded on these machines (see
// /work/shared/notes/prisma-offline.md). It writes migration SQL exactly as Prisma would and
// tells whether a database matches a Prisma schema. Never imported by the application.
//
// The npm build (8.1.0-2.*) is close to, not the same as, the engine of Prisma 7.10.1
// (8.1.0-1.*); only its `diff` command is used here.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQueryable,
  type SqlResultSet,
} from "@prisma/driver-adapter-utils";
import * as engineBindings from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { DiffTarget, SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";

/** File name the engine reports in schema errors; the content is what matters. */
const SCHEMA_FILE = "schema.prisma";

// The engine calls global.PRISMA_WASM_PANIC_REGISTRY.set_message(...) just before a Rust panic
// turns into an opaque "RuntimeError: unreachable", often thrown from a callback where no caller
// can catch it; print the message so the cause is visible. A Prisma Client loaded in the same
// process installs its own registry, which is fine to keep.
const panicHost = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
panicHost.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message) {
    console.error(`schema engine panicked: ${message}`);
  },
};

let bindings: Promise<typeof engineBindings> | undefined;

/**
 * The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which
 * Node 20 cannot load without --experimental-wasm-modules, so the module is instantiated by
 * hand against the JS glue it expects (import namespace "./schema_engine_bg.js"). Once per process.
 */
function loadBindings(): Promise<typeof engineBindings> {
  bindings ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const module = await WebAssembly.compile(await readFile(path.join(dir, "schema_engine_bg.wasm")));
    const instance = await WebAssembly.instantiate(module, {
      "./schema_engine_bg.js": engineBindings as unknown as WebAssembly.ModuleImports,
    });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return engineBindings;
  })();
  bindings.catch(() => (bindings = undefined));
  return bindings;
}

/**
 * adapter-pg 7.10.1 refuses result columns of PostgreSQL's internal one-byte type "char"
 * (OID 18: pg_constraint.contype, confdeltype, ...), which the engine's catalog queries select
 * and read as a Rust char. So the pool's clients relabel those columns as text before the
 * adapter sees them (pg already returns them as one-character strings) and remember which
 * columns they were, keyed by the rows array the adapter passes through unchanged; the adapter's
 * queryRaw then reports those columns as Character again.
 */
const CHAR_OID = 18;
const TEXT_OID = 25;
const charColumnsByRows = new WeakMap<unknown[], number[]>();

function relabelCharColumns<R>(result: R): R {
  for (const part of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (part ?? {}) as Partial<pg.QueryResult>;
    const indexes: number[] = [];
    fields?.forEach((field, index) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      indexes.push(index);
    });
    if (rows && indexes.length > 0) charColumnsByRows.set(rows, indexes);
  }
  return result;
}

/** A pg.Client for the engine's pool: pg.Pool calls it with a callback, the adapter's clients with promises. */
class CatalogClient extends pg.Client {
  // `any`: forwards pg's many overloads unchanged.
  override query(...args: any[]): any {
    const query = super.query as (...a: unknown[]) => unknown;
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (error: Error | null, result: unknown) => void;
      args[last] = (error: Error | null, result: unknown) =>
        callback(error, error ? result : relabelCharColumns(result));
      return query.apply(this, args);
    }
    const pending = query.apply(this, args);
    return pending instanceof Promise ? pending.then(relabelCharColumns) : pending;
  }
}

function restoreCharColumns(result: SqlResultSet): SqlResultSet {
  for (const index of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[index] = ColumnTypeEnum.Character;
  return result;
}

function withCharColumns<Q extends SqlQueryable>(queryable: Q): Q {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => restoreCharColumns(await queryRaw(query));
  return queryable;
}

function withCharColumnsAdapter(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => withCharColumns(await startTransaction(isolationLevel));
  return withCharColumns(adapter);
}

function engineAdapter(pool: pg.Pool): SqlMigrationAwareDriverAdapterFactory {
  const factory = new PrismaPg(pool);
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => withCharColumnsAdapter(await factory.connect()),
    connectToShadowDb: async () => withCharColumnsAdapter(await factory.connectToShadowDb()),
  };
}

/**
 * Runs `work` with an engine connected to `url` (the database it introspects for
 * "schemaDatasource" targets), then frees the engine and closes the pool it used.
 */
export async function withSchemaEngine<T>(url: string, work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadBindings();
  // Our own pool: the adapter leaves an external pool open, so closing it here is certain.
  const pool = new pg.Pool({ connectionString: url, Client: CatalogClient, max: 2 });
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(engineAdapter(pool));
    // The log callback gets the engine's tracing lines (JSON); errors come back as rejections.
    const engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}

function datamodel(content: string): DiffTarget {
  return { tag: "schemaDatamodel", files: [{ path: SCHEMA_FILE, content }] };
}

/**
 * SQL script from `from` to `to`, as `prisma migrate diff --script` prints it (with Prisma's
 * "-- CreateTable" headers); '' when there is nothing to change.
 */
async function diffScript(engine: SchemaEngine, from: DiffTarget, to: DiffTarget): Promise<string> {
  const result = await engine.diff({
    from,
    to,
    script: true,
    exitCode: true,
    filters: { externalTables: [], externalEnums: [] },
  });
  // exitCode (as with --exit-code): 0 = no difference, 2 = a difference. An empty diff still
  // prints "-- This is an empty migration.", so the code is what decides.
  return result.exitCode === 0 ? "" : (result.stdout ?? "");
}

/** The migration SQL from one Prisma schema (null: an empty database) to another. */
export function diffToSql(fromDatamodel: string | null, toDatamodel: string, url: string): Promise<string> {
  return withSchemaEngine(url, (engine) =>
    diffScript(engine, fromDatamodel === null ? { tag: "empty" } : datamodel(fromDatamodel), datamodel(toDatamodel)),
  );
}

/**
 * The SQL that would bring the database at `databaseUrl` to `schemaText`: '' when they match
 * (tables, columns, types, nullability, defaults, indexes, constraints, foreign keys, enums).
 * Prisma's own `_prisma_migrations` table is not part of the comparison.
 */
export function diffDatabaseAgainstSchema(databaseUrl: string, schemaText: string): Promise<string> {
  return withSchemaEngine(databaseUrl, (engine) =>
    diffScript(
      engine,
      // The schema's datasource names no URL: the engine reads the database through the adapter.
      { tag: "schemaDatasource", files: [{ path: SCHEMA_FILE, content: schemaText }], configDir: process.cwd() },
      datamodel(schemaText),
    ),
  );
}
