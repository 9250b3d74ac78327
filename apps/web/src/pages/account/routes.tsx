import type { RouteObject } from "react-router";

/** The signed-in user's own account: every user, not only admins. */
export const accountPages: RouteObject[] = [
  {
    path: "account",
    lazy: async () => ({ Component: (await import("./AccountPage.js")).AccountPage }),
  },
];
