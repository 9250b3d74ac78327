export function WorkersPage() {
  return (
    <section className="admin-page">
      <h1>Workers</h1>
    </section>
  );
}
