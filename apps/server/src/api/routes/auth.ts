import { authStatusSchema, errorBodySchema } from "@bifrost/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AuthStatusService } from "../../services/auth/auth-status.js";

export const authRoutes: FastifyPluginAsyncZod<{ authStatus: AuthStatusService }> = async (
  app,
  { authStatus },
) => {
  app.get(
    "/auth/status",
    {
      config: { access: "public" },
      schema: {
        tags: ["auth"],
        summary: "Whether the platform needs its first admin, and how users sign in",
        response: { 200: authStatusSchema, 503: errorBodySchema },
      },
    },
    () => authStatus.status(),
  );
};
