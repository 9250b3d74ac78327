import { createBrowserRouter, Navigate, Outlet, type RouteObject } from "react-router";
import { accountPages } from "./pages/account/routes.js";
import { adminPages } from "./pages/admin/routes.js";
import { editorPages } from "./pages/editor/routes.js";
import { executionPages } from "./pages/executions/routes.js";
import { formPages } from "./pages/forms/routes.js";
import { workflowPages } from "./pages/workflows/routes.js";
import { AuthProvider } from "./shell/auth.js";
import { RequireAuth } from "./shell/guards.js";
import { Layout } from "./shell/Layout.js";
import { NotFoundPage } from "./shell/NotFoundPage.js";
import { OrgScopeProvider } from "./shell/org-scope.js";
import { RouteError } from "./shell/RouteError.js";

// Sign-in pages are loaded on demand: signed-in users never download them (nor `qrcode`).
const authPages: RouteObject[] = [
  {
    path: "setup",
    lazy: async () => ({ Component: (await import("./pages/auth/SetupPage.js")).SetupPage }),
  },
  {
    path: "login",
    lazy: async () => ({ Component: (await import("./pages/auth/LoginPage.js")).LoginPage }),
  },
  {
    path: "login/mfa",
    lazy: async () => ({ Component: (await import("./pages/auth/MfaPromptPage.js")).MfaPromptPage }),
  },
  {
    path: "mfa-setup",
    lazy: async () => ({ Component: (await import("./pages/auth/MfaEnrolPage.js")).MfaEnrolPage }),
  },
  {
    path: "invite",
    lazy: async () => ({ Component: (await import("./pages/auth/AccountLinkPages.js")).InvitePage }),
  },
  {
    path: "forgot-password",
    lazy: async () => ({ Component: (await import("./pages/auth/AccountLinkPages.js")).ForgotPasswordPage }),
  },
  {
    path: "reset-password",
    lazy: async () => ({ Component: (await import("./pages/auth/AccountLinkPages.js")).ResetPasswordPage }),
  },
];

const routes: RouteObject[] = [
  {
    element: (
      <AuthProvider>
        <OrgScopeProvider>
          <Outlet />
        </OrgScopeProvider>
      </AuthProvider>
    ),
    errorElement: <RouteError />,
    children: [
      ...authPages,
      {
        element: <RequireAuth />,
        children: [
          // Device login: a focused page of its own, outside the app's frame.
          {
            path: "device",
            lazy: async () => ({ Component: (await import("./pages/auth/DevicePage.js")).DevicePage }),
          },
          {
            element: <Layout />,
            errorElement: <RouteError />,
            children: [
              { index: true, element: <Navigate to="/workflows" replace /> },
              ...workflowPages,
              ...editorPages,
              ...executionPages,
              ...formPages,
              ...adminPages,
              ...accountPages,
              { path: "*", element: <NotFoundPage /> },
            ],
          },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
