-- CreateTable
CREATE TABLE "org_moves" (
    "org_id" UUID NOT NULL,
    "step" TEXT NOT NULL,
    "source_tier" "Tier" NOT NULL,
    "source_server" TEXT NOT NULL,
    "source_database" TEXT NOT NULL,
    "source_schema" TEXT,
    "target_tier" "Tier" NOT NULL,
    "target_server" TEXT NOT NULL,
    "target_database" TEXT NOT NULL,
    "target_schema" TEXT,
    "progress" JSONB NOT NULL DEFAULT '{}',
    "last_error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "switched_at" TIMESTAMPTZ(3),

    CONSTRAINT "org_moves_pkey" PRIMARY KEY ("org_id")
);

-- AddForeignKey
ALTER TABLE "org_moves" ADD CONSTRAINT "org_moves_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
