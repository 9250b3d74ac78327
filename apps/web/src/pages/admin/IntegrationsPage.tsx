export function IntegrationsPage() {
  return (
    <section className="admin-page">
      <h1>Integrations</h1>
    </section>
  );
}
