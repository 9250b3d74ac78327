export function TablesPage() {
  return (
    <section className="admin-page">
      <h1>Tables</h1>
    </section>
  );
}
