// The enums of the organization data (prisma/tenant/schema.prisma), spelled out here because
// files under src/graphql may not import the generated client's values.
import { builder } from "../builder.ts";

export const ProjectStatusEnum = builder.enumType("ProjectStatus", {
  values: ["ACTIVE", "ARCHIVED"] as const,
});

export const ItemKindEnum = builder.enumType("ItemKind", {
  description: "BRAID: risk, assumption, issue, dependency, action or decision.",
  values: ["RISK", "ASSUMPTION", "ISSUE", "DEPENDENCY", "ACTION", "DECISION"] as const,
});

export const ItemStatusEnum = builder.enumType("ItemStatus", {
  values: ["OPEN", "IN_PROGRESS", "BLOCKED", "DONE", "CLOSED"] as const,
});

export const PriorityEnum = builder.enumType("Priority", {
  values: ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const,
});
