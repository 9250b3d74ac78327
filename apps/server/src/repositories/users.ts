import { and, count, eq } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { users } from "../db/schema/index.js";

export class UsersRepository {
  constructor(private readonly db: Db) {}

  /** People who can sign in: the system user does not count. */
  async countHumans(): Promise<number> {
    const [row] = await this.db
      .select({ value: count() })
      .from(users)
      .where(and(eq(users.isSystem, false)));
    return row?.value ?? 0;
  }
}
