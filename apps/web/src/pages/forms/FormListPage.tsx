export function FormListPage() {
  return (
    <section>
      <h1>Forms</h1>
    </section>
  );
}
