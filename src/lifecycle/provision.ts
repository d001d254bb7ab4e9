// Provisioning an organization: small idempotent steps in one explicit order per tier, with
// the state recorded in the central database. Until READY the organization is not routed.
// A failure marks it FAILED with the reason; running provisioning again resumes (an
// existing database or schema is reused, migrations already applied are skipped) and
// finishes.
import type { Organization } from "../data/central-client.ts";
import { changeOrganization } from "./org-changes.ts";
import { ProvisionInputError, type ProvisionDeps, type ProvisionRequest } from "./provision-input.ts";
import { recordOrganization } from "./provision-record.ts";
import { PIPELINES } from "./provision-steps.ts";

// What a caller needs to ask for provisioning (the request, its checks, where a tier places it).
export * from "./provision-input.ts";
export { placementSteps } from "./provision-steps.ts";

export async function provisionOrganization(deps: ProvisionDeps, request: ProvisionRequest): Promise<Organization> {
  const org = await recordOrganization(deps, request);
  if (org.state === "READY") return org;
  let current = org;
  for (const [name, step] of PIPELINES[org.tier]) {
    deps.onStep?.(name, current);
    try {
      await deps.beforeStep?.(name, current);
      current = (await step(current, deps, request)) ?? current;
    } catch (error) {
      const reason = `${name}: ${error instanceof Error ? error.message : String(error)}`;
      await changeOrganization(deps, org.id, { state: "FAILED", lastError: reason });
      if (error instanceof ProvisionInputError) throw error;
      throw new Error(`provisioning ${org.slug} failed at ${reason}`, { cause: error });
    }
  }
  return current;
}
