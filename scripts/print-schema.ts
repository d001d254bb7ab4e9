// Writes the GraphQL schema as SDL to schema.graphql (committed; test/graphql/schema-file.test.ts
// fails when it is out of date). Frontends and codegen.yml read it.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { printSchema } from "graphql";
import { schema } from "../src/graphql/schema.ts";

const file = path.resolve(import.meta.dirname, "../schema.graphql");
await writeFile(file, `${printSchema(schema)}\n`);
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
