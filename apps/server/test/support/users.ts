import type { Db } from "../../src/db/database.js";
import { organizations, users } from "../../src/db/schema/index.js";
import { hashPassword } from "../../src/infra/crypto/passwords.js";

/**
 * A user of a new organization, written straight to the database: for tests that must not depend on
 * the user routes (those have their own tests). Answers the user's id.
 */
export async function insertMember(
  db: Db,
  member: { email: string; name: string; password: string },
  organizationName = "Customer",
): Promise<string> {
  const [organization] = await db.insert(organizations).values({ name: organizationName }).returning();
  const [user] = await db
    .insert(users)
    .values({
      email: member.email,
      name: member.name,
      passwordHash: await hashPassword(member.password),
      organizationId: organization?.id ?? "",
    })
    .returning();
  if (!user) throw new Error("no user inserted");
  return user.id;
}
