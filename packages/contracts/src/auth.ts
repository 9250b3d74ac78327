import { z } from "zod";

export const authStatusSchema = z.object({
  needsSetup: z.boolean(),
  passwordLogin: z.boolean(),
  mfaRequired: z.boolean(),
  ssoProviders: z.array(z.object({ name: z.string(), displayName: z.string() })),
});
export type AuthStatus = z.infer<typeof authStatusSchema>;
