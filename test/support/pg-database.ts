/**
 * A fresh, empty database in the cluster at TEST_POSTGRES_URL (a superuser's URL), for tests that open
 * several pools or connections on one database (instances sharing it), so they need its URL rather than
 * the one store test/support/engines.ts opens. Dropped by drop(), connections and all.
 */
import pg from "pg";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error("TEST_POSTGRES_URL is not set: no PostgreSQL cluster to test against");
  const name = `${prefix}_${process.pid}_${Date.now()}_${counter++}`;
  await onAdmin(admin, `create database ${name} template template0`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onAdmin(admin, `drop database ${name} with (force)`) };
}

async function onAdmin(admin: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
