-- "Deleted" is one fact: the state DELETED (the tombstone's updated_at says when).
UPDATE "organizations" SET "state" = 'DELETED' WHERE "deleted_at" IS NOT NULL AND "state" <> 'DELETED';

-- AlterTable
ALTER TABLE "organizations" DROP COLUMN "deleted_at";

-- AlterEnum: MIGRATING and SUSPENDED were never written (the migrator's transaction wraps this file).
CREATE TYPE "OrgState_new" AS ENUM ('PROVISIONING', 'READY', 'MOVING', 'DELETED', 'FAILED');
ALTER TABLE "public"."organizations" ALTER COLUMN "state" DROP DEFAULT;
ALTER TABLE "organizations" ALTER COLUMN "state" TYPE "OrgState_new" USING ("state"::text::"OrgState_new");
ALTER TYPE "OrgState" RENAME TO "OrgState_old";
ALTER TYPE "OrgState_new" RENAME TO "OrgState";
DROP TYPE "public"."OrgState_old";
ALTER TABLE "organizations" ALTER COLUMN "state" SET DEFAULT 'PROVISIONING';
