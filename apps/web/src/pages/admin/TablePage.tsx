export function TablePage() {
  return (
    <section className="admin-page">
      <h1>Table</h1>
    </section>
  );
}
