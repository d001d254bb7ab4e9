-- CreateTable
CREATE TABLE "account_audit_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "action" TEXT NOT NULL,
    "user_id" UUID,
    "email" TEXT,
    "org_id" UUID,
    "operator" TEXT,
    "request_id" TEXT,
    "client_ip" TEXT,
    "details" JSONB,

    CONSTRAINT "account_audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "account_audit_events_at_idx" ON "account_audit_events"("at");

-- CreateIndex
CREATE INDEX "account_audit_events_user_id_at_idx" ON "account_audit_events"("user_id", "at");

-- CreateIndex
CREATE INDEX "account_audit_events_org_id_at_idx" ON "account_audit_events"("org_id", "at");

-- Append-only (hand-written). The service connects to the central database as the owner of
-- its tables, so privileges cannot stop it: this trigger refuses UPDATE, DELETE and TRUNCATE
-- from anyone. Only `tenantgraph audit prune` deletes, rows older than the cut-off it sets
-- for its own transaction in tenantgraph.audit_prune_before.
CREATE FUNCTION "account_audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD."at" < nullif(current_setting('tenantgraph.audit_prune_before', true), '')::timestamptz THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'account_audit_events is append-only: % refused', TG_OP USING ERRCODE = '42501';
END
$$;

CREATE TRIGGER "account_audit_events_append_only" BEFORE UPDATE OR DELETE ON "account_audit_events"
    FOR EACH ROW EXECUTE FUNCTION "account_audit_events_append_only"();

CREATE TRIGGER "account_audit_events_no_truncate" BEFORE TRUNCATE ON "account_audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "account_audit_events_append_only"();
