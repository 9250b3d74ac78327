import { useEffect } from "react";
import { useBlocker } from "react-router";
import { DiscardDialog } from "./EditorParts.js";

/**
 * Leaving the editor with unsaved changes asks first, however one leaves (issue 26): the browser's
 * own question for a reload or a closed tab, and this dialog for a link of the app (the sidebar, a
 * back button). The draft is kept in this browser either way (drafts.ts).
 */
export function LeaveGuard({
  dirty,
  path,
  onDiscard,
}: {
  dirty: boolean;
  path: string | undefined;
  onDiscard: () => void;
}) {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname,
  );
  return (
    <DiscardDialog
      open={blocker.state === "blocked"}
      path={path}
      onKeep={() => blocker.reset?.()}
      onDiscard={() => {
        onDiscard();
        blocker.proceed?.();
      }}
    />
  );
}
