-- AlterTable
ALTER TABLE "users" ADD COLUMN     "can_create_orgs" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "shared_databases" (
    "server" TEXT NOT NULL,
    "database_name" TEXT NOT NULL,
    "schema_version" TEXT,
    "last_error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "shared_databases_pkey" PRIMARY KEY ("server","database_name")
);
