// Imports every type file (each registers itself on the builder), then builds the schema.
import { builder } from "./builder.ts";
import "./types/user.ts";
import "./types/organization.ts";
import "./types/project.ts";
import "./types/item.ts";

export const schema = builder.toSchema({ sortSchema: true });
