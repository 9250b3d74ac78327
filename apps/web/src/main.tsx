import "./zod-jitless.js";
import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { ApiError } from "./api/client.js";
import { ME_KEY } from "./shell/auth.js";
import { createRouter } from "./router.js";
import { applyTheme, initialTheme, ThemeProvider } from "./shell/theme.js";
import "./style.css";

// Before the first paint: no flash of the wrong theme.
applyTheme(initialTheme());

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    // A 401 that survived the refresh-and-retry in apiFetch: the session is over, go sign in.
    onError: (error, query) => {
      if (error instanceof ApiError && error.status === 401 && query.queryKey !== ME_KEY) {
        queryClient.setQueryData(ME_KEY, null);
      }
    },
  }),
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root");
createRoot(container).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ThemeProvider>
        <RouterProvider router={createRouter()} />
      </ThemeProvider>
    </QueryClientProvider>
  </StrictMode>,
);
