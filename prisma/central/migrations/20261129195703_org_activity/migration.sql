-- CreateTable
CREATE TABLE "org_activity" (
    "id" BIGSERIAL NOT NULL,
    "org_id" UUID NOT NULL,
    "process" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,
    "requests" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "duration_ms_sum" DOUBLE PRECISION NOT NULL,
    "cost" BIGINT NOT NULL,
    "latency_buckets" INTEGER[],

    CONSTRAINT "org_activity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "org_threshold_flags" (
    "org_id" UUID NOT NULL,
    "threshold" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "limit" DOUBLE PRECISION NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "org_threshold_flags_pkey" PRIMARY KEY ("org_id","threshold")
);

-- CreateIndex
CREATE INDEX "org_activity_window_end_idx" ON "org_activity"("window_end");

-- CreateIndex
CREATE INDEX "org_activity_org_id_window_end_idx" ON "org_activity"("org_id", "window_end");

-- AddForeignKey
ALTER TABLE "org_activity" ADD CONSTRAINT "org_activity_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "org_threshold_flags" ADD CONSTRAINT "org_threshold_flags_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
