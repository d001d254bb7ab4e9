-- Organization audit events (README "Audit log"). Requests get INSERT and SELECT only: the
-- grants after migrating (src/lifecycle/org-roles.ts, shared-database.ts) treat this table as
-- append-only (APPEND_ONLY_TABLES in src/lifecycle/org-data.ts).

-- CreateTable
CREATE TABLE "audit_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "org_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "actor_id" UUID,
    "operator" TEXT,
    "impersonator" TEXT,
    "target_type" TEXT,
    "target_id" TEXT,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "version_before" INTEGER,
    "version_after" INTEGER,
    "request_id" TEXT,
    "client_ip" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_events_org_id_at_idx" ON "audit_events"("org_id", "at");
