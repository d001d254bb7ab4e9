// The `org` label of the per-organization metrics, bounded however many organizations there
// are: an organization is labelled by its slug only when it is configured (METRICS_ORG_SLUGS),
// among the `top` busiest of the last window (until the first window ends: the first `top`
// seen), or flagged over a threshold (at most `maxFlagged`); every other one counts as "other".
// When an organization leaves the busiest set its series are removed (onDropped), so the
// number of series stays at most configured + top + maxFlagged + 1.
import type { OrgFigures } from "./org-activity.ts";

export const OTHER_ORGS = "other";

export interface OrgLabelOptions {
  slugs: readonly string[];
  top: number;
  maxFlagged: number;
  onDropped(slug: string): void;
}

export class OrgLabels {
  private readonly configured: ReadonlySet<string>;
  /** orgId -> slug of the labelled busiest and flagged organizations. */
  private busiest = new Map<string, string>();
  private readonly flagged = new Map<string, string>();

  constructor(private readonly options: OrgLabelOptions) {
    this.configured = new Set(options.slugs);
  }

  labelFor(orgId: string, slug: string): string {
    if (this.busiest.has(orgId) || this.flagged.has(orgId) || this.configured.has(slug)) return slug;
    if (this.busiest.size < this.options.top) {
      this.busiest.set(orgId, slug);
      return slug;
    }
    return OTHER_ORGS;
  }

  /** Labels a flagged organization (threshold crossed) while there is room; true when it is labelled. */
  flag(orgId: string, slug: string): boolean {
    if (this.flagged.has(orgId)) return true;
    if (this.flagged.size >= this.options.maxFlagged) return false;
    this.flagged.set(orgId, slug);
    return true;
  }

  /** Organizations no longer flagged lose their label (unless busiest or configured). */
  unflagAllBut(flagged: ReadonlySet<string>): void {
    for (const orgId of [...this.flagged.keys()]) if (!flagged.has(orgId)) this.unflag(orgId);
  }

  unflag(orgId: string): void {
    const slug = this.flagged.get(orgId);
    if (slug === undefined) return;
    this.flagged.delete(orgId);
    if (!this.busiest.has(orgId) && !this.configured.has(slug)) this.options.onDropped(slug);
  }

  /** A window ended: its busiest organizations are labelled next; those no longer labelled lose their series. */
  nextWindow(figures: readonly OrgFigures[]): void {
    const next = new Map(
      [...figures]
        .sort((a, b) => b.requests - a.requests)
        .slice(0, this.options.top)
        .map((f) => [f.orgId, f.slug] as const),
    );
    for (const [orgId, slug] of this.busiest) {
      if (!next.has(orgId) && !this.flagged.has(orgId) && !this.configured.has(slug)) this.options.onDropped(slug);
    }
    this.busiest = next;
  }
}
