// Export and import of one organization as JSON Lines: a header, its memberships (by
// email), then every row of every organization table, parents first. Import loads the
// file into a fresh organization (provisioned here) in one transaction: a bad file leaves
// nothing behind (the new organization is deleted again). An existing slug is refused
// before anything is written, and the clean-up touches only the organization this run made.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createReadStream, createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Tier } from "../data/central-client.ts";
import { Role } from "../data/generated/central/enums.ts";
import { notifyCentral } from "../data/central-notifications.ts";
import { quoteIdentifier } from "../data/sql-identifiers.ts";
import { deleteOrganization } from "./delete-org.ts";
import { appendOperatorAudit } from "./org-audit.ts";
import { withOrgData } from "./org-data.ts";
import { provisionOrganization, type ProvisionDeps } from "./provision.ts";
import type { LifecycleDeps } from "./targets.ts";

export const EXPORT_FORMAT = 1;

type Line =
  | {
      type: "organization";
      format: number;
      slug: string;
      name: string;
      tier: Tier;
      schemaVersion: string | null;
      exportedAt: string;
    }
  | { type: "membership"; email: string; name: string; role: Role }
  | { type: "row"; table: string; row: Record<string, unknown> };

export interface ExportSummary {
  memberships: number;
  rows: Record<string, number>;
}

/**
 * The export is recorded in the organization's audit log in the transaction that reads the
 * rows, first, so the file carries the record of its own export (`operator`: who ran it).
 */
export async function exportOrganization(
  deps: Pick<LifecycleDeps, "central" | "servers">,
  slug: string,
  file: string,
  operator: string | null = null,
): Promise<ExportSummary> {
  const org = await deps.central.organization.findUnique({ where: { slug } });
  if (!org || org.state === "DELETED") throw new Error(`no organization "${slug}"`);
  if (org.state !== "READY") throw new Error(`organization ${slug} is ${org.state.toLowerCase()}; export needs READY`);
  const memberships = await deps.central.membership.findMany({
    where: { orgId: org.id },
    select: { role: true, user: { select: { email: true, name: true } } },
    orderBy: { user: { email: "asc" } },
  });
  const out = createWriteStream(file, { flags: "w", mode: 0o600 });
  const write = async (line: Line) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
  };
  const summary: ExportSummary = { memberships: memberships.length, rows: {} };
  try {
    await write({
      type: "organization",
      format: EXPORT_FORMAT,
      slug: org.slug,
      name: org.name,
      tier: org.tier,
      schemaVersion: org.schemaVersion,
      exportedAt: new Date().toISOString(),
    });
    for (const m of memberships)
      await write({ type: "membership", email: m.user.email, name: m.user.name, role: m.role });
    await withOrgData(org, deps.servers, async (client, tables) => {
      await appendOperatorAudit(client, {
        action: "organization.exported",
        orgId: org.id,
        operator,
        details: { memberships: memberships.length, file: path.basename(file) },
      });
      for (const table of tables) {
        // row_to_json keeps every column, including ones this code does not know about yet.
        const rows = await client.query<{ row: Record<string, unknown> }>(
          `SELECT row_to_json(t) AS row FROM ${quoteIdentifier(table)} t WHERE org_id = $1 ORDER BY row_to_json(t)::text`,
          [org.id],
        );
        summary.rows[table] = rows.rowCount ?? 0;
        for (const { row } of rows.rows) await write({ type: "row", table, row });
      }
    });
  } finally {
    out.end();
    await once(out, "close");
  }
  return summary;
}

export class ImportFileError extends Error {
  override name = "ImportFileError";
}

export interface ImportRequest {
  file: string;
  slug: string;
  name?: string;
  tier?: Tier;
  server?: string;
  /** Who ran the import (recorded with organization.created and organization.imported). */
  operator?: string;
}

export async function importOrganization(
  deps: ProvisionDeps,
  request: ImportRequest,
): Promise<ExportSummary & { orgId: string }> {
  const lines = await readExport(request.file);
  const header = lines[0] as Extract<Line, { type: "organization" }>;
  // The id this run creates: a failure removes that organization and nothing else. An
  // existing slug (a deleted organization's tombstone included) is refused before any write.
  const newId = randomUUID();
  const summary: ExportSummary = { memberships: 0, rows: {} };
  try {
    const org = await provisionOrganization(deps, {
      slug: request.slug,
      name: request.name ?? header.name,
      tier: request.tier,
      server: request.server,
      newId,
      operator: request.operator,
    });
    const rowsByTable = new Map<string, Record<string, unknown>[]>();
    for (const line of lines) {
      if (line.type !== "row") continue;
      const rows = rowsByTable.get(line.table) ?? [];
      rows.push({ ...line.row, org_id: org.id });
      rowsByTable.set(line.table, rows);
    }
    await withOrgData(org, deps.servers, async (client, tables) => {
      const unknown = [...rowsByTable.keys()].filter((t) => !tables.includes(t));
      if (unknown.length) throw new ImportFileError(`tables not in this organization's schema: ${unknown.join(", ")}`);
      for (const table of tables) {
        const rows = rowsByTable.get(table) ?? [];
        if (!rows.length) continue;
        const q = quoteIdentifier(table);
        await client.query(`INSERT INTO ${q} SELECT * FROM json_populate_recordset(NULL::${q}, $1::json)`, [
          JSON.stringify(rows),
        ]);
        summary.rows[table] = rows.length;
      }
      // In the transaction that loads the rows (the exported audit records among them).
      await appendOperatorAudit(client, {
        action: "organization.imported",
        orgId: org.id,
        operator: request.operator ?? null,
        details: { from: header.slug, exportedAt: header.exportedAt, rows: summary.rows },
      });
    });
    // Users and memberships in one central transaction: a failure creates no account either.
    const newMembers: string[] = [];
    await deps.central.$transaction(async (tx) => {
      for (const line of lines) {
        if (line.type !== "membership") continue;
        const user = await tx.user.upsert({
          where: { email: line.email },
          update: {},
          create: { email: line.email, name: line.name },
        });
        await tx.membership.create({ data: { userId: user.id, orgId: org.id, role: line.role } });
        await notifyCentral(tx, { type: "membership-changed", orgId: org.id, userId: user.id });
        summary.memberships++;
        newMembers.push(user.id);
      }
    });
    for (const userId of newMembers) deps.announce?.({ type: "membership-changed", orgId: org.id, userId });
    return { ...summary, orgId: org.id };
  } catch (error) {
    await removeCreatedOrganization(deps, newId).catch((cleanup: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}; removing the half-imported organization ${request.slug} also failed ` +
          `(${cleanup instanceof Error ? cleanup.message : String(cleanup)}): run \`tenantgraph orgs delete ${request.slug}\``,
        { cause: error },
      );
    });
    throw error;
  }
}

/** Removes the organization this import created (by id): its data, memberships and row, no tombstone. */
async function removeCreatedOrganization(deps: ProvisionDeps, id: string): Promise<void> {
  const created = await deps.central.organization.findUnique({ where: { id } });
  if (!created) return; // refused before anything was written
  await deleteOrganization({ central: deps.central, servers: deps.servers, announce: deps.announce }, created.slug, {
    id,
  });
  await deps.central.organization.delete({ where: { id } });
}

/** Reads and checks the whole file before anything is created. */
async function readExport(file: string): Promise<Line[]> {
  const lines: Line[] = [];
  let number = 0;
  const input = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const text of input) {
    number++;
    if (!text.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      throw new ImportFileError(`line ${number}: not JSON`);
    }
    const valid =
      (line.type === "organization" && number === 1 && line.format === EXPORT_FORMAT) ||
      (line.type === "membership" &&
        typeof line.email === "string" &&
        (Object.values(Role) as unknown[]).includes(line.role)) ||
      (line.type === "row" && typeof line.table === "string" && typeof line.row === "object" && line.row !== null);
    if (!valid) throw new ImportFileError(`line ${number}: not a tenantgraph export line (format ${EXPORT_FORMAT})`);
    lines.push(line);
  }
  if (lines[0]?.type !== "organization") throw new ImportFileError("missing the organization header line");
  return lines;
}
