export function FormBuilderPage() {
  return (
    <section>
      <h1>Form builder</h1>
    </section>
  );
}
