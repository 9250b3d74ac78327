export function WebhooksPage() {
  return (
    <section className="admin-page">
      <h1>Webhooks</h1>
    </section>
  );
}
