export function ConfigPage() {
  return (
    <section className="admin-page">
      <h1>Config & secrets</h1>
    </section>
  );
}
