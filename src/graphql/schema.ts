// Imports every type file (each registers itself on the builder), then builds the schema.
import { builder } from "./builder.ts";
import { readColumnsDirectly } from "./leaf-resolvers.ts";
import { stabilizeResponsePaths } from "./stable-response-paths.ts";
import "./types/user.ts";
import "./types/organization.ts";
import "./types/member.ts";
import "./types/member-mutations.ts";
import "./types/session.ts";
import "./types/my-sessions.ts";
import "./types/account-recovery.ts";
import "./types/host-names.ts";
import "./types/braid-enums.ts";
import "./types/project.ts";
import "./types/project-mutations.ts";
import "./types/item.ts";
import "./types/item-mutations.ts";
import "./types/item-dependencies.ts";
import "./types/audit-log.ts";
import "./types/support-access.ts";

// Plain column leaves read the row first; only their fallback (and every other prisma field) needs stable paths.
export const schema = readColumnsDirectly(stabilizeResponsePaths(builder.toSchema({ sortSchema: true })));
