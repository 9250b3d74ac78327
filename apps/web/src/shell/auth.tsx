import type { Me, TokenPair } from "@bifrost/contracts";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import {
  ApiError,
  apiFetch,
  forgetSession,
  refreshSession,
  rememberSession,
  sessionExpiresAt,
} from "../api/client.js";

export const ME_KEY = ["auth", "me"] as const;
/** Refresh this long before the access token expires, so no request meets an expired token. */
const REFRESH_MARGIN_MS = 60_000;

/** The signed-in user, or null when signed out (a 401 after one refresh attempt). */
async function fetchMe(): Promise<Me | null> {
  try {
    return await apiFetch<Me>("/auth/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetSession();
      return null;
    }
    throw error;
  }
}

type Auth = {
  user: Me | null | undefined;
  isPlatformAdmin: boolean;
  /**
   * Someone was signed in on this page and no longer is (signed out, session expired or revoked):
   * the page they were on is theirs, not one to hand to whoever signs in next.
   */
  sessionEnded: boolean;
  /** After a login or MFA step answered tokens (the cookies are already set). */
  signedIn: (pair: Pick<TokenPair, "expiresIn">) => Promise<void>;
  signOut: () => Promise<void>;
};

const AuthContext = createContext<Auth | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: Infinity, retry: false });
  const user = me.data;
  // Bumped after each timed refresh so the next one is scheduled from the new expiry.
  const [generation, setGeneration] = useState(0);
  // Kept for the page's life (a new document, as a deep link opens, starts afresh).
  const [hadUser, setHadUser] = useState(false);
  if (user && !hadUser) setHadUser(true);

  useEffect(() => {
    if (!user) return;
    const expiresAt = sessionExpiresAt();
    if (!expiresAt) return;
    const timer = setTimeout(
      () => {
        void refreshSession().then((ok) => {
          if (ok) setGeneration((g) => g + 1);
          else queryClient.setQueryData(ME_KEY, null);
        });
      },
      Math.max(0, expiresAt - Date.now() - REFRESH_MARGIN_MS),
    );
    return () => clearTimeout(timer);
  }, [user, generation, queryClient]);

  const signedIn = useCallback(
    async (pair: Pick<TokenPair, "expiresIn">) => {
      rememberSession(pair);
      queryClient.setQueryData(ME_KEY, await fetchMe());
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await apiFetch<void>("/auth/logout", { method: "POST" });
    } finally {
      forgetSession();
      // Not `clear()`: mounted observers would keep showing the removed user. Drop the rest instead.
      queryClient.setQueryData(ME_KEY, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
    }
  }, [queryClient]);

  const sessionEnded = user === null && hadUser;
  const value = useMemo<Auth>(
    () => ({ user, isPlatformAdmin: user?.isSuperuser ?? false, sessionEnded, signedIn, signOut }),
    [user, sessionEnded, signedIn, signOut],
  );
  if (me.isError) throw me.error;
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): Auth {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/**
 * Who is signed in (`GET /auth/me`), for pages: the shell's session query (same key, one request for
 * both), asked again when a page mounts once it is a minute old.
 */
export function useMe() {
  return useQuery<Me | null>({
    queryKey: ME_KEY,
    queryFn: () => apiFetch<Me>("/auth/me"),
    staleTime: 60_000,
  });
}
