import { errorBodySchema } from "@bifrost/contracts";
import type { FastifyRequest } from "fastify";
import { z } from "zod";

/** The error answers a protected route can give; each route adds the ones special to it. */
export const protectedErrors = {
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};

export const idParams = z.object({ id: z.guid() });

export const platformAdminOnly = { access: "platformAdmin" as const };

/**
 * The origin the client used for this request (`http://host:port`): links the API hands out (signed
 * file URLs, OAuth redirect URIs) use it when `BIFROST_PUBLIC_URL` is not set.
 */
export const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;
