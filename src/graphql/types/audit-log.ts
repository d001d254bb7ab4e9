// auditLog: the organization's audit records, newest first, for admins and owners. The
// records are written by the services with the changes they record (src/braid/audit-log.ts)
// and live with the organization's data, so another organization's records cannot be named.
import { z } from "zod";
import { auditWhere, countAuditEvents, pageAuditEvents, type AuditChange } from "../../braid/audit-log.ts";
import { orgScope } from "../access.ts";
import { builder } from "../builder.ts";
import { idRule } from "../input-rules.ts";
import { UserRef } from "./user.ts";

const jsonText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const AuditChangeRef = builder.objectRef<AuditChange>("AuditChange").implement({
  description: "One field a change touched; values are JSON text (null when there was no value).",
  fields: (t) => ({
    field: t.exposeString("field"),
    oldValue: t.string({ nullable: true, resolve: (change) => jsonText(change.old) }),
    newValue: t.string({ nullable: true, resolve: (change) => jsonText(change.new) }),
  }),
});

builder.prismaObject("AuditEvent", {
  description: "One audit record (README: Audit log).",
  fields: (t) => ({
    id: t.exposeID("id"),
    at: t.expose("at", { type: "DateTime" }),
    action: t.exposeString("action", {
      description: "project.updated, member.role_changed, impersonated.request, ...",
    }),
    actorId: t.exposeID("actorId", { nullable: true, description: "The user acting; null for an operator's command." }),
    actor: t.field({
      type: UserRef,
      nullable: true,
      resolve: (event, _args, ctx) => (event.actorId ? ctx.loaders.userById.load(event.actorId) : null),
    }),
    operator: t.exposeString("operator", { nullable: true, description: "The operator of a CLI command." }),
    impersonator: t.exposeString("impersonator", {
      nullable: true,
      description: "The operator acting as the actor with a support-access token.",
    }),
    targetType: t.exposeString("targetType", { nullable: true }),
    targetId: t.exposeString("targetId", { nullable: true }),
    changes: t.field({
      type: [AuditChangeRef],
      resolve: (event) => (Array.isArray(event.changes) ? (event.changes as unknown as AuditChange[]) : []),
    }),
    versionBefore: t.exposeInt("versionBefore", { nullable: true }),
    versionAfter: t.exposeInt("versionAfter", { nullable: true }),
    requestId: t.exposeString("requestId", { nullable: true }),
    clientIp: t.exposeString("clientIp", { nullable: true }),
    details: t.string({
      nullable: true,
      description: "JSON text: what else the action records (operation name, reason, ...).",
      resolve: (event) => jsonText(event.details),
    }),
  }),
});

const AuditLogFilter = builder.inputType("AuditLogFilter", {
  description: "Every condition given must hold.",
  fields: (t) => ({
    actorId: t.id({ required: false, validate: idRule.nullish() }),
    action: t.string({ required: false, validate: z.string().max(100).nullish() }),
    targetId: t.id({ required: false, validate: z.string().max(100).nullish() }),
    from: t.field({ type: "DateTime", required: false, description: "At or after." }),
    to: t.field({ type: "DateTime", required: false, description: "Before." }),
  }),
});

builder.queryField("auditLog", (t) =>
  t.withAuth({ role: "ADMIN" }).prismaConnection(
    {
      type: "AuditEvent",
      description: "The organization's audit records, newest first; admins and owners only; `first` is capped at 100.",
      cursor: "id",
      args: { filter: t.arg({ type: AuditLogFilter, required: false }) },
      resolve: (query, _root, args, ctx) => pageAuditEvents(orgScope(ctx), query, auditWhere(args.filter)),
      totalCount: (_connection, args, ctx) => countAuditEvents(orgScope(ctx), auditWhere(args.filter)),
    },
    { name: "AuditEventConnection" },
    { name: "AuditEventEdge" },
  ),
);
