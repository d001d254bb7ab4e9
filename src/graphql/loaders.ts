// Per-request dataloaders for what lives in the central database (users), so resolving
// createdBy and assignee for a page of projects and items costs one central query, whatever
// the page size. The loader asks the account services; it never holds a client.
import DataLoader from "dataloader";
import type { Plugin } from "graphql-yoga";
import type { Accounts } from "../accounts/accounts.ts";
import type { PublicUser } from "../accounts/users.ts";
import type { RequestContext } from "./context.ts";

export type { PublicUser };

export interface Loaders {
  userById: DataLoader<string, PublicUser | null>;
}

export function createLoaders(accounts: Accounts): Loaders {
  return {
    userById: new DataLoader(async (ids) => {
      const byId = new Map((await accounts.users.usersByIds(ids)).map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

/** Fresh loaders for every request: a loader's cache must never outlive the request. */
export function useLoaders(accounts: Accounts): Plugin<RequestContext> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ loaders: createLoaders(accounts) });
    },
  };
}
