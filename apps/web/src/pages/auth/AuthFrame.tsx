import { useEffect, type ReactNode } from "react";

/** The centred card every sign-in page sits in. */
export function AuthFrame({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Bifrost`;
  }, [title]);
  return (
    <main className="auth-frame" id="main">
      <div className="auth-frame__card">
        <p className="auth-frame__brand">Bifrost</p>
        <h1>{title}</h1>
        {intro && <div className="auth-frame__intro">{intro}</div>}
        {children}
      </div>
    </main>
  );
}
