import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

const STORAGE_KEY = "bifrost.orgScope";

/**
 * The organization a platform admin is looking at: an organization id, or null for every
 * organization. Pages pass it to the API as `scope=` / `organizationId`; organization users always
 * see their own organization and never get a switcher.
 */
export type OrgScope = { scope: string | null; setScope: (scope: string | null) => void };

const OrgScopeContext = createContext<OrgScope>({ scope: null, setScope: () => undefined });

export function OrgScopeProvider({ children }: { children: ReactNode }) {
  const [scope, setScopeState] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const setScope = useCallback((next: string | null) => {
    if (next) sessionStorage.setItem(STORAGE_KEY, next);
    else sessionStorage.removeItem(STORAGE_KEY);
    setScopeState(next);
  }, []);
  return <OrgScopeContext value={{ scope, setScope }}>{children}</OrgScopeContext>;
}

export function useOrgScope(): OrgScope {
  return useContext(OrgScopeContext);
}
