// Per-request dataloaders for what lives in the central database (users), so resolving
// createdBy for a page of projects costs one central query, whatever the page size.
import DataLoader from "dataloader";
import type { Plugin } from "graphql-yoga";
import type { CentralDb, User } from "../data/central-client.ts";
import type { RequestContext } from "../tenancy/context.ts";

export type PublicUser = Pick<User, "id" | "email" | "name">;

export interface Loaders {
  userById: DataLoader<string, PublicUser | null>;
}

export function createLoaders(central: CentralDb): Loaders {
  return {
    userById: new DataLoader(async (ids) => {
      const users = await central.user.findMany({
        where: { id: { in: [...ids] } },
        select: { id: true, email: true, name: true },
      });
      const byId = new Map(users.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

/** Fresh loaders for every request: a loader's cache must never outlive the request. */
export function useLoaders(central: CentralDb): Plugin<RequestContext> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ loaders: createLoaders(central) });
    },
  };
}
