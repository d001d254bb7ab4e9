-- CreateEnum
CREATE TYPE "ProjectStatus" AS ENUM ('ACTIVE', 'ARCHIVED');

-- CreateEnum
CREATE TYPE "ItemKind" AS ENUM ('RISK', 'ASSUMPTION', 'ISSUE', 'DEPENDENCY', 'ACTION', 'DECISION');

-- CreateEnum
CREATE TYPE "ItemStatus" AS ENUM ('OPEN', 'IN_PROGRESS', 'BLOCKED', 'DONE', 'CLOSED');

-- CreateEnum
CREATE TYPE "Priority" AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');

-- AlterTable
ALTER TABLE "items" ADD COLUMN     "assignee_id" UUID,
ADD COLUMN     "due_date" DATE,
ADD COLUMN     "kind" "ItemKind" NOT NULL DEFAULT 'ACTION',
ADD COLUMN     "priority" "Priority" NOT NULL DEFAULT 'MEDIUM',
ADD COLUMN     "status" "ItemStatus" NOT NULL DEFAULT 'OPEN',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN     "status" "ProjectStatus" NOT NULL DEFAULT 'ACTIVE',
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "item_dependencies" (
    "org_id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "depends_on_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "item_dependencies_pkey" PRIMARY KEY ("item_id","depends_on_id")
);

-- CreateIndex
CREATE INDEX "item_dependencies_depends_on_id_idx" ON "item_dependencies"("depends_on_id");

-- CreateIndex
CREATE INDEX "item_dependencies_org_id_idx" ON "item_dependencies"("org_id");

-- CreateIndex
CREATE INDEX "items_org_id_assignee_id_idx" ON "items"("org_id", "assignee_id");

-- Projects from before this migration could share a live name. Keep the oldest one's name;
-- suffix the others with their id so the unique index below can be built. (Hand-written: data only.)
UPDATE "projects" AS p SET "name" = left(p."name", 160) || ' (' || p."id" || ')'
WHERE p."deleted_at" IS NULL AND EXISTS (
    SELECT 1 FROM "projects" AS q
    WHERE q."org_id" = p."org_id" AND q."name" = p."name" AND q."deleted_at" IS NULL
      AND (q."created_at", q."id") < (p."created_at", p."id")
);

-- CreateIndex
CREATE UNIQUE INDEX "projects_live_name_key" ON "projects"("org_id", "name") WHERE (deleted_at IS NULL);

-- AddForeignKey
ALTER TABLE "item_dependencies" ADD CONSTRAINT "item_dependencies_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "item_dependencies" ADD CONSTRAINT "item_dependencies_depends_on_id_fkey" FOREIGN KEY ("depends_on_id") REFERENCES "items"("id") ON DELETE CASCADE ON UPDATE CASCADE;
