// The enums of the organization data, taken from the generated client's enums
// (prisma/tenant/schema.prisma is their one source).
import { ItemKind, ItemStatus, Priority, ProjectStatus } from "../../data/generated/tenant/enums.ts";
import { builder } from "../builder.ts";

export const ProjectStatusEnum = builder.enumType(ProjectStatus, { name: "ProjectStatus" });

export const ItemKindEnum = builder.enumType(ItemKind, {
  name: "ItemKind",
  description: "BRAID: risk, assumption, issue, dependency, action or decision.",
});

export const ItemStatusEnum = builder.enumType(ItemStatus, { name: "ItemStatus" });

export const PriorityEnum = builder.enumType(Priority, { name: "Priority" });
